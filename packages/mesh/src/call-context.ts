/**
 * Building, receiving and copying call contexts (spec §4.8). Runtime-neutral: storage of the
 * *current* context is per runtime (AsyncLocalStorage on the server, see context-store.ts).
 */
import { MAX_CALL_CHAIN_LENGTH, type CallContext, type CallOptions, type NodeIdentity, type OriginAuth, type WireCallContext } from './protocol.ts';

const NODE_TYPES = new Set(['LumenizeDO', 'LumenizeWorker', 'LumenizeClient']);

/** The error for chains over 100 entries. */
export function callChainTooLong(): RangeError {
  return new RangeError(`Call chain too long (>${MAX_CALL_CHAIN_LENGTH}); use { newChain: true } for independent work`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * Checks a received `{ callChain, originAuth?, state }` (never trust a decoded value); throws a
 * TypeError naming the problem, or the chain-too-long RangeError.
 */
export function validateWireCallContext(value: unknown): asserts value is WireCallContext {
  if (!isPlainObject(value)) throw new TypeError('Invalid callContext: expected an object { callChain, originAuth?, state }');
  const { callChain, originAuth, state } = value;
  if (!Array.isArray(callChain) || callChain.length === 0) throw new TypeError('Invalid callContext: callChain must be a non-empty array');
  if (callChain.length > MAX_CALL_CHAIN_LENGTH) throw callChainTooLong();
  for (let i = 0; i < callChain.length; i++) {
    const e = callChain[i] as Partial<NodeIdentity> | null;
    if (!isPlainObject(e) || !NODE_TYPES.has(e.type as string) || typeof e.bindingName !== 'string') {
      throw new TypeError(`Invalid callContext: callChain[${i}] must be { type, bindingName, instanceName? }`);
    }
    if (e.instanceName !== undefined && typeof e.instanceName !== 'string') throw new TypeError(`Invalid callContext: callChain[${i}].instanceName must be a string`);
  }
  if (originAuth !== undefined) {
    const a = originAuth as Partial<OriginAuth> | null;
    if (!isPlainObject(a) || typeof a.userId !== 'string' || (a.claims !== undefined && !isPlainObject(a.claims))) {
      throw new TypeError('Invalid callContext: originAuth must be { userId: string, claims?: object }');
    }
  }
  if (!isPlainObject(state)) throw new TypeError('Invalid callContext: state must be a plain object');
}

/** Freezes an identity list into the shape every receiver sees. */
function frozenChain(chain: readonly NodeIdentity[]): readonly NodeIdentity[] {
  return Object.freeze(
    chain.map((e) => Object.freeze(e.instanceName === undefined ? { type: e.type, bindingName: e.bindingName } : { type: e.type, bindingName: e.bindingName, instanceName: e.instanceName })),
  );
}

/** The members an identity entry may hold: `type`, `bindingName` and, when it is a string, `instanceName`. */
function isExactEntry(e: NodeIdentity): boolean {
  if (Object.getPrototypeOf(e) !== Object.prototype) return false;
  let members = 0;
  for (const key in e) {
    if (!Object.hasOwn(e, key)) return false;
    members++;
  }
  return members === (e.instanceName === undefined ? 2 : 3);
}

/**
 * {@link frozenChain} for a list the receiver owns (Workers RPC deserialized it): when the list and
 * every entry hold exactly what a frozen copy would, they are frozen in place instead of copied;
 * anything more (an extra member, an `instanceName: undefined`) is copied as before.
 */
function frozenOwnedChain(chain: readonly NodeIdentity[]): readonly NodeIdentity[] {
  if (Object.getPrototypeOf(chain) !== Array.prototype || Object.keys(chain).length !== chain.length) return frozenChain(chain);
  for (let i = 0; i < chain.length; i++) if (!isExactEntry(chain[i]!)) return frozenChain(chain);
  for (let i = 0; i < chain.length; i++) Object.freeze(chain[i]);
  return Object.freeze(chain);
}

/**
 * The context a receiver works with: frozen `callChain` and `originAuth`, derived `origin`/`caller`/
 * `priorCaller` (plain data, so they survive serialization; incoming values for them are ignored)
 * and the given mutable `state`. `owned`: the wire context is the receiver's own copy (an envelope
 * that Workers RPC deserialized), so `originAuth` (and a `callChain` of exact entries) is frozen in
 * place instead of copied first.
 */
export function receiveCallContext(wire: WireCallContext, owned = false): CallContext {
  const callChain = owned ? frozenOwnedChain(wire.callChain) : frozenChain(wire.callChain);
  const ctx: { -readonly [K in keyof CallContext]: CallContext[K] } = {
    callChain,
    origin: callChain[0],
    caller: callChain[callChain.length - 1],
    state: wire.state,
  };
  if (callChain.length >= 2) ctx.priorCaller = callChain[callChain.length - 2];
  if (wire.originAuth !== undefined) ctx.originAuth = deepFreeze(owned ? wire.originAuth : structuredClone(wire.originAuth));
  return ctx;
}

/**
 * A copy that later mutations cannot reach: `state` is deep-copied; chain and `originAuth` are
 * already frozen and shared.
 */
export function copyCallContext(ctx: CallContext): CallContext {
  return { ...ctx, state: structuredClone(ctx.state) };
}

/** A copy of `state` the caller can no longer reach; `{}` when there is nothing to copy. */
function copyState(state: Record<string, unknown> | undefined): Record<string, unknown> {
  if (state === undefined) return {};
  for (const _key in state) return structuredClone(state);
  return {};
}

/**
 * The context for an outgoing call: continue `current` (append self, keep `originAuth`, shallow-merge
 * `options.state`), or start `[self]` when `newChain` is set or nothing is current. State is copied;
 * chain entries and `originAuth` of a received context are frozen, so they are shared, not copied.
 */
export function outgoingCallContext(current: CallContext | undefined, self: NodeIdentity, options: CallOptions = {}): WireCallContext {
  const selfEntry: NodeIdentity = self.instanceName === undefined ? { type: self.type, bindingName: self.bindingName } : { type: self.type, bindingName: self.bindingName, instanceName: self.instanceName };
  if (options.newChain || !current) return { callChain: [selfEntry], state: copyState(options.state) };
  if (current.callChain.length + 1 > MAX_CALL_CHAIN_LENGTH) throw callChainTooLong();
  const wire: WireCallContext = {
    callChain: [...current.callChain, selfEntry],
    state: options.state === undefined ? copyState(current.state) : copyState({ ...current.state, ...options.state }),
  };
  if (current.originAuth) wire.originAuth = Object.isFrozen(current.originAuth) ? current.originAuth : structuredClone(current.originAuth);
  return wire;
}

/** Serializable snapshot of a context (for persistence with alarms). */
export function toWireCallContext(ctx: CallContext): WireCallContext {
  const wire: WireCallContext = { callChain: ctx.callChain.map((e) => ({ ...e })), state: ctx.state };
  if (ctx.originAuth) wire.originAuth = ctx.originAuth;
  return wire;
}
