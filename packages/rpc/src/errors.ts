/** Error classes of @lumenize/rpc: each has a stable `name` (and `code` where callers branch). */

/** A chain reached a member the access policy refuses (`RPC access denied: <path>`). */
export class RpcAccessDeniedError extends Error {
  override name = 'RpcAccessDeniedError';
  readonly code = 'ACCESS_DENIED';
}

/** A batch was refused as a whole (too many entries, too many bytes, undecodable). */
export class RpcBatchRefusedError extends Error {
  override name = 'RpcBatchRefusedError';
  readonly code: 'BATCH_TOO_LARGE' | 'REQUEST_TOO_LARGE' | 'PARSE_ERROR';
  constructor(code: RpcBatchRefusedError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** A promise whose chain was sent only as a prefix or nested argument, awaited after the flush. */
export class ConsumedByPipeliningError extends Error {
  override name = 'ConsumedByPipeliningError';
  readonly code = 'CONSUMED_BY_PIPELINING';
}

/** A transport problem (timeout, connection failure, close, disposal, HTTP error). */
export class RpcTransportError extends Error {
  override name = 'RpcTransportError';
  readonly code: 'TIMEOUT' | 'CONNECTION_FAILED' | 'CONNECTION_CLOSED' | 'DISCONNECTED' | 'HTTP_ERROR' | 'NO_WEBSOCKET';
  constructor(code: RpcTransportError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** With `transactional: true`, an entry returned a promise: the batch rolled back. */
export class TransactionalBatchError extends Error {
  override name = 'TransactionalBatchError';
  readonly code = 'NOT_SYNCHRONOUS';
}
