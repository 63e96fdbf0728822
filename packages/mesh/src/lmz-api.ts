/**
 * The `this.lmz` API types (spec §3.6). Runtime-neutral: types only.
 */
import type { AnyContinuation } from './ocan/continuation.ts';
import type { OperationChain } from './ocan/types.ts';
import type { CallContext, CallOptions, NodeType } from './protocol.ts';
import type { SubscribeOptions, Subscription } from './pubsub/client-subscriptions.ts';

/** Calls shared by every node kind. */
export interface LmzCalls {
  /** The context of the current mesh call, handler or alarm; throws outside of one. */
  readonly callContext: CallContext;
  /**
   * Fire-and-forget call of `remote` on (`binding`, `instance`); `handler` (if given) runs later with
   * the value or Error in place of `$result`. Returns nothing; validation errors throw at once.
   * @example this.lmz.call('ROOM', 'lobby', this.ctn<Room>().join('ann'), this.ctn().joined(this.ctn().$result));
   */
  call(binding: string, instance: string | undefined, remote: AnyContinuation, handler?: AnyContinuation, options?: CallOptions): void;
  /**
   * The call as a promise of its value (rejects with the remote error). On a DO, awaiting it opens the
   * input gate. For plugins, tests and Worker code.
   * @example const n = await this.lmz.callRaw('COUNTER', 'c1', this.ctn<Counter>().increment());
   */
  callRaw(binding: string, instance: string | undefined, remoteOrChain: AnyContinuation | OperationChain, options?: CallOptions): Promise<unknown>;
}

/** `this.lmz` on LumenizeDO and LumenizeWorker. */
export interface LmzApi extends LmzCalls {
  readonly type: NodeType;
  /** DO: set once, persisted. Worker: set once per request. A different value throws. */
  bindingName: string | undefined;
  /** DO: set once, persisted. Worker: always undefined (assignments ignored). */
  instanceName: string | undefined;
  /** DO: `ctx.id` as a string (assigning throws). Worker: undefined (assignments ignored). */
  id: string | undefined;
  /** DO: the name when known, else the id; assigning a 64-hex id checks it, anything else sets the name. */
  instanceNameOrId: string | undefined;
  /** Escape hatch for setting identity explicitly (Workers: `bindingName` only). */
  init(opts?: { bindingName?: string; instanceNameOrId?: string }): void;
  /**
   * Pub/sub (DO only; Workers throw): subscribes to `topic` on a publisher DO; `handler` runs with
   * each published value as `$result`. See docs/mesh-clients.md#pubsub.
   * @example using sub = this.lmz.subscribe('ROOM', 'lobby', 'chat', this.ctn().onChat(this.ctn().$result));
   */
  subscribe(binding: string, instance: string, topic: string, handler: AnyContinuation, options?: SubscribeOptions): Subscription;
  /**
   * Pub/sub (DO only; Workers throw): sends `value` to every subscriber of `topic`; synchronous,
   * fire-and-forget.
   * @example this.lmz.publish('chat', { from: 'ann', text: 'hi' });
   */
  publish(topic: string, value: unknown): void;
}
