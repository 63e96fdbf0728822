/** Defaults of `RpcConfig` and the transports (documented in docs/rpc.md#limits). */

/** Default URL prefix of RPC endpoints; its slash-stripped form is the WebSocket message type. */
export const DEFAULT_PREFIX = '/__rpc';
/** Default most operations in one chain (nested chains included, per chain). */
export const DEFAULT_MAX_DEPTH = 50;
/** Default most arguments of one `apply`. */
export const DEFAULT_MAX_ARGS = 100;
/** Default most entries in one batch. */
export const DEFAULT_MAX_BATCH_SIZE = 256;
/** Default most bytes of one HTTP body or WebSocket message (1 MiB). */
export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
/** Default transport timeout per batch, in ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default base URL when no `location` exists (Node, workerd). */
export const DEFAULT_BASE_URL = 'http://localhost:8787';
/** Keep-alive reconnect backoff: first delay and cap, in ms. */
export const RECONNECT_INITIAL_MS = 1_000;
export const RECONNECT_MAX_MS = 30_000;
/** Deepest object graph `__asObject()` walks. */
export const INSPECT_MAX_DEPTH = 8;
/** Deepest result graph flattened for remote functions and class instances. */
export const FLATTEN_MAX_DEPTH = 64;
/** Subprotocol every RPC socket offers and the server answers with. */
export const RPC_SUBPROTOCOL = 'lumenize.rpc';
/** Prefix of the subprotocol carrying the client id. */
export const CLIENT_ID_PROTOCOL_PREFIX = 'lumenize.rpc.clientId.';
/** Message type of server-pushed messages. */
export const DOWNSTREAM_TYPE = '__downstream';
/** Version of the compact wire encoding (docs/rpc.md#wire-format). */
export const WIRE_VERSION = 1;

/** `'/__rpc/'` → `'__rpc'`: the WebSocket message type for a prefix. */
export function prefixType(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}
