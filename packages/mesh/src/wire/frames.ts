/**
 * Frames of the compact wire, version 2 (docs/mesh-clients.md "Wire format"), negotiated with the
 * {@link WIRE_PROTOCOL} subprotocol and answered with `connection_status.wire: 2`. `call`,
 * `call_response`, `ack` and `batch` change; `incoming_call`, `incoming_call_response` and
 * `connection_status` keep their version-1 form. Both ends read both forms always (a frame says
 * its form: `t` is version 2, `type` version 1).
 *
 * - call: `{"t":"c","i":7,"d":1,"o":[["increment",[]]]}`: `o` plain operations (chain tag 0), or
 *   `c` a tagged chain (wire/chain.ts); `b:1` for a `ctnBatch`; `d` an interned target id, or
 *   `[id, binding, instance?]` defining it (names.ts);
 * - call_response: `{"t":"r","i":7,"j":2}`: `j` plain JSON, `r` an intermediate, `e` an error's
 *   intermediate, `x:1` when retryable (no `success`: the member says it);
 * - batch: `{"t":"b","f":[…]}`, inner calls (responses) without their `"t"`;
 * - ack `{"t":"a","a":3}`; the client names resume fields `s`/`a`, the gateway's outbox `seq`/`ack`.
 */
import type { CallFrame, CallResponseFrame, ParseResult } from '../client/frames.ts';
import { isCompactChainShape, type CompactChain } from './chain.ts';
import { targetProblem, MAX_NAMES } from './names.ts';

/** Subprotocol a client offers to speak the compact wire. */
export const WIRE_PROTOCOL = 'lmz.wire.2';
/** The compact wire's version, as `connection_status.wire` states it. */
export const WIRE_VERSION = 2;
/** Largest call id (client-issued, a per-client counter). */
export const MAX_CALL_ID = Number.MAX_SAFE_INTEGER;

/** True for a call id of the compact wire: an integer in 1..{@link MAX_CALL_ID}. */
export function isCallId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= MAX_CALL_ID;
}

/**
 * Body of a compact `call` (without resume fields). `target` is the JSON text of `d` (ClientNames.render).
 * A plain chain (tag 0) travels as `o` (its operations, the member name being the tag), others as `c`.
 * @example compactCallBody(7, '1', [0, [['increment', []]]], false) // '{"t":"c","i":7,"d":1,"o":[["increment",[]]]}'
 */
export function compactCallBody(id: number, target: string, chain: CompactChain, batch: boolean): string {
  return `{"t":"c",${compactCallRest(id, target, chain, batch)}`;
}

/** {@link compactCallBody} after its `{"t":"c",` (what a compact batch holds of it). */
export function compactCallRest(id: number, target: string, chain: CompactChain, batch: boolean): string {
  const member = chain[0] === 0 ? `"o":${JSON.stringify(chain[1])}` : `"c":${JSON.stringify(chain)}`;
  return `"i":${id},"d":${target},${member}${batch ? ',"b":1' : ''}}`;
}

/**
 * A compact `call` object (client → gateway). `d` is checked here; a reference (`target`) is
 * resolved by the gateway against its session's table.
 */
export function parseCompactCall(o: Record<string, unknown>): ParseResult<CallFrame> {
  const callId = isCallId(o.i) ? String(o.i) : undefined;
  const fail = (reason: string): ParseResult<CallFrame> => (callId ? { ok: false, reason, type: 'call', callId } : { ok: false, reason, type: 'call' });
  if (!callId) return fail(`call without a valid id (an integer from 1 to ${MAX_CALL_ID})`);
  let frame: CallFrame;
  if (o.o !== undefined) {
    if (o.c !== undefined) return fail('call with both o and c');
    if (!Array.isArray(o.o)) return fail('call whose operations (o) are not an array');
    frame = { type: 'call', callId, binding: '', chain: [0, o.o], compact: 'o' };
  } else if (isCompactChainShape(o.c)) frame = { type: 'call', callId, binding: '', chain: o.c, compact: 'c' };
  else return fail('call without a compact chain (o: operations, or c: [tag, …])');
  const d = o.d;
  if (typeof d === 'number') {
    if (!Number.isInteger(d) || d < 1 || d > MAX_NAMES) return fail(`call with a target id out of range (1 to ${MAX_NAMES})`);
    frame.target = d;
  } else if (Array.isArray(d) && (d.length === 2 || d.length === 3)) {
    const [id, binding, instance] = d as [unknown, unknown, unknown];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_NAMES) return fail(`call with a target id out of range (0 to ${MAX_NAMES})`);
    const problem = targetProblem(binding, instance);
    if (problem) return fail(problem);
    frame.binding = binding as string;
    if (instance !== undefined) frame.instance = instance as string;
    if (id > 0) frame.defines = id;
  } else return fail('call without a target (d: id or [id, binding, instance?])');
  if (o.b === 1) frame.batch = true;
  return { ok: true, frame };
}

/**
 * A compact `call_response` object (gateway → client): the member names the payload's tag, `j`
 * plain JSON, `r` an intermediate, `e` an error's intermediate. They come back as tagged payloads.
 */
export function parseCompactResponse(o: Record<string, unknown>): ParseResult<CallResponseFrame> {
  if (!isCallId(o.i)) return { ok: false, reason: 'call_response without a valid id', type: 'call_response' };
  const callId = String(o.i);
  const present = (o.e !== undefined ? 1 : 0) + (Object.hasOwn(o, 'j') ? 1 : 0) + (o.r !== undefined ? 1 : 0);
  if (present !== 1) return { ok: false, reason: 'call_response needs exactly one of j, r or e', type: 'call_response', callId };
  const f: CallResponseFrame = { type: 'call_response', callId, success: o.e === undefined, tagged: true };
  if (o.e !== undefined) f.error = [1, o.e];
  else if (o.r !== undefined) f.result = [1, o.r];
  else f.result = [0, o.j];
  if (o.x === 1) f.retryable = true;
  return { ok: true, frame: f };
}
