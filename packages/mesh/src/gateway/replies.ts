/**
 * Small pure helpers the gateway uses to build client frames and to check replies before any of
 * them reaches a client (mesh spec §4.11): nothing here touches storage or sockets' state.
 */
import type { DebugLogger } from '@lumenize/debug';
import { isSerializedValue } from '../client/frames.ts';
import { ClientDisconnectedError } from '../errors.ts';
import { encodeError } from '../envelope.ts';
import type { CallResult, TextCallResult } from '../protocol.ts';
import { intermediateTextProblem, InvalidPeerResultError, payloadText } from './intermediate-text.ts';

/** Sends when the socket still takes frames; false otherwise (the frame stays owed, or is logged by the caller). */
export function safeSend(ws: WebSocket, text: string): boolean {
  try {
    ws.send(text);
    return true;
  } catch {
    return false;
  }
}

/** Appends `"result":<resultText>` to a JSON object's text (unchanged without resultText). */
export function withResult(objectText: string, resultText: string | undefined): string {
  return resultText === undefined ? objectText : `${objectText.slice(0, -1)},"result":${resultText}}`;
}

/**
 * A callee's reply, checked before any of it reaches a client frame: `$result` as text must be
 * exactly one compact-wire payload (`[0,json]`, `[1,intermediate]`) or one intermediate's JSON
 * (older callees, client answers), as a value an intermediate; `$error` an intermediate. Returns
 * the reply, or what is wrong with it.
 */
export function checkReply(result: CallResult | TextCallResult, binding: string): CallResult | TextCallResult | string {
  const from = `The callee '${binding}' answered with an invalid`;
  if (result.$error !== undefined) return isSerializedValue(result.$error) ? result : `${from} error (not a serialized value); the call may have run`;
  const value: unknown = result.$result;
  if (typeof value === 'string') {
    const payload = value.trimStart().startsWith('[') ? payloadText(value) : undefined;
    const problem = payload ? ('problem' in payload ? payload.problem : undefined) : intermediateTextProblem(value);
    return problem === undefined ? result : `${from} result (${problem}); the call may have run`;
  }
  return isSerializedValue(value) ? result : `${from} result (not a serialized value); the call may have run`;
}

/** A client's answer that cannot be forwarded: logged, and the caller gets a clear error instead. */
export function invalidAnswer(log: DebugLogger, instanceName: string, callId: string, problem: string): CallResult {
  const message = `Client '${instanceName}' sent an invalid answer to call ${callId}: ${problem}`;
  log.warn('invalid incoming_call_response answered as an error', { callId, instanceName, problem });
  return encodeError(new InvalidPeerResultError(message));
}

/** A `call_response` frame object failing `callId` with `error`. */
export function errorResponse(callId: string, error: Error): Record<string, unknown> {
  return { type: 'call_response', callId, success: false, error: encodeError(error).$error };
}

/** The answer a mesh caller gets when the client is gone. */
export function disconnected(message: string, clientInstanceName: string): CallResult {
  return encodeError(new ClientDisconnectedError(message, clientInstanceName));
}
