/**
 * The one MCP session a session DO holds, in `ctx.storage.kv` (synchronous, survives eviction).
 * The stored shape is versioned and checked on read; a row that does not match is treated as absent.
 */
import type { OriginAuth } from '@lumenize/mesh';

const KEY = 'lmz.mcp.session';

/** A stored session (version 1). */
export interface McpSession {
  v: 1;
  id: string;
  protocolVersion: string;
  /** The verified user that opened the session; every later request must be the same user. */
  userId: string | null;
  claims?: Record<string, unknown>;
  /** Epoch ms after which the session is gone (idle expiry, moved forward by each request). */
  expiresAt: number;
}

function isSession(value: unknown): value is McpSession {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<McpSession>;
  return s.v === 1 && typeof s.id === 'string' && typeof s.protocolVersion === 'string' && (s.userId === null || typeof s.userId === 'string') && typeof s.expiresAt === 'number';
}

export function readSession(kv: SyncKvStorage): McpSession | undefined {
  const value = kv.get(KEY);
  return isSession(value) ? value : undefined;
}

export function writeSession(kv: SyncKvStorage, session: McpSession): void {
  kv.put(KEY, session);
}

export function deleteSession(kv: SyncKvStorage): void {
  kv.delete(KEY);
}

/** The `originAuth` tool calls of this session run with. */
export function originAuthOf(session: McpSession): OriginAuth | undefined {
  if (session.userId === null) return undefined;
  return session.claims ? { userId: session.userId, claims: session.claims } : { userId: session.userId };
}
