/**
 * Runs one batch (spec §3.4, §3.9): decode and validate every entry first (limits, access policy,
 * `onBeforeCall`), then execute entries back to back with one alias cache (microtask-only gaps, so a
 * synchronous batch cannot interleave with other requests), and serialize only after the last one.
 * With `transactional`, the batch runs inside `ctx.storage.transactionSync`.
 */
import { chainBudget, decodeOperationChain, runValidatedChain, validateOperationChain, SynchronousExecutionError, type OcanConfig, type OperationChain } from '@lumenize/mesh/client';
import { debug } from '@lumenize/debug';
import type { RpcBatchEntry, RpcCallInfo } from '../types.ts';
import { decodeEntry, encodeResult, encodeValue, isPlainJson } from '../wire.ts';
import { RpcAccessDeniedError, TransactionalBatchError } from '../errors.ts';
import type { ResolvedConfig } from './config.ts';
import { accessPolicy } from './access.ts';
import { createBatchRoot } from './root.ts';
import { flattenResult } from './flatten.ts';
import { inspectObject } from './inspect.ts';

const log = debug('lmz.rpc.server');

const NOT_SYNC = 'transactional RPC batches must be synchronous';

interface Prepared {
  id: number;
  entry?: RpcBatchEntry;
  chain?: OperationChain;
  error?: unknown;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Encoded results, and whether any entry failed. */
export interface BatchOutcome {
  results: unknown[];
  failed: boolean;
}

function entryId(raw: unknown, index: number): number {
  return Array.isArray(raw) && typeof raw[0] === 'number' ? raw[0] : -1 - index;
}

function prepare(raw: unknown, index: number, ocan: OcanConfig, config: ResolvedConfig, info: RpcCallInfo): Prepared {
  const id = entryId(raw, index);
  try {
    const entry = decodeEntry(raw);
    const chain = decodeOperationChain(entry.operations, chainBudget(ocan));
    if (chain.length === 0 && !entry.inspect) throw new RpcAccessDeniedError('RPC access denied: (an empty chain reads the whole Durable Object; use __asObject())');
    // The policy first, so a denied key is reported as such (the core would name blocked keys itself).
    ocan.checkEntry!(chain);
    validateOperationChain(chain, ocan);
    config.raw.onBeforeCall?.(chain, info);
    return { id, entry, chain };
  } catch (error) {
    return { id, error };
  }
}

export async function executeBatch(rawEntries: unknown[], instance: object, config: ResolvedConfig, info: RpcCallInfo): Promise<BatchOutcome> {
  const aliasCache = new Map<string, unknown>();
  const ocan: OcanConfig = {
    maxDepth: config.maxDepth,
    maxArgs: config.maxArgs,
    requireMeshDecorator: false,
    checkEntry: accessPolicy(instance, config.access),
    aliasCache,
  };
  const prepared = rawEntries.map((raw, i) => prepare(raw, i, ocan, config, info));
  const { root, dispose } = createBatchRoot(instance, config.raw.validators);
  const outcomes = new Map<number, Outcome>();
  const extra: [number, Outcome][] = [];
  const sync = config.transactional;

  // Runs one entry, once, from the root. Consumed prefixes (`also` with an operation index, a read
  // or a call) get their value from the executor's step hook as the chain passes them; a prefix the
  // chain never reached failed with the chain's own error, so it gets that error.
  const runEntry = (p: Prepared): unknown => {
    const { entry, chain } = p as Required<Prepared>;
    if (entry.inspect) return inspectObject(instance, config.access);
    const cuts = new Map<number, number>();
    for (const a of entry.also ?? []) if (typeof a.at === 'number' && a.at < chain.length - 1) cuts.set(a.at, a.id);
    if (!cuts.size) return runValidatedChain(chain, root, ocan, sync);
    const onStep = (index: number, value: unknown) => {
      const id = cuts.get(index);
      if (id === undefined) return;
      cuts.delete(index);
      extra.push([id, { ok: true, value }]);
    };
    const unreached = (error: unknown) => {
      for (const id of cuts.values()) extra.push([id, { ok: false, error }]);
      throw error;
    };
    try {
      const out = runValidatedChain(chain, root, ocan, sync, onStep);
      return out instanceof Promise ? out.catch(unreached) : out;
    } catch (error) {
      return unreached(error);
    }
  };

  const runAll = (): void | Promise<void> => {
    if (sync) {
      for (const p of prepared) if (p.error === undefined) outcomes.set(p.id, { ok: true, value: runEntry(p) });
      return;
    }
    return (async () => {
      for (const p of prepared) {
        if (p.error !== undefined) continue;
        try {
          outcomes.set(p.id, { ok: true, value: await runEntry(p) });
        } catch (error) {
          outcomes.set(p.id, { ok: false, error });
          log.info('entry failed', { id: p.id, error: String(error) });
        }
      }
    })();
  };

  try {
    if (sync) {
      const storage = (instance as { ctx?: { storage?: { transactionSync?: (fn: () => void) => void } } }).ctx?.storage;
      if (typeof storage?.transactionSync !== 'function') throw new TypeError('transactional: true needs a Durable Object with ctx.storage.transactionSync (SQLite-backed)');
      try {
        storage.transactionSync(() => runAll() as void);
      } catch (error) {
        const notSync = error instanceof SynchronousExecutionError;
        const shared = notSync ? new TransactionalBatchError(NOT_SYNC) : error;
        outcomes.clear();
        extra.length = 0;
        for (const p of prepared) {
          if (p.error !== undefined) continue;
          outcomes.set(p.id, { ok: false, error: shared });
          for (const a of p.entry?.also ?? []) if (typeof a.at === 'number') extra.push([a.id, { ok: false, error: shared }]);
        }
        log.info('transactional batch rolled back', { error: String(error) });
      }
    } else {
      await runAll();
    }
    for (const p of prepared) {
      for (const a of p.entry?.also ?? []) if (typeof a.at === 'string') extra.push([a.id, aliasCache.has(a.at) ? { ok: true, value: aliasCache.get(a.at) } : { ok: false, error: new Error(`Nested operation alias '${a.at}' was not executed`) }]);
    }
    const results: unknown[] = [];
    let failed = false;
    const emit = (id: number, o: Outcome) => {
      if (o.ok) {
        // Plain JSON needs no flattening: one walk instead of three.
        if (isPlainJson(o.value)) return void results.push([id, 1, o.value]);
        try {
          const flat = flattenResult(o.value);
          results.push([id, 1, encodeResult(flat.value, flat.fns)]);
          return;
        } catch (error) {
          o = { ok: false, error: unserializable(error) };
        }
      }
      failed = true;
      results.push([id, 0, encodeError(o.error)]);
    };
    for (const p of prepared) emit(p.id, p.error !== undefined ? { ok: false, error: p.error } : (outcomes.get(p.id) ?? { ok: false, error: new Error('RPC entry did not run') }));
    for (const [id, o] of extra) emit(id, o);
    return { results, failed };
  } finally {
    dispose();
  }
}

function unserializable(error: unknown): unknown {
  if (error instanceof Error && error.name === 'UnserializableResultError') return error;
  const e = new TypeError(`RPC result is not serializable: ${error instanceof Error ? error.message : String(error)}`);
  e.name = 'UnserializableResultError';
  return e;
}

/** Errors and thrown values travel structured-cloned; one that cannot be encoded becomes a plain Error. */
export function encodeError(error: unknown): unknown {
  try {
    return encodeValue(error);
  } catch {
    return encodeValue(new Error(error instanceof Error ? `${error.name}: ${error.message}` : String(error)));
  }
}
