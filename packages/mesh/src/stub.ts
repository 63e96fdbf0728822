/**
 * The one seam through which every mesh call acquires its callee stub (backlog §9 item 1). Callers
 * hold the result with `using` at the call site, so it is disposed when the RPC settles. Acquisition
 * and disposal are logged at debug level under `lmz.mesh.getMeshStub` with a stub id, which is how
 * tests observe that every stub is disposed exactly once.
 */
import { debug } from '@lumenize/debug';
import { InvalidInstanceIdError, isDurableObjectId } from '@lumenize/utils';
import type { CallEnvelope, CallResult, TextCallResult } from './protocol.ts';

const log = debug('lmz.mesh.getMeshStub');

/** A disposable handle on a mesh callee. */
export interface MeshStub extends Disposable {
  /** A {@link TextCallResult} only when the envelope asked for `options.resultText`. */
  __executeOperation(envelope: CallEnvelope): Promise<CallResult | TextCallResult>;
  /** Several envelopes in one Workers RPC (DO callees); the callee starts them in order and answers each one. */
  __executeBatch(envelopes: CallEnvelope[]): Promise<unknown>;
  /** The answer of a batch entry the callee parked (`{ $parked: token }`). */
  __awaitParked(token: string): Promise<unknown>;
}

type BindingKind = 'durable-object' | 'service';

/** Kinds of binding objects already seen: `env`'s bindings live as long as the isolate, and every call checks one. */
const kinds = new WeakMap<object, BindingKind>();

function kindOf(value: unknown): BindingKind | undefined {
  const known = typeof value === 'object' && value !== null ? kinds.get(value) : undefined;
  if (known) return known;
  // A service binding answers every property with an RPC method, so duck typing cannot tell them apart.
  const tag = Object.prototype.toString.call(value);
  const kind = tag === '[object DurableObjectNamespace]' ? 'durable-object' : tag === '[object Fetcher]' ? 'service' : undefined;
  if (kind && typeof value === 'object' && value !== null) kinds.set(value, kind);
  return kind;
}

/**
 * Checks that `binding` exists on `env` and fits `instance` (a DO namespace needs an instance, a
 * service binding must not get one). Throws an Error naming the binding and the problem.
 */
export function checkMeshBinding(env: object, binding: unknown, instance: unknown): void {
  if (typeof binding !== 'string' || binding === '') throw new TypeError(`Invalid binding ${String(binding)}: expected the name of a binding in env`);
  if (instance !== undefined && (typeof instance !== 'string' || instance === '')) {
    throw new TypeError(`Invalid instance for binding '${binding}': expected a non-empty name or id string, or undefined for a Worker`);
  }
  const value = (env as Record<string, unknown>)[binding];
  if (value === undefined || value === null) throw new Error(`Unknown binding '${binding}': env has no binding with that name`);
  const kind = kindOf(value);
  if (kind === undefined) throw new Error(`Binding '${binding}' is neither a Durable Object namespace nor a service binding`);
  if (kind === 'service' && instance !== undefined) {
    throw new Error(`Binding '${binding}' is a service binding (a Worker): call it with instance undefined, not '${String(instance)}'`);
  }
  if (kind === 'durable-object' && instance === undefined) {
    throw new Error(`Binding '${binding}' is a Durable Object namespace: pass an instance name or id`);
  }
}

let stubCount = 0;

type CalleeStub = {
  __executeOperation(envelope: CallEnvelope): Promise<CallResult | TextCallResult>;
  __executeBatch(envelopes: CallEnvelope[]): Promise<unknown>;
  __awaitParked(token: string): Promise<unknown>;
  [Symbol.dispose]?: () => void;
};

/**
 * The raw namespace stub, without getDOStub's Proxy (its `get` trap ran on every property read of
 * every call). The wrapper below adds disposal and refuses use after it, as getDOStub's proxy did.
 */
function rawDOStub(ns: DurableObjectNamespace, instance: string): CalleeStub {
  if (isDurableObjectId(instance)) {
    let id: DurableObjectId;
    try {
      id = ns.idFromString(instance);
    } catch (cause) {
      throw new InvalidInstanceIdError(instance, { cause });
    }
    return ns.get(id) as unknown as CalleeStub;
  }
  const stub = typeof ns.getByName === 'function' ? ns.getByName(instance) : ns.get(ns.idFromName(instance));
  return stub as unknown as CalleeStub;
}

/** The handle {@link getMeshStub} returns: forwards to the raw stub and refuses use after disposal. */
class MeshStubHandle implements MeshStub {
  #target: CalleeStub;
  #binding: string;
  #instance: string | undefined;
  #stubId: number;
  #disposed = false;

  constructor(target: CalleeStub, binding: string, instance: string | undefined, stubId: number) {
    this.#target = target;
    this.#binding = binding;
    this.#instance = instance;
    this.#stubId = stubId;
  }

  #live(): CalleeStub {
    if (this.#disposed) throw new TypeError(`Mesh stub for '${this.#binding}' used after it was disposed; get a new stub with getMeshStub`);
    return this.#target;
  }

  __executeOperation(envelope: CallEnvelope): Promise<CallResult | TextCallResult> {
    return this.#live().__executeOperation(envelope);
  }

  __executeBatch(envelopes: CallEnvelope[]): Promise<unknown> {
    return this.#live().__executeBatch(envelopes);
  }

  __awaitParked(token: string): Promise<unknown> {
    return this.#live().__awaitParked(token);
  }

  [Symbol.dispose](): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#target[Symbol.dispose]?.();
    if (log.enabled) log.debug('stub disposed', { stubId: this.#stubId, binding: this.#binding, instance: this.#instance });
  }
}

/**
 * A disposable stub for the mesh node at (`binding`, `instance`): a DO by name (or by id for a
 * 64-hex string) or, with `instance` undefined, a Worker's service binding. Validate first with
 * {@link checkMeshBinding}. Hold it with `using` at the call site.
 * @example using stub = getMeshStub(env, 'ROOM', 'lobby'); const r = await stub.__executeOperation(envelope);
 */
export function getMeshStub(env: object, binding: string, instance: string | undefined): MeshStub {
  const value = (env as Record<string, unknown>)[binding];
  const target = instance === undefined ? (value as CalleeStub) : rawDOStub(value as DurableObjectNamespace, instance);
  const stubId = ++stubCount;
  if (log.enabled) log.debug('stub acquired', { stubId, binding, instance });
  return new MeshStubHandle(target, binding, instance, stubId);
}
