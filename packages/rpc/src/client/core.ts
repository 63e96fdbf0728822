/**
 * The client's batcher (spec §3.2, §3.3): chains queued in one synchronous turn are flushed together
 * by one microtask. At the flush, OCAN decides what is sent: a queued chain that another queued chain
 * extends (lineage) or uses as an argument is consumed (not sent on its own); proxies inside arguments
 * become nested chains listed out of band; a proxy used more than once travels once with a refId and
 * then as aliases. Consumed promises always settle: awaited before the flush, their value comes back as
 * an extra entry; otherwise they reject with ConsumedByPipeliningError.
 */
import { debug } from '@lumenize/debug';
import type { WireNestedOperation, WireOperation, WireOperationChain } from '@lumenize/mesh/client';
import type { RpcBatchEntry, RpcBatchRequest, RpcResultEntry, RpcTransport } from '../types.ts';
import { decodeResult, decodeValue, encodeEntry, isPlainJson, type FunctionSlot } from '../wire.ts';
import { ConsumedByPipeliningError } from '../errors.ts';
import { childNode, describeNode, operationsOf, rootNode, type Call, type ChainNode } from './chain.ts';
import { createProxy, proxyNode } from './proxy.ts';
import { captureBatch } from './inspect-mode.ts';
import { setCompactEntries } from './encoded-batch.ts';
import { argumentTransform } from './argument-transform.ts';

const log = debug('lmz.rpc.client');

function isPlainContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  if (Array.isArray(v)) return true;
  if (typeof v !== 'object' || v === null) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

type ProxyUse = readonly [node: ChainNode, path: (string | number)[]];

/**
 * Every client proxy inside call arguments (arrays and plain objects), with its path. One walk with a
 * shared path stack (a path array is copied only at a hit): a 10 KB argument of records costs about
 * half of what a walk allocating a path per value did (bench/rpc/README.md, profile).
 */
function proxiesIn(args: readonly unknown[]): ProxyUse[] {
  const found: ProxyUse[] = [];
  const seen = new Set<object>();
  const path: (string | number)[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'function') {
      const hit = proxyNode(v);
      if (hit) found.push([hit.node, path.slice()]);
      return;
    }
    if (!isPlainContainer(v) || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x !== 'function' && (typeof x !== 'object' || x === null)) continue;
        path.push(i);
        walk(x);
        path.pop();
      }
      return;
    }
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (typeof x !== 'function' && (typeof x !== 'object' || x === null)) continue;
      path.push(k);
      walk(x);
      path.pop();
    }
  };
  for (let i = 0; i < args.length; i++) {
    path.push(i);
    walk(args[i]);
    path.pop();
  }
  return found;
}

/** Copies the containers on the way to proxies, with null in the proxies' slots. */
function replaceProxies(args: readonly unknown[]): unknown[] {
  const copies = new Map<object, unknown>();
  const has = new Map<object, boolean>();
  const contains = (v: unknown): boolean => {
    if (proxyNode(v)) return true;
    if (!isPlainContainer(v)) return false;
    const known = has.get(v);
    if (known !== undefined) return known;
    has.set(v, false);
    const r = Array.isArray(v) ? v.some(contains) : Object.keys(v).some((k) => contains(v[k]));
    has.set(v, r);
    return r;
  };
  const copy = (v: unknown): unknown => {
    if (proxyNode(v)) return null;
    if (!isPlainContainer(v) || !contains(v)) return v;
    const done = copies.get(v);
    if (done) return done;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      copies.set(v, out);
      for (const x of v) out.push(copy(x));
      return out;
    }
    const out: Record<string, unknown> = {};
    copies.set(v, out);
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: copy(v[k]), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return args.map(copy);
}

export class ClientCore {
  readonly transport: RpcTransport;
  #nextId = 1;
  #queue: Call[] = [];
  #scheduled = false;
  #root = rootNode();

  constructor(transport: RpcTransport) {
    this.transport = transport;
  }

  rootProxy(): unknown {
    return createProxy(this, this.#root);
  }

  dispose(): void {
    this.transport.disconnect?.();
  }

  /** `__asObject()`: the inspection copy of the DO. */
  inspect(): Promise<unknown> {
    const call = this.#newCall(this.#root);
    (call as { inspect?: boolean }).inspect = true;
    call.awaited = true;
    this.#enqueue(call);
    return call.promise;
  }

  queue(node: ChainNode): Call {
    const call = this.#newCall(node);
    node.call = call;
    this.#enqueue(call);
    return call;
  }

  observe(call: Call, key: 'then' | 'catch' | 'finally'): unknown {
    if (call.state === 'queued') call.awaited = true;
    const p = call.promise as Promise<unknown> & Record<string, (...a: unknown[]) => unknown>;
    return p[key].bind(p);
  }

  #newCall(node: ChainNode): Call {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Unobserved rejections are never "unhandled": the caller sees them when it awaits.
    promise.catch(() => {});
    const call: Call = {
      id: this.#nextId++,
      node,
      promise,
      awaited: false,
      state: 'queued',
      resolve: (v) => {
        call.state = 'settled';
        resolve(v);
      },
      reject: (e) => {
        call.state = 'settled';
        reject(e);
      },
    };
    return call;
  }

