/**
 * DO → DO batching (issue 18 item 1): the mesh calls a node issues in one turn to the same Durable
 * Object (binding + instance) leave as one Workers RPC, `__executeBatch`, which the callee starts in
 * order and answers per call. The window is the current microtask queue, never a timer: a call made
 * in a later turn is sent at once, and a lone call still goes out as a plain `__executeOperation`.
 * Worker callees are stateless (a parked answer could sit in another isolate): one RPC per call.
 */
import type { CallEnvelope } from '../protocol.ts';
import { getMeshStub, type MeshStub } from '../stub.ts';
import { MAX_BATCH_ENVELOPES } from './batch-answers.ts';
import { decodeNodeReply } from './reply.ts';

const RESOLVED = Promise.resolve();

/**
 * Most chain text (UTF-16 code units) one batch carries. Workers RPC messages stop at 32 MiB and a
 * code unit serializes to at most 2 bytes: 4 Mi units (8 MiB) plus envelope overheads stay far
 * below it, so batching never makes calls too large that would have fit one by one.
 */
export const MAX_BATCH_CHARS = 4 * 1024 * 1024;

/** What an envelope costs besides its chain (context, metadata), for the budget. */
const ENVELOPE_OVERHEAD_CHARS = 512;

interface Pending {
  envelope: CallEnvelope;
  size: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Group {
  binding: string;
  instance: string;
  calls: Pending[];
}

/** Bindings whose callees have no `__executeBatch` (plain DOs, not LumenizeDOs): one RPC per call. */
const unbatched = new Set<string>();

/** True for the Workers RPC error of a callee without `__executeBatch`. */
function isMissingBatchMethod(error: unknown): boolean {
  return error instanceof Error && error.message.includes('__executeBatch') && /does not|not implement|no such method|not a function/i.test(error.message);
}

function isParked(v: unknown): v is { $parked: string } {
  return typeof v === 'object' && v !== null && typeof (v as { $parked?: unknown }).$parked === 'string';
}

/**
 * One call, one RPC: what every call did before batching, and what a lone call still does. Settles
 * `to` (a pending call's own resolve/reject) with the decoded answer; the stub is disposed once the
 * RPC settles. Plain callbacks, not an `async` function: every call passes here.
 */
function sendOneTo(env: object, binding: string, instance: string | undefined, envelope: CallEnvelope, to: Pick<Pending, 'resolve' | 'reject'>): void {
  let stub: MeshStub;
  let rpc: Promise<unknown>;
  try {
    stub = getMeshStub(env, binding, instance);
  } catch (error) {
    to.reject(error);
    return;
  }
  try {
    rpc = stub.__executeOperation(envelope);
  } catch (error) {
    stub[Symbol.dispose]();
    to.reject(error);
    return;
  }
  rpc.then(
    (reply) => {
      stub[Symbol.dispose]();
      let value: unknown;
      try {
        value = decodeNodeReply(reply);
      } catch (error) {
        to.reject(error);
        return;
      }
      to.resolve(value);
    },
    (error: unknown) => {
      stub[Symbol.dispose]();
      to.reject(error);
    },
  );
}

function sendOne(env: object, binding: string, instance: string | undefined, envelope: CallEnvelope): Promise<unknown> {
  return new Promise((resolve, reject) => sendOneTo(env, binding, instance, envelope, { resolve, reject }));
}

function sendEach(env: object, binding: string, instance: string, calls: Pending[]): void {
  for (const c of calls) sendOneTo(env, binding, instance, c.envelope, c);
}

async function claim(env: object, binding: string, instance: string, token: string): Promise<unknown> {
  using stub = getMeshStub(env, binding, instance);
  return decodeNodeReply(await stub.__awaitParked(token));
}

/**
 * Sends each call (validated and serialized already) with the others of its turn and target.
 * One per node: `lmz.call`/`callRaw` go through {@link CallBatcher.send}.
 */
export class CallBatcher {
  #env: object;
  /** This turn's DO calls by target, in the order they were made. */
  #groups = new Map<string, Group>();
  #queued = false;
  #flushNow = (): void => this.#flush();

  constructor(env: object) {
    this.#env = env;
  }

  /** Resolves with the call's value or rejects with its error, exactly as a lone `__executeOperation` would. */
  send(binding: string, instance: string | undefined, envelope: CallEnvelope, chainChars = 0): Promise<unknown> {
    if (instance === undefined || unbatched.has(binding)) return sendOne(this.#env, binding, instance, envelope);
    return new Promise((resolve, reject) => {
      const key = `${binding}\u0000${instance}`;
      let group = this.#groups.get(key);
      if (!group) this.#groups.set(key, (group = { binding, instance, calls: [] }));
      group.calls.push({ envelope, size: chainChars + ENVELOPE_OVERHEAD_CHARS, resolve, reject });
      if (this.#queued) return;
      this.#queued = true;
      // A promise job, not queueMicrotask: same queue, without workerd's per-callback wrapper.
      void RESOLVED.then(this.#flushNow);
    });
  }

  #flush(): void {
    this.#queued = false;
    // Swapped, not copied: sending never adds calls synchronously, and the next turn gets a fresh map.
    const groups = this.#groups;
    this.#groups = new Map();
    for (const { binding, instance, calls } of groups.values()) {
      // Split, in order, at MAX_BATCH_ENVELOPES envelopes or MAX_BATCH_CHARS of chain text.
      let start = 0;
      let chars = 0;
      for (let i = 0; i < calls.length; i++) {
        const size = calls[i]!.size;
        if (i > start && (i - start === MAX_BATCH_ENVELOPES || chars + size > MAX_BATCH_CHARS)) {
          this.#sendGroup(binding, instance, calls.slice(start, i));
          start = i;
          chars = 0;
        }
        chars += size;
      }
      this.#sendGroup(binding, instance, start === 0 ? calls : calls.slice(start));
    }
  }

  #sendGroup(binding: string, instance: string, calls: Pending[]): void {
    const env = this.#env;
    if (calls.length === 1) {
      sendEach(env, binding, instance, calls);
      return;
    }
    void (async () => {
      let reply: unknown;
      try {
        using stub = getMeshStub(env, binding, instance);
        reply = await stub.__executeBatch(calls.map((c) => c.envelope));
      } catch (error) {
        if (!isMissingBatchMethod(error)) {
          for (const c of calls) c.reject(error);
          return;
        }
        // Nothing ran: the callee has no batch entry point. Send as before, one RPC per call.
        unbatched.add(binding);
        sendEach(env, binding, instance, calls);
        return;
      }
      if (!Array.isArray(reply) || reply.length !== calls.length) {
        const error = new Error(`Binding '${binding}' did not answer a batch as a mesh node`);
        for (const c of calls) c.reject(error);
        return;
      }
      reply.forEach((r: unknown, i) => {
        const c = calls[i]!;
        if (isParked(r)) {
          claim(env, binding, instance, r.$parked).then(c.resolve, c.reject);
          return;
        }
        try {
          c.resolve(decodeNodeReply(r));
        } catch (error) {
          c.reject(error);
        }
      });
    })();
  }
}
