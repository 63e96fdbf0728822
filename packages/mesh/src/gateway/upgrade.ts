/**
 * Validation of a WebSocket upgrade arriving at LumenizeClientGateway (mesh spec §4.11): the
 * request must be an upgrade, carry the verified-auth headers set by middleware, and name an
 * instance `{userId}.{tabId}` whose user part is the verified user. Pure function; the gateway
 * turns the result into a 101 or an error response.
 */
import { BATCH_PROTOCOL, readResumeProtocol } from '../client/frames.ts';
import { WIRE_PROTOCOL } from '../wire/frames.ts';
import { DEFAULT_GATEWAY_BINDING } from '../client/config.ts';

/** Verified facts about a connection, taken only from middleware-set headers. */
export interface VerifiedConnection {
  userId: string;
  claims?: Record<string, unknown>;
  /** Token expiry, seconds since the epoch. */
  tokenExp?: number;
  instanceName: string;
  bindingName: string;
  /** Resume extension offer from the client's subprotocols, if any. */
  resume?: { sessionId: string; ack: number };
  /** The client offered `batch` frames ({@link BATCH_PROTOCOL}). */
  batch?: boolean;
  /** The client offered the compact wire ({@link WIRE_PROTOCOL}). */
  wire?: boolean;
}

/** Why an upgrade was refused: HTTP status and plain-text body. */
export interface UpgradeRefusal {
  status: number;
  message: string;
}

/**
 * Checks an upgrade request. Returns the verified connection or a refusal
 * (426 / 401 / 403 / 403 / 403 / 400 as in mesh spec §10).
 * @example const v = validateUpgrade(request); if ('status' in v) return new Response(v.message, { status: v.status });
 */
export function validateUpgrade(request: Request): VerifiedConnection | UpgradeRefusal {
  if ((request.headers.get('Upgrade') ?? '').toLowerCase() !== 'websocket') {
    return { status: 426, message: 'Expected Upgrade: websocket' };
  }
  const userId = request.headers.get('X-Auth-User-Id');
  if (!userId) return { status: 401, message: 'Unauthorized: missing verified user (X-Auth-User-Id)' };
  const instanceName = request.headers.get('X-Lumenize-DO-Instance-Name-Or-Id');
  if (!instanceName) return { status: 403, message: 'Forbidden: missing instance name (X-Lumenize-DO-Instance-Name-Or-Id)' };
  const dot = instanceName.indexOf('.');
  if (dot <= 0 || dot === instanceName.length - 1) {
    return { status: 403, message: `Forbidden: invalid instance name '${instanceName}', expected userId.tabId` };
  }
  if (instanceName.slice(0, dot) !== userId) {
    return { status: 403, message: 'Forbidden: identity mismatch between the verified user and the instance name' };
  }
  const out: VerifiedConnection = {
    userId,
    instanceName,
    bindingName: request.headers.get('X-Lumenize-DO-Binding-Name') || DEFAULT_GATEWAY_BINDING,
  };
  const claimsHeader = request.headers.get('X-Auth-Claims');
  if (claimsHeader !== null) {
    let claims: unknown;
    try {
      claims = JSON.parse(claimsHeader);
    } catch {
      return { status: 400, message: 'Bad Request: X-Auth-Claims is not valid JSON' };
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
      return { status: 400, message: 'Bad Request: X-Auth-Claims must be a JSON object' };
    }
    out.claims = claims as Record<string, unknown>;
  }
  const expHeader = request.headers.get('X-Auth-Token-Exp');
  if (expHeader !== null) {
    const exp = Number(expHeader);
    if (expHeader.trim() === '' || !Number.isFinite(exp)) {
      return { status: 400, message: 'Bad Request: X-Auth-Token-Exp must be a number of seconds' };
    }
    out.tokenExp = exp;
  }
  const protocols = request.headers.get('Sec-WebSocket-Protocol');
  const resume = readResumeProtocol(protocols);
  if (resume) out.resume = resume;
  if (protocols?.split(',').some((p) => p.trim() === BATCH_PROTOCOL)) out.batch = true;
  if (protocols?.split(',').some((p) => p.trim() === WIRE_PROTOCOL)) out.wire = true;
  return out;
}