  #enqueue(call: Call): void {
    this.#queue.push(call);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      const calls = this.#queue;
      this.#queue = [];
      void this.#flush(calls);
    });
  }

  async #flush(calls: Call[]): Promise<void> {
    const queued = new Set(calls);
    const byNode = new Map<ChainNode, Call>();
    for (const c of calls) if (!(c as { inspect?: boolean }).inspect) byNode.set(c.node, c);

    // Proxies inside each apply's arguments, found once per flush (counting and encoding both need them).
    // JSON-exact arguments hold no proxy (a proxy is a function), so for them the exactness check that
    // encoding needs anyway is the whole scan: one walk of the arguments instead of two.
    const scans = new Map<readonly unknown[], ProxyUse[]>();
    const plainArgs = new Set<readonly unknown[]>();
    const forEachProxy = (args: readonly unknown[], visit: (node: ChainNode, path: (string | number)[]) => void): void => {
      let found = scans.get(args);
      if (!found) {
        if (isPlainJson(args)) {
          plainArgs.add(args);
          found = [];
        } else found = proxiesIn(args);
        scans.set(args, found);
      }
      for (const [node, path] of found) visit(node, path);
    };
    // The copies sent for JSON-exact argument lists (encoded as they are, not checked again).
    const sentPlain = new Set<unknown[]>();
    const plainCopy = (args: readonly unknown[]): unknown[] => {
      const copy = [...args];
      if (plainArgs.has(args)) sentPlain.add(copy);
      return copy;
    };

    // Nested uses: count each proxy node used in arguments (inside nested chains too, once per chain).
    const uses = new Map<ChainNode, number>();
    const walked = new Set<ChainNode>();
    const countIn = (node: ChainNode) => {
      if (walked.has(node)) return;
      walked.add(node);
      for (const op of operationsOf(node)) {
        if (op.type !== 'apply') continue;
        forEachProxy(op.args, (n) => {
          uses.set(n, (uses.get(n) ?? 0) + 1);
          countIn(n);
        });
      }
    };
    for (const c of calls) countIn(c.node);

    // Consumption by lineage (a queued ancestor) or by nesting.
    const prefixOf = new Map<Call, Call>();
    for (const c of calls) {
      for (let n = c.node.parent; n; n = n.parent) {
        const a = byNode.get(n);
        if (a && queued.has(a) && a !== c && (prefixOf.get(a)?.node.length ?? -1) < c.node.length) prefixOf.set(a, c);
      }
    }
    const refIds = new Map<ChainNode, string>();
    let nextRef = 0;
    const alsoOf = new Map<Call, { id: number; at: number | string }[]>();
    const addAlso = (consumer: Call, a: { id: number; at: number | string }, consumed: Call) => {
      const list = alsoOf.get(consumer) ?? [];
      list.push(a);
      alsoOf.set(consumer, list);
      extras.set(a.id, consumed);
    };
    const extras = new Map<number, Call>();
    const sent: Call[] = [];
    const forcedRef = new Set<ChainNode>();
    const nestedAwaited: Call[] = [];
    for (const c of calls) {
      const consumer = prefixOf.get(c);
      const nested = uses.has(c.node);
      if (!consumer && !nested) {
        sent.push(c);
        continue;
      }
      if (!c.awaited) {
        c.reject(new ConsumedByPipeliningError(`RPC result of '${describeNode(c.node)}' was consumed by pipelining: its chain was sent only as part of another call; await it in the same turn to get its value`));
        continue;
      }
      if (consumer) {
        // The server's executor reports the value after the prefix's last step, read or call (its
        // step hook), so the prefix runs once, inside the consumer's chain.
        addAlso(consumer, { id: c.id, at: c.node.length - 1 }, c);
        continue;
      }
      forcedRef.add(c.node);
      nestedAwaited.push(c);
    }

    // Encoding (per entry, so one bad argument fails only its entry).
    const defined = new Set<ChainNode>();
    const encodeChain = (node: ChainNode): WireOperationChain =>
      operationsOf(node).map((op): WireOperation => {
        if (op.type === 'get') return { type: 'get', key: op.key };
        const nested: WireNestedOperation[] = [];
        forEachProxy(op.args, (n, path) => {
          const shared = (uses.get(n) ?? 0) > 1 || forcedRef.has(n);
          if (!shared) return void nested.push({ path, chain: encodeChain(n) });
          let ref = refIds.get(n);
          if (ref === undefined) refIds.set(n, (ref = String(nextRef++)));
          if (defined.has(n)) return void nested.push({ path, refId: ref });
          defined.add(n);
          nested.push({ path, chain: encodeChain(n), refId: ref });
        });
        return nested.length ? { type: 'apply', args: replaceProxies(op.args), nested } : { type: 'apply', args: plainCopy(op.args) };
      });

    const entries: RpcBatchEntry[] = [];
    const compact: unknown[] = [];
    const inFlight = new Map<number, Call>();
    for (const c of sent) {
      const entry: RpcBatchEntry = { id: c.id, operations: (c as { inspect?: boolean }).inspect ? [] : encodeChain(c.node) };
      if ((c as { inspect?: boolean }).inspect) entry.inspect = true;
      const also = alsoOf.get(c) ?? [];
      for (const n of nestedAwaited) {
        const ref = refIds.get(n.node);
        if (ref !== undefined && defined.has(n.node) && !extras.has(n.id) && entryMentions(entry, ref)) addAlsoNested(also, n, ref);
      }
      if (also.length) entry.also = also;
      try {
        compact.push(encodeEntry(entry, argumentTransform, sentPlain));
      } catch (error) {
        c.reject(error);
        for (const a of also) extras.get(a.id)?.reject(error);
        continue;
      }
      entries.push(entry);
      inFlight.set(c.id, c);
      c.state = 'sent';
    }
    function addAlsoNested(list: { id: number; at: number | string }[], n: Call, ref: string) {
      list.push({ id: n.id, at: ref });
      extras.set(n.id, n);
    }
    for (const n of nestedAwaited) if (!extras.has(n.id)) n.reject(new ConsumedByPipeliningError(`RPC result of '${describeNode(n.node)}' could not be returned: its chain was sent only as a nested argument`));
    for (const [id, c] of extras) {
      inFlight.set(id, c);
      c.state = 'sent';
    }
    if (entries.length === 0) return;

    const batch: RpcBatchRequest = { batch: entries };
    setCompactEntries(batch, compact);
    captureBatch(batch);
    log.debug('batch send', { entries: entries.length, ids: entries.map((e) => e.id) });
    let response;
    try {
      response = await this.transport.execute(batch);
    } catch (error) {
      log.info('batch failed', { error: String(error) });
      for (const c of inFlight.values()) c.reject(error);
      return;
    }
    log.debug('batch receive', { entries: response.batch.length });
    for (const r of response.batch) this.#settle(r, inFlight);
    for (const c of inFlight.values()) c.reject(new Error(`RPC response had no entry for '${describeNode(c.node)}' (id ${c.id})`));
  }

  #settle(r: RpcResultEntry, inFlight: Map<number, Call>): void {
    const c = inFlight.get(r.id);
    if (!c) {
      log.warn('response for an unknown entry id ignored', { id: r.id });
      return;
    }
    inFlight.delete(r.id);
    try {
      if (r.success) c.resolve(decodeResult(r.result, (root, slot) => this.#placeFunction(c.node, root, slot)));
      else {
        const error = decodeValue(r.error);
        log.info('entry failed', { id: r.id, error: String(error) });
        c.reject(error);
      }
    } catch (error) {
      c.reject(error);
    }
  }

  /** A callable proxy at `slot` that re-derives the function from the DO on every call. */
  #placeFunction(origin: ChainNode, root: unknown, [path]: FunctionSlot): unknown {
    let node = origin;
    for (const key of path) node = childNode(node, { type: 'get', key });
    const fn = createProxy(this, node);
    if (path.length === 0) return fn;
    let container = root as Record<string | number, unknown>;
    for (let i = 0; i < path.length - 1; i++) {
      container = container?.[path[i]] as Record<string | number, unknown>;
      if (typeof container !== 'object' || container === null) return root;
    }
    Object.defineProperty(container, path[path.length - 1], { value: fn, enumerable: true, writable: true, configurable: true });
    return root;
  }
}

function entryMentions(entry: RpcBatchEntry, ref: string): boolean {
  const visit = (chain: WireOperationChain): boolean =>
    chain.some((op) => op.type === 'apply' && (op.nested ?? []).some((n) => (n.refId === ref && n.chain !== undefined) || (n.chain !== undefined && visit(n.chain))));
  return visit(entry.operations);
}
