/** Header names shared by the Worker route and the session DO. */

/** The session header of MCP Streamable HTTP. */
export const SESSION_HEADER = 'Mcp-Session-Id';
/** The protocol version header clients send after initialization. */
export const PROTOCOL_HEADER = 'MCP-Protocol-Version';
/** Set only by `routeMcpRequest` on an `initialize` POST: the id of the session to create. */
export const NEW_SESSION_HEADER = 'X-Lumenize-Mcp-New-Session';
/** A session id as minted by `routeMcpRequest` (a UUID). */
export const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Largest request body accepted (bytes). */
export const MAX_BODY_BYTES = 1024 * 1024;
