/**
 * Reads a request body whole, at most `max` bytes, before a Durable Object sees it. A streamed body
 * that the DO refuses unread (401, 404, 415) would otherwise still be streaming when the response
 * leaves, and the runtime fails that stream ("Can't read from request stream after response has
 * been sent"). Routers whose messages are small (MCP, RPC batches) buffer them with this.
 */

/** The body as bytes, or `undefined` when it is larger than `max` (reading stops there). */
export async function readCappedBody(request: Request, max: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array();
  const declared = Number(request.headers.get('Content-Length') ?? NaN);
  if (declared > max) {
    await request.body.cancel().catch(() => {});
    return undefined;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) (out.set(c, at), (at += c.byteLength));
  return out;
}
