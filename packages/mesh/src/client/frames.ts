/**
 * Parsing and validation of the JSON text frames exchanged between LumenizeClient and
 * LumenizeClientGateway (mesh spec §5.3), plus the resume extension (`seq`, `ack`, the `ack`
 * frame and `connection_status.resumed`), documented in docs/mesh-clients.md. Pure code shared by
 * both ends; a frame is never trusted before it passed through here.
 */

import { parseCompactCall, parseCompactResponse, WIRE_VERSION } from '../wire/frames.ts';

/** Largest text frame either end accepts or sends (bytes of UTF-8). The gateway closes with 1009 above it. */
export const MAX_FRAME_BYTES = 1_048_576;

/** The resume extension's acknowledgement frame type (not one of the spec's five message types). */
export const ACK_FRAME_TYPE = 'ack';

/** Subprotocol the client offers to ask for gap-free resume: `lmz.resume.<sessionId>.<ack>`. */
export const RESUME_PROTOCOL_PREFIX = 'lmz.resume.';

/**
 * Subprotocol a client offers when it reads and sends `batch` frames (several frames under one seq).
 * The gateway batches only for clients that offered it and says so in `connection_status.batch`.
 */
export const BATCH_PROTOCOL = 'lmz.batch.1';

/** Most frames one `batch` frame may carry; a longer list is refused as malformed. */
export const MAX_BATCH_FRAMES = 1_000;

/** Subprotocol carrying the access token: `lmz.access-token.<jwt>`. */
export const ACCESS_TOKEN_PROTOCOL_PREFIX = 'lmz.access-token.';

/** Fields every frame of the resume extension may carry. */
export interface ResumeFields {
  /** Per-session sequence number of a reliable frame (1, 2, 3, ...). */
  seq?: number;
  /** Cumulative acknowledgement: highest contiguous seq received from the peer. */
  ack?: number;
}

/** `call` (client → gateway). */
export interface CallFrame extends ResumeFields {
  type: 'call';
  callId: string;
  binding: string;
  instance?: string;
  chain: unknown;
  /** True when `chain` is a `ctnBatch` list of chains (DO callees only). */
  batch?: boolean;
  /**
   * Compact wire (wire/frames.ts): `chain` is a compact chain; its text is the member named here
   * (`o`: plain operations, sent without their tag 0; `c`: a tagged chain).
   */
  compact?: 'o' | 'c';
  /** Compact wire: an interned target id still to resolve (binding and instance are empty until then). */
  target?: number;
  /** Compact wire: this call defines interned target id `defines` as its binding and instance. */
  defines?: number;
}

/** `incoming_call_response` (client → gateway). */
export interface IncomingCallResponseFrame extends ResumeFields {
  type: 'incoming_call_response';
  callId: string;
  success: boolean;
  result?: unknown;
  error?: unknown;
}

/** `ack` (either direction). A frame with `seq` fills a sequence slot and is otherwise a no-op. */
export interface AckFrame extends ResumeFields {
  type: 'ack';
}

/**
 * `batch` (either direction, only after both ends agreed on {@link BATCH_PROTOCOL}): frames that left
 * in the same tick, in order, under the batch frame's one `seq`/`ack`. Inner frames carry no resume
 * fields. Client → gateway it holds `call` and `incoming_call_response` frames; gateway → client,
 * `call_response` and `incoming_call` frames.
 */
export interface BatchFrame<F> extends ResumeFields {
  type: 'batch';
  /** Inner frames that parsed; malformed ones are listed in `refused` and skipped. */
  frames: F[];
  /** Index of each of `frames` in the batch as sent. */
  positions: number[];
  /** Why inner frames were refused (index, reason, callId when readable). */
  refused: Array<{ index: number; reason: string; type?: string; callId?: string }>;
  /** Compact wire: the batch was `{"t":"b","f":[…]}` (its inner texts are in member `f`). */
  compact?: true;
}

/** `call_response` (gateway → client). */
export interface CallResponseFrame extends ResumeFields {
  type: 'call_response';
  callId: string;
  success: boolean;
  result?: unknown;
  error?: unknown;
  retryable?: boolean;
  /** Compact wire: `result`/`error` are tagged payloads (`[0, json]` or `[1, intermediate]`). */
  tagged?: true;
}

/** `incoming_call` (gateway → client). */
export interface IncomingCallFrame extends ResumeFields {
  type: 'incoming_call';
  callId: string;
  chain: unknown;
  callContext: { callChain: unknown[]; originAuth?: unknown; state: unknown };
}

