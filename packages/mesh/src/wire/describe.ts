/**
 * The documented decoder of the compact wire, for people (docs/mesh-clients.md "Wire format",
 * "Reading frames"): one frame's text in, a plain object with long names out. Used by the
 * `lmz.mesh.*` debug logs; never on the protocol path (it trusts nothing and throws nothing).
 */
import { postprocessLoaded } from '@lumenize/structured-clone';
import { decodeCompactChain } from './chain.ts';
import { decodePayload, type WireIntermediate } from './payload.ts';

const decode = (data: WireIntermediate): unknown => postprocessLoaded(data as never);

function attempt(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    return { invalid: e instanceof Error ? e.message : String(e) };
  }
}

function describeObject(o: Record<string, unknown>, inside?: 'c' | 'r'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  switch (o.t ?? (o.type === undefined ? inside : undefined)) {
    case 'c': {
      out.type = 'call';
      out.callId = String(o.i);
      const d = o.d;
      out.target = Array.isArray(d) ? { id: d[0], binding: d[1], ...(d.length > 2 ? { instance: d[2] } : {}) } : { id: d };
      out.chain = attempt(() => decodeCompactChain(o.o !== undefined ? [0, o.o] : o.c, o.b === 1, decode));
      if (o.b === 1) out.batch = true;
      break;
    }
    case 'r':
      out.type = 'call_response';
      out.callId = String(o.i);
      if (o.e !== undefined) out.error = attempt(() => decodePayload([1, o.e], decode));
      else if (o.r !== undefined) out.result = attempt(() => decodePayload([1, o.r], decode));
      else out.result = o.j;
      if (o.x === 1) out.retryable = true;
      break;
    case 'a':
      out.type = 'ack';
      break;
    case 'b': {
      // Inner frames of a compact batch drop their type: calls from clients, responses from gateways.
      const frames = Array.isArray(o.f) ? (o.f as unknown[]) : [];
      const kind = frames.some((f) => typeof f === 'object' && f !== null && ('o' in f || 'c' in f || 'd' in f)) ? 'c' : 'r';
      out.type = 'batch';
      out.frames = frames.map((f) => (typeof f === 'object' && f !== null ? describeObject(f as Record<string, unknown>, kind) : f));
      if (o.seq !== undefined) out.seq = o.seq;
      if (o.ack !== undefined) out.ack = o.ack;
      break;
    }
    default:
      if (o.t !== undefined) return { invalid: `unknown compact frame type ${JSON.stringify(o.t)}` };
      // Version 1 (and the resume and batch layer): already long names; a batch's inner frames are described too.
      Object.assign(out, o);
      if (Array.isArray(o.frames)) out.frames = o.frames.map((f) => (typeof f === 'object' && f !== null ? describeObject(f as Record<string, unknown>) : f));
      return out;
  }
  if (o.s !== undefined) out.seq = o.s;
  if (o.a !== undefined) out.ack = o.a;
  return out;
}

/**
 * Decodes one frame's text (either direction, either wire version) into a readable object:
 * compact names spelled out, chains as operations, payloads as values.
 * @example describeWireFrame('{"t":"r","i":7,"r":[0,3]}') // { type: 'call_response', callId: '7', result: 3 }
 */
export function describeWireFrame(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { invalid: 'frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { invalid: 'frame is not a JSON object' };
  return describeObject(value as Record<string, unknown>);
}
