/// <reference lib="esnext.disposable" />
/**
 * `getDOStub`: a DO stub by name or id that is always disposable, so callers can hold it with
 * `using`. Namespace stubs of current workerd have no `Symbol.dispose`; we wrap them in a proxy
 * that adds one and refuses use after disposal (like disposed RPC stubs do).
 */
import { isDurableObjectNamespace } from './binding-resolution.ts';
import { isDurableObjectId } from './durable-object-id.ts';
import { InvalidInstanceIdError } from './errors.ts';

/** A DO stub with a working `[Symbol.dispose]`. */
export type DisposableDurableObjectStub<T extends Rpc.DurableObjectBranded | undefined = undefined> = DurableObjectStub<T> &
  Disposable;

// Native methods of the stub check their receiver; they must be called on the real stub.
const NATIVE_METHODS = new Set<PropertyKey>(['fetch', 'connect']);

function disposable<T extends Rpc.DurableObjectBranded | undefined>(stub: DurableObjectStub<T>): DisposableDurableObjectStub<T> {
  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    const inner = (stub as unknown as Partial<Disposable>)[Symbol.dispose];
    if (typeof inner === 'function') inner.call(stub);
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(stub, {
    get(target, key) {
      if (key === Symbol.dispose) return dispose;
      if (disposed) throw new TypeError(`Durable Object stub used after it was disposed (property '${String(key)}'); get a new stub with getDOStub`);
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value === 'function' && NATIVE_METHODS.has(key)) {
        let fn = bound.get(key);
        if (!fn) bound.set(key, (fn = (...args: unknown[]) => Reflect.apply(value, target, args)));
        return fn;
      }
      return value;
    },
    has(target, key) {
      return key === Symbol.dispose || Reflect.has(target, key);
    },
  }) as DisposableDurableObjectStub<T>;
}

/**
 * A stub for the DO named (or identified, for 64-hex strings) by `doInstanceNameOrId`.
 * Hold it with `using` so it is disposed when your scope ends, which lets the target DO hibernate
 * and stops wall-clock billing. `using` binds to the declaring scope: write it at the call site,
 * not inside a helper that returns the stub (the helper's scope would dispose it on return).
 * A 64-hex string the namespace rejects throws `InvalidInstanceIdError`.
 * @example using stub = getDOStub(env.MY_DO, 'lobby'); const res = await stub.fetch(request);
 */
export function getDOStub<T extends Rpc.DurableObjectBranded | undefined = undefined>(
  doNamespace: DurableObjectNamespace<T>,
  doInstanceNameOrId: string,
): DisposableDurableObjectStub<T> {
  if (!isDurableObjectNamespace(doNamespace)) {
    throw new TypeError('getDOStub: doNamespace must be a Durable Object namespace binding (with idFromName, idFromString and get)');
  }
  if (typeof doInstanceNameOrId !== 'string' || doInstanceNameOrId === '') {
    throw new TypeError('getDOStub: doInstanceNameOrId must be a non-empty string (an instance name or a 64-hex id)');
  }
  if (isDurableObjectId(doInstanceNameOrId)) {
    let id: DurableObjectId;
    try {
      id = doNamespace.idFromString(doInstanceNameOrId);
    } catch (cause) {
      throw new InvalidInstanceIdError(doInstanceNameOrId, { cause });
    }
    return disposable(doNamespace.get(id));
  }
  const ns = doNamespace as DurableObjectNamespace<T> & { getByName?: DurableObjectNamespace<T>['getByName'] };
  const stub = typeof ns.getByName === 'function' ? ns.getByName(doInstanceNameOrId) : ns.get(ns.idFromName(doInstanceNameOrId));
  return disposable(stub);
}