/** `connection_status` (gateway → client), always the first frame on a connection. */
export interface ConnectionStatusFrame extends ResumeFields {
  type: 'connection_status';
  subscriptionsLost: boolean;
  /** Resume extension: true when the gateway still held this client's session (nothing lost). */
  resumed?: boolean;
  /** True when the gateway reads and sends `batch` frames on this connection. */
  batch?: boolean;
  /** The compact wire's version when the gateway agreed to it (wire/frames.ts), else absent (version 1). */
  wire?: number;
}

/** Frames that may sit inside a client → gateway `batch`. */
export type ClientInnerFrame = CallFrame | IncomingCallResponseFrame;
/** Frames that may sit inside a gateway → client `batch`. */
export type GatewayInnerFrame = CallResponseFrame | IncomingCallFrame;
export type ClientToGatewayFrame = CallFrame | IncomingCallResponseFrame | AckFrame | BatchFrame<ClientInnerFrame>;
export type GatewayToClientFrame = CallResponseFrame | IncomingCallFrame | ConnectionStatusFrame | AckFrame | BatchFrame<GatewayInnerFrame>;

/** Outcome of parsing one frame: the frame, or why it was refused (with the callId when one was readable). */
export type ParseResult<F> = { ok: true; frame: F } | { ok: false; reason: string; type?: string; callId?: string };

const MAX_ID = 128;
const BINDING = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;

const ASCII = /^[\x00-\x7f]*$/;

