/**
 * Mesh → client leg of the gateway (mesh spec §4.12): the incoming calls waiting for the client's
 * answer, and the check every answer passes before it goes anywhere (a forwarding gateway splices
 * it into another client's frame).
 */
import type { DebugLogger } from '@lumenize/debug';
import type { IncomingCallFrame, IncomingCallResponseFrame } from '../client/frames.ts';
import { postprocess } from '@lumenize/structured-clone';
import { serializeValue } from '../envelope.ts';
import { decodeCompactChain, isCompactChainShape } from '../wire/chain.ts';
import type { CallEnvelope, CallResult, TextCallResult } from '../protocol.ts';
import { intermediateTextProblem } from './intermediate-text.ts';
import { memberText } from './member-text.ts';
import { invalidAnswer } from './replies.ts';
import type { GatewaySession } from './session.ts';

/** An incoming call (mesh → client) waiting for the client's answer. */
export interface PendingIncoming {
  resolve: (result: CallResult | TextCallResult) => void;
  /** The caller asked for `$result` as JSON text (a gateway forwarding for its own client). */
  wantsText: boolean;
  timer: ReturnType<typeof setTimeout>;
  session: GatewaySession;
  /** The frame without resume fields, so it can be re-sent under a new session. */
  frame: IncomingCallFrame;
  /** Resume sessions: the frame's seq slot. */
  seq?: number;
  /** Plain sessions: the text queued in `session.waiting` until a socket opens. */
  waitingText?: string;
  /** Sent inside a `batch` frame: the frame's seq slot holds these bodies (this one among them). */
  group?: { bodies: string[]; compact?: boolean };
  /** The frame body without resume fields, as it sits in `group`. */
  body?: string;
  /** True once the frame went out on a socket (the client may have run it). */
  transmitted: boolean;
  instanceName: string;
}

/** The `incoming_call` frame for an envelope: only the chain and the caller's context, copied. */
export function incomingCallFrame(envelope: CallEnvelope, callId: string): IncomingCallFrame {
  const frame: IncomingCallFrame = {
    type: 'incoming_call',
    callId,
    // A client's compact chain (forwarded by its gateway) reaches this client as a version-1 intermediate.
    chain: isCompactChainShape(envelope.chain) ? serializeValue(decodeCompactChain(envelope.chain, false, postprocess)) : envelope.chain,
    callContext: {
      callChain: [...envelope.callContext.callChain],
      originAuth: envelope.callContext.originAuth,
      state: serializeValue(envelope.callContext.state ?? {}),
    },
  };
  if (frame.callContext.originAuth === undefined) delete frame.callContext.originAuth;
  return frame;
}

/** Storage key of the highest incoming call id this gateway may have handed out (see `nextId`). */
const ID_CEILING_KEY = '__lmz_gateway_incoming_id_ceiling';
/** Ids reserved per storage write: one write per this many incoming calls (and one per wake-up). */
export const INCOMING_ID_BLOCK = 1024;

/** The incoming calls of one gateway instance, by callId. */
export class IncomingCalls {
  #pending = new Map<string, PendingIncoming>();
  #log: DebugLogger;
  #kv: SyncKvStorage;
  #nextId = 0;
  #idCeiling = 0;

  constructor(log: DebugLogger, kv: SyncKvStorage) {
    this.#log = log;
    this.#kv = kv;
  }

  /**
   * A short call id ("1", "2", …) that this gateway never hands out twice, also across evictions and
   * restarts: a frame stored in the outbox before an eviction may be answered after it, and that answer
   * must not match a newer call. Ids are reserved in blocks whose end is stored before any id of the
   * block leaves (the output gate holds the frame until the write is durable), so a restarted gateway
   * starts above every id it may have sent.
   */
  nextId(): string {
    if (this.#nextId >= this.#idCeiling) {
      const stored = this.#kv.get(ID_CEILING_KEY);
      const from = Math.max(this.#nextId, typeof stored === 'number' && Number.isSafeInteger(stored) && stored > 0 ? stored : 0);
      this.#idCeiling = from + INCOMING_ID_BLOCK;
      this.#kv.put(ID_CEILING_KEY, this.#idCeiling);
      this.#nextId = from;
    }
    this.#nextId += 1;
    return String(this.#nextId);
  }

  add(callId: string, p: PendingIncoming): void {
    this.#pending.set(callId, p);
  }

  get(callId: string): PendingIncoming | undefined {
    return this.#pending.get(callId);
  }

  /** Snapshot of [callId, call] pairs (settling while iterating is safe). */
  entries(): Array<[string, PendingIncoming]> {
    return [...this.#pending];
  }

  values(): IterableIterator<PendingIncoming> {
    return this.#pending.values();
  }

  settle(callId: string, p: PendingIncoming, result: CallResult | TextCallResult): void {
    clearTimeout(p.timer);
    this.#pending.delete(callId);
    p.resolve(result);
  }

  /**
   * The client's answer. Its `result`/`error` text must be one serialized intermediate; anything
   * else reaches the caller as InvalidPeerResultError.
   */
  answer(frame: IncomingCallResponseFrame, message: string): void {
    const pending = this.#pending.get(frame.callId);
    if (!pending) {
      this.#log.warn('unexpected incoming_call_response ignored', { callId: frame.callId });
      return;
    }
    const member = frame.success ? 'result' : 'error';
    const text = memberText(message, member);
    const problem = text === undefined ? `no '${member}' member` : intermediateTextProblem(text);
    if (problem !== undefined) {
      this.settle(frame.callId, pending, invalidAnswer(this.#log, pending.instanceName, frame.callId, `its ${member} is not a serialized value: ${problem}`));
      return;
    }
    if (!frame.success) this.settle(frame.callId, pending, { $error: frame.error } as CallResult);
    else this.settle(frame.callId, pending, pending.wantsText ? { $result: text! } : ({ $result: frame.result } as CallResult));
  }

  /** A malformed answer: the caller waiting for it learns why now instead of at its timeout. */
  refuse(callId: string, reason: string): void {
    const p = this.#pending.get(callId);
    if (p) this.settle(callId, p, invalidAnswer(this.#log, p.instanceName, callId, reason));
  }
}
