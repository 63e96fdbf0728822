/**
 * Unwrapping a callee's reply to a node's call. Nodes ask for `$result` as JSON text
 * (`options.resultText`, as the gateway does), so a result crosses Workers RPC as one string instead
 * of an object graph. The text is either a compact-wire payload (`[0, json]` for a plain JSON tree,
 * `[1, intermediate]` otherwise) or a structured-clone intermediate's text; a callee that ignores
 * the option answers with the intermediate itself. Errors always come back as `{ $error }`.
 */
import { decodeCallResult } from '../envelope.ts';

/** Payload tag of a plain JSON tree (no structured-clone table). */
const PLAIN = 0;
/** Payload tag of a structured-clone intermediate. */
const CLONED = 1;

function invalid(why: string): TypeError {
  return new TypeError(`Invalid call result: ${why}`);
}

/**
 * The value of `reply` (`{ $result }`, with `$result` as text or as an intermediate), or throws the
 * reconstructed error of `{ $error }`.
 * @example const value = decodeNodeReply(await stub.__executeOperation(envelope));
 */
export function decodeNodeReply(reply: unknown): unknown {
  const r = reply as { $result?: unknown; $error?: unknown } | null;
  if (typeof r !== 'object' || r === null || r.$error !== undefined || typeof r.$result !== 'string') return decodeCallResult(reply);
  let data: unknown;
  try {
    data = JSON.parse(r.$result);
  } catch {
    throw invalid('$result text is not JSON');
  }
  if (!Array.isArray(data)) return decodeCallResult({ $result: data });
  if (data.length !== 2) throw invalid('$result payload must be [tag, data]');
  if (data[0] === PLAIN) return data[1];
  if (data[0] === CLONED) return decodeCallResult({ $result: data[1] });
  throw invalid(`unknown $result payload tag ${String(JSON.stringify(data[0])).slice(0, 20)}`);
}