/** UTF-8 byte length without allocating (an ASCII text, the common case, is told by a native regex test). */
export function utf8Length(text: string): number {
  if (ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair; a lone surrogate is sent as U+FFFD (3 bytes), like the other cases below.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * True for the shape of a serialized structured-clone intermediate: an object with exactly the
 * members `root` and `objects` (an array). What every `chain`, `result` and `error` on the wire is.
 * @example isSerializedValue({ root: 1, objects: [] }) // true
 */
export function isSerializedValue(v: unknown): v is { root: unknown; objects: unknown[] } {
  if (!isRecord(v) || !Array.isArray(v.objects) || !Object.hasOwn(v, 'root')) return false;
  let members = 0;
  for (const key in v) if (Object.hasOwn(v, key)) members++;
  return members === 2;
}

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID;
}

function isCount(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
}

/** Reads the optional resume fields; returns an error reason when present but malformed. */
function resumeFields(o: Record<string, unknown>, into: ResumeFields): string | undefined {
  // Version-1 frames name them `seq`/`ack`; compact client frames `s`/`a`. The gateway's outbox
  // appends `seq`/`ack` to every frame it records, compact ones included.
  const compact = typeof o.t === 'string';
  const seq = compact && o.s !== undefined ? o.s : o.seq;
  const ack = compact && o.a !== undefined ? o.a : o.ack;
  if (seq !== undefined) {
    if (!isCount(seq, 1)) return 'seq must be a positive integer';
    into.seq = seq;
  }
  if (ack !== undefined) {
    if (!isCount(ack, 0)) return 'ack must be a non-negative integer';
    into.ack = ack;
  }
  return undefined;
}

function decode(text: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  if (typeof text !== 'string') return { ok: false, reason: 'binary frames are not supported' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
  if (!isRecord(value)) return { ok: false, reason: 'frame is not a JSON object' };
  if (typeof value.type !== 'string' && typeof value.t !== 'string') return { ok: false, reason: 'frame has no type' };
  return { ok: true, value };
}

/**
 * A compact frame object (`t`, no `type`) of one direction: its own kind `own` (`c` calls from the
 * client, `r` responses from the gateway) parsed by `parseOwn`, or, at top level only, an ack or a
 * batch. Inside a compact batch an entry without a type is of kind `own`; a typed entry goes
 * through `parseTyped`.
 */
function compactObject<I>(
  o: Record<string, unknown>,
  inner: boolean,
  own: 'c' | 'r',
  parseOwn: (o: Record<string, unknown>) => ParseResult<I>,
  parseTyped: (item: Record<string, unknown>) => ParseResult<I>,
): ParseResult<I | AckFrame | BatchFrame<I>> {
  if (o.t === own) return parseOwn(o);
  if (inner) return { ok: false, reason: `a compact '${String(o.t).slice(0, 40)}' frame cannot sit inside a batch` };
  if (o.t === 'a') return { ok: true, frame: { type: 'ack' } };
  if (o.t === 'b') {
    const list = batchList(o.f);
    if (typeof list === 'string') return { ok: false, reason: list, type: 'batch' };
    const batch = parseBatch(list, (item) => (item.type === undefined && item.t === undefined ? parseOwn(item) : parseTyped(item)));
    batch.compact = true;
    return { ok: true, frame: batch };
  }
  return { ok: false, reason: `unknown compact frame type '${String(o.t).slice(0, 40)}'` };
}

/** One client → gateway frame object (top level or inside a batch), without its resume fields. */
function clientObject(o: Record<string, unknown>, inner: boolean): ParseResult<ClientToGatewayFrame> {
  // The compact wire (wire/frames.ts): a call, or (top level only) an ack or a batch.
  if (o.type === undefined) return compactObject(o, inner, 'c', parseCompactCall, (item) => clientObject(item, true) as ParseResult<ClientInnerFrame>);
  const callId = isId(o.callId) ? o.callId : undefined;
  const type = String(o.type).slice(0, 40);
  const fail = (reason: string): ParseResult<ClientToGatewayFrame> => (callId ? { ok: false, reason, type, callId } : { ok: false, reason, type });
  switch (o.type) {
    case 'call': {
      if (!callId) return fail('call without a valid callId');
      if (!isId(o.binding) || !BINDING.test(o.binding)) return fail('call without a valid binding');
      if (o.instance !== undefined && (typeof o.instance !== 'string' || o.instance.length === 0 || o.instance.length > 512)) {
        return fail('call with an invalid instance');
      }
      if (!isSerializedValue(o.chain)) return fail('call without a serialized chain ({root, objects})');
      const frame: CallFrame = { type: 'call', callId, binding: o.binding, chain: o.chain };
      if (o.instance !== undefined) frame.instance = o.instance as string;
      if (o.batch === true) frame.batch = true;
      return { ok: true, frame };
    }
    case 'incoming_call_response': {
      if (!callId) return fail('incoming_call_response without a valid callId');
      if (typeof o.success !== 'boolean') return fail('incoming_call_response without success flag');
      const frame: IncomingCallResponseFrame = { type: 'incoming_call_response', callId, success: o.success };
      if (o.success) frame.result = o.result;
      else frame.error = o.error;
      return { ok: true, frame };
    }
    case ACK_FRAME_TYPE:
      if (inner) return fail('an ack cannot sit inside a batch');
      return { ok: true, frame: { type: 'ack' } };
    case 'batch': {
      if (inner) return fail('a batch cannot sit inside a batch');
      const list = batchList(o.frames);
      return typeof list === 'string' ? fail(list) : { ok: true, frame: parseBatch(list, (item) => clientObject(item, true) as ParseResult<ClientInnerFrame>) };
    }
    default:
      return fail(`unknown frame type '${type}'`);
  }
}

/** A refusal naming the frame's type and, when it has one, its callId. */
function refusal<F extends { type: string }>(reason: string, frame: F): { ok: false; reason: string; type: string; callId?: string } {
  const callId = (frame as { callId?: string }).callId;
  return callId === undefined ? { ok: false, reason, type: frame.type } : { ok: false, reason, type: frame.type, callId };
}

/** Parses each entry of a batch's list; a malformed entry is listed in `refused` and spoils nothing else. */
function parseBatch<F>(list: unknown[], parse: (item: Record<string, unknown>) => ParseResult<F>): BatchFrame<F> {
  const frame: BatchFrame<F> = { type: 'batch', frames: [], positions: [], refused: [] };
  list.forEach((item, index) => {
    const r: ParseResult<F> = isRecord(item) ? parse(item) : { ok: false, reason: 'batch entry is not a JSON object' };
    if (r.ok) {
      frame.frames.push(r.frame);
      frame.positions.push(index);
    } else frame.refused.push(r.callId === undefined ? { index, reason: r.reason, type: r.type } : { index, reason: r.reason, type: r.type, callId: r.callId });
  });
  return frame;
}

/** A batch's `frames`: a non-empty array of at most {@link MAX_BATCH_FRAMES}, or why not. */
function batchList(v: unknown): unknown[] | string {
  if (!Array.isArray(v) || v.length === 0) return 'batch without a non-empty frames array';
  if (v.length > MAX_BATCH_FRAMES) return `batch with ${v.length} frames (at most ${MAX_BATCH_FRAMES})`;
  return v;
}

/**
 * Parses a frame received by the gateway. Unknown fields are dropped (a client cannot smuggle
 * `callContext` or identity through), so the returned frame holds only the documented fields.
 * A `batch` parses each inner frame the same way; a malformed inner frame is listed in `refused`
 * and does not spoil the others.
 * @example parseClientFrame('{"type":"call","callId":"1","binding":"DOC","instance":"d1","chain":{}}')
 */
export function parseClientFrame(text: unknown): ParseResult<ClientToGatewayFrame> {
  const d = decode(text);
  if (!d.ok) return d;
  const parsed = clientObject(d.value, false);
  if (!parsed.ok) return parsed;
  const bad = resumeFields(d.value, parsed.frame);
  return bad ? refusal(bad, parsed.frame) : parsed;
}

/** One gateway → client frame object (top level or inside a batch), without its resume fields. */
function gatewayObject(o: Record<string, unknown>, inner: boolean): ParseResult<GatewayToClientFrame> {
  // The compact wire: a call_response, or (top level only) an ack or a batch.
  if (o.type === undefined) return compactObject(o, inner, 'r', parseCompactResponse, (item) => gatewayObject(item, true) as ParseResult<GatewayInnerFrame>);
  const callId = isId(o.callId) ? o.callId : undefined;
  const type = String(o.type).slice(0, 40);
  const fail = (reason: string): ParseResult<GatewayToClientFrame> => (callId ? { ok: false, reason, type, callId } : { ok: false, reason, type });
  switch (o.type) {
    case 'call_response': {
      if (!callId) return fail('call_response without a valid callId');
      if (typeof o.success !== 'boolean') return fail('call_response without success flag');
      const f: CallResponseFrame = { type: 'call_response', callId, success: o.success };
      if (o.success) f.result = o.result;
      else f.error = o.error;
      if (o.retryable === true) f.retryable = true;
      return { ok: true, frame: f };
    }
    case 'incoming_call': {
      if (!callId) return fail('incoming_call without a valid callId');
      const cc = o.callContext;
      if (!isRecord(o.chain) || !isRecord(cc) || !Array.isArray(cc.callChain)) return fail('incoming_call without chain or callContext');
      return { ok: true, frame: { type: 'incoming_call', callId, chain: o.chain, callContext: { callChain: cc.callChain, originAuth: cc.originAuth, state: cc.state } } };
    }
    case 'connection_status': {
      if (inner) return fail('connection_status cannot sit inside a batch');
      if (typeof o.subscriptionsLost !== 'boolean') return fail('connection_status without subscriptionsLost');
      const f: ConnectionStatusFrame = { type: 'connection_status', subscriptionsLost: o.subscriptionsLost };
      if (typeof o.resumed === 'boolean') f.resumed = o.resumed;
      if (o.batch === true) f.batch = true;
      if (o.wire === WIRE_VERSION) f.wire = WIRE_VERSION;
      return { ok: true, frame: f };
    }
    case ACK_FRAME_TYPE:
      if (inner) return fail('an ack cannot sit inside a batch');
      return { ok: true, frame: { type: 'ack' } };
    case 'batch': {
      if (inner) return fail('a batch cannot sit inside a batch');
      const list = batchList(o.frames);
      return typeof list === 'string' ? fail(list) : { ok: true, frame: parseBatch(list, (item) => gatewayObject(item, true) as ParseResult<GatewayInnerFrame>) };
    }
    default:
      return fail(`unknown frame type '${type}'`);
  }
}

/**
 * Parses a frame received by the client.
 * @example parseGatewayFrame('{"type":"connection_status","subscriptionsLost":false}')
 */
export function parseGatewayFrame(text: unknown): ParseResult<GatewayToClientFrame> {
  const d = decode(text);
  if (!d.ok) return d;
  const parsed = gatewayObject(d.value, false);
  if (!parsed.ok) return parsed;
  const bad = resumeFields(d.value, parsed.frame);
  return bad ? refusal(bad, parsed.frame) : parsed;
}

/** Builds the resume subprotocol token. `sessionId` must be 8–64 chars of `[A-Za-z0-9-]`. */
export function resumeProtocol(sessionId: string, ack: number): string {
  return `${RESUME_PROTOCOL_PREFIX}${sessionId}.${ack}`;
}

/** Reads `lmz.resume.<sessionId>.<ack>` from a `Sec-WebSocket-Protocol` header value; undefined when absent or malformed. */
export function readResumeProtocol(header: string | null): { sessionId: string; ack: number } | undefined {
  if (!header) return undefined;
  for (const raw of header.split(',')) {
    const token = raw.trim();
    if (!token.startsWith(RESUME_PROTOCOL_PREFIX)) continue;
    const m = /^([A-Za-z0-9-]{8,64})\.(\d{1,15})$/.exec(token.slice(RESUME_PROTOCOL_PREFIX.length));
    if (!m) return undefined;
    return { sessionId: m[1], ack: Number(m[2]) };
  }
  return undefined;
}
