/**
 * The text of a `call_response` in the form the client's session speaks (docs/mesh-clients.md
 * "Wire format"): version 2 `{"t":"r","i":7,"j":2}` or version 1
 * `{"type":"call_response","callId":"7","success":true,"result":{…}}`. A callee's result text (a
 * payload, or an older callee's intermediate) was proven by checkReply, so it is spliced, never
 * parsed, except to rebuild a plain payload as an intermediate for a version-1 client.
 */
import { preprocess } from '@lumenize/structured-clone';
import { payloadText } from './intermediate-text.ts';
import { withResult } from './replies.ts';

const CALL_ID = /^[1-9][0-9]{0,15}$/;

/**
 * A response object (`errorResponse`-shaped: callId, success, result | error, retryable?) and an
 * optional checked result text, as frame text. `wire` is the session's compact-wire version (or 1).
 * @example responseBody({ type: 'call_response', callId: '7', success: true }, '[0,2]', 2) // '{"t":"r","i":7,"j":2}'
 */
export function responseBody(response: Record<string, unknown>, resultText: string | undefined, wire: number): string {
  return responseFrame(response, resultText, wire).body;
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * {@link responseBody}, with the body's UTF-8 size when it is known without reading the body again:
 * a version-2 answer spliced from an ASCII result text (the callee's flat text is tested, not the
 * body just assembled around it, which would first be copied into one string).
 */
export function responseFrame(response: Record<string, unknown>, resultText: string | undefined, wire: number): { body: string; bytes?: number; rest?: string } {
  const callId = String(response.callId);
  const payload = resultText !== undefined && resultText.trimStart().startsWith('[') ? payloadText(resultText) : undefined;
  if (wire === 2 && CALL_ID.test(callId) && Number.isSafeInteger(Number(callId))) {
    // Built as `{"t":"r",` + rest: a batch takes `rest` as it is (compactBatchFrame).
    let body = `"i":${callId}`;
    let spliced = false;
    if (response.success === false) body += `,"e":${JSON.stringify(response.error)}`;
    else if (resultText === undefined) body += `,"r":${JSON.stringify(response.result)}`;
    else if (payload && !('problem' in payload)) {
      body += `,"${payload.tag === 0 ? 'j' : 'r'}":${payload.data}`;
      spliced = true;
    } else {
      body += `,"r":${resultText}`;
      spliced = true;
    }
    const rest = `${body}${response.retryable === true ? ',"x":1' : ''}}`;
    const full = `{"t":"r",${rest}`;
    // Everything around the spliced text is ASCII (digits, member names, punctuation).
    return spliced && ASCII.test(resultText!) ? { body: full, bytes: full.length, rest } : { body: full, rest };
  }
  if (!payload || 'problem' in payload) return { body: withResult(JSON.stringify(response), resultText) };
  // A version-1 client reads intermediates only.
  const text = payload.tag === 1 ? payload.data : JSON.stringify(preprocess(JSON.parse(payload.data)));
  return { body: withResult(JSON.stringify(response), text) };
}
