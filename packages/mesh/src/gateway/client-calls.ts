/**
 * Client → mesh leg of the gateway (mesh spec §4.11, docs/mesh-clients.md "Batching"): each client
 * call passes the rate limit (counted per call, not per frame), then the calls of one turn for the
 * same target leave as one Workers RPC (`__executeBatch`), in the order the client sent them, and
 * each call is answered on its own with the callee's checked reply.
 */
import type { DebugLogger } from '@lumenize/debug';
import { checkRateLimit, reportMissingRateLimiter } from '@lumenize/utils';
import type { CallFrame } from '../client/frames.ts';
import { RateLimitedError } from '../errors.ts';
import type { CallResult, NodeIdentity, TextCallResult } from '../protocol.ts';
import type { GatewayAttachment } from './attachment.ts';
import { forwardClientBatch, forwardClientCall } from './forward.ts';
import { InvalidPeerResultError } from './intermediate-text.ts';
import { checkReply, errorResponse } from './replies.ts';
import type { GatewaySession } from './session.ts';

/** Settled once; `.then` on it queues this turn's flush. */
const RESOLVED = Promise.resolve();

/** What the forwarder needs from its gateway. */
export interface ClientCallsHost {
  /** The gateway's `env` (read per call, never cached). */
  env(): Record<string, unknown>;
  /** The `env` binding of the rate limiter (read per call: a subclass may change it). */
  rateLimiterBinding(): string;
  readonly logs: { rateLimit: DebugLogger; callResponse: DebugLogger };
  /** Sends a `call_response`; `resultText` (JSON) becomes its `result` without re-serializing. */
  respond(session: GatewaySession, response: Record<string, unknown>, resultText?: string): void;
}

interface Queued {
  frame: CallFrame;
  attachment: GatewayAttachment;
  session: GatewaySession;
  chainText: string | undefined;
}

/** Forwards a client's calls into the mesh. */
export class ClientCalls {
  #host: ClientCallsHost;
  #dispatch: Promise<void> = Promise.resolve();
  /** Client calls of this turn by target (`binding` or `binding instance`), forwarded together. */
  #forwards = new Map<string, Queued[]>();
  #queued = false;

  constructor(host: ClientCallsHost) {
    this.#host = host;
  }

  /** One client call: rate-checked, then queued for this turn's forwards. */
  call(frame: CallFrame, attachment: GatewayAttachment, session: GatewaySession, chainText: string | undefined): void {
    const host = this.#host;
    const binding = host.rateLimiterBinding();
    const limiter = host.env()[binding];
    if (limiter === undefined) {
      reportMissingRateLimiter(binding);
      this.#forward({ frame, attachment, session, chainText });
      return;
    }
    // Rate checks are async; chaining keeps forwards in the order the client sent them. Each link
    // settles (a failure answers its own call), so one rejection cannot wedge every later call.
    this.#dispatch = this.#dispatch
      .then(async () => {
        const allowed = await checkRateLimit(limiter as RateLimit, `message:${attachment.userId}`, binding);
        if (allowed) {
          this.#forward({ frame, attachment, session, chainText });
          return;
        }
        host.logs.rateLimit.warn('client call rate limited', { userId: attachment.userId, callId: frame.callId });
        host.respond(session, errorResponse(frame.callId, new RateLimitedError('Too many calls; slow down and retry later')));
      })
      .catch((error: unknown) => {
        host.logs.rateLimit.error('rate-limit check failed; call answered with an error', { callId: frame.callId, error });
        host.respond(session, errorResponse(frame.callId, new Error(`Call not forwarded: the gateway's rate-limit check failed (${String(error)}); retry later`)));
      })
      .catch((error: unknown) => host.logs.callResponse.error('could not answer a client call', { callId: frame.callId, error }));
  }

  #forward(q: Queued): void {
    const key = q.frame.instance === undefined ? q.frame.binding : `${q.frame.binding} ${q.frame.instance}`;
    let group = this.#forwards.get(key);
    if (!group) this.#forwards.set(key, (group = []));
    group.push(q);
    if (this.#queued) return;
    this.#queued = true;
    // A promise job, not queueMicrotask: same queue, without workerd's per-callback wrapper.
    void RESOLVED.then(this.#sendNow);
  }

  /** {@link #send} bound once (the microtask of each turn that forwards). */
  #sendNow = (): void => this.#send();

  #send(): void {
    this.#queued = false;
    const groups = [...this.#forwards.values()];
    this.#forwards.clear();
    const env = this.#host.env();
    for (const group of groups) {
      const { attachment } = group[0]!;
      const origin: NodeIdentity = { type: 'LumenizeClient', bindingName: attachment.bindingName, instanceName: attachment.instanceName };
      // Durable Objects take a batch; a Worker (stateless: a parked answer could be on another isolate) one RPC per call.
      const results =
        group.length === 1 || group[0]!.frame.instance === undefined
          ? group.map((f) => forwardClientCall(env, f.frame, origin, attachment, f.chainText))
          : forwardClientBatch(
              env,
              group.map((f) => f.frame),
              group.map((f) => f.chainText),
              origin,
              attachment,
            );
      results.forEach((result, i) => {
        const { frame, session } = group[i]!;
        result
          .then((r) => this.#answer(frame, session, r))
          .catch((error: unknown) => this.#host.logs.callResponse.error('could not answer a client call', { callId: frame.callId, error }));
      });
    }
  }

  /** Answers one client call with the callee's reply (checked before any of it reaches the frame). */
  #answer(frame: CallFrame, session: GatewaySession, result: CallResult | TextCallResult): void {
    const host = this.#host;
    const reply = checkReply(result, frame.binding);
    if (typeof reply === 'string') {
      // Never forwarded: a callee's broken answer must not reach (or break) this client's frame.
      host.logs.callResponse.warn('invalid result from callee answered as an error', { callId: frame.callId, binding: frame.binding, problem: reply });
      host.respond(session, errorResponse(frame.callId, new InvalidPeerResultError(reply)));
      return;
    }
    const response: Record<string, unknown> = { type: 'call_response', callId: frame.callId, success: reply.$error === undefined };
    if (reply.$error !== undefined) response.error = reply.$error;
    else if (typeof reply.$result === 'string') {
      // Proven to be exactly one intermediate's JSON text: spliced in, never parsed here.
      host.respond(session, response, reply.$result);
      return;
    } else response.result = reply.$result;
    host.respond(session, response);
  }
}
