/**
 * The access policy (spec §5.2), plugged into the OCAN core as `checkEntry`. Under `'methods'` the
 * first key must be a member of the user's class chain (instance fields and prototype members below
 * `DurableObject`), never `ctx`, `env`, a lifecycle handler or a `_` name; `_` names are refused at
 * every depth. Accessors: under `'methods'` only the user's own getters are reachable as first keys
 * (base-class and `Object.prototype` accessors are not user members); under `'full'` any getter runs
 * on read. `#private` members are not properties, so no chain can name them.
 */
import type { OperationChain } from '@lumenize/mesh/client';
import { RpcAccessDeniedError } from '../errors.ts';

/** Refused in every mode, at every depth (the OCAN core already refuses constructor/prototype/__proto__). */
const ALWAYS_DENIED = new Set(['constructor', 'prototype', '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);
/** Refused as first key under `'methods'`. */
const DENIED_FIRST = new Set(['ctx', 'env', 'fetch', 'webSocketMessage', 'webSocketClose', 'webSocketError', 'alarm']);

const membersByProto = new WeakMap<object, Set<string>>();

/** Names defined on the prototype chain of `instance`, below the platform base and Object.prototype. */
function prototypeMembers(instance: object): Set<string> {
  const proto = Object.getPrototypeOf(instance) as object;
  const hit = membersByProto.get(proto);
  if (hit) return hit;
  const names = new Set<string>();
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (isPlatformBase(p)) break;
    for (const name of Object.getOwnPropertyNames(p)) names.add(name);
  }
  membersByProto.set(proto, names);
  return names;
}

/** `DurableObject.prototype` of `cloudflare:workers` (the last class before Object.prototype, by name). */
function isPlatformBase(p: object): boolean {
  const ctor = (p as { constructor?: { name?: unknown } }).constructor;
  return Object.getPrototypeOf(p) === Object.prototype && typeof ctor === 'function' && ctor.name === 'DurableObject';
}

function renderPath(chain: OperationChain, upTo: number): string {
  let out = '';
  for (let i = 0; i <= upTo && i < chain.length; i++) {
    const op = chain[i];
    out += op.type === 'get' ? (out ? `.${String(op.key)}` : String(op.key)) : '()';
  }
  return out;
}

/** Whether `key` is reachable as the first key of a chain under `'methods'`. */
export function isUserMember(instance: object, key: string): boolean {
  if (DENIED_FIRST.has(key) || key.startsWith('_') || ALWAYS_DENIED.has(key)) return false;
  return Object.hasOwn(instance, key) || prototypeMembers(instance).has(key);
}

/** Whether a key may be read below the first key. */
export function isReachableKey(key: string | number, access: 'methods' | 'full'): boolean {
  if (typeof key !== 'string') return true;
  if (ALWAYS_DENIED.has(key)) return false;
  return access === 'full' || !key.startsWith('_');
}

/** The `checkEntry` for one DO instance. */
export function accessPolicy(instance: object, access: 'methods' | 'full'): (chain: OperationChain) => void {
  return (chain) => {
    for (let i = 0; i < chain.length; i++) {
      const op = chain[i];
      if (op.type !== 'get') {
        if (i === 0 && access === 'methods') throw new RpcAccessDeniedError('RPC access denied: (the Durable Object itself is not callable)');
        continue;
      }
      const key = op.key;
      const ok = i === 0 && access === 'methods' ? typeof key === 'string' && isUserMember(instance, key) : isReachableKey(key, access);
      if (!ok) throw new RpcAccessDeniedError(`RPC access denied: ${renderPath(chain, i)}`);
    }
  };
}
