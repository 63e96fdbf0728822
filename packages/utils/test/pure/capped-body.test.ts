/** readCappedBody: whole bodies under the cap, `undefined` past it (declared or streamed), reading stops there. */
import { describe, expect, it } from 'vitest';
import { readCappedBody } from '../../src/index.ts';

function streamed(chunks: number[], onPull: () => void): Request {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      onPull();
      if (i === chunks.length) return controller.close();
      controller.enqueue(new Uint8Array(chunks[i++]).fill(7));
    },
  });
  return new Request('https://x.test/', { method: 'POST', body, duplex: 'half' } as RequestInit);
}

describe('readCappedBody', () => {
  it('returns the whole body, and an empty one for a request without a body', async () => {
    expect(new TextDecoder().decode(await readCappedBody(new Request('https://x.test/', { method: 'POST', body: 'hello' }), 5))).toBe('hello');
    expect((await readCappedBody(new Request('https://x.test/'), 5))?.byteLength).toBe(0);
  });
  it('refuses a declared Content-Length over the cap without reading (the real body would fit)', async () => {
    const req = streamed([5], () => {});
    const declared = new Request(req, { headers: { 'Content-Length': '11' } });
    expect(await readCappedBody(declared, 10)).toBeUndefined();
  });
  it('stops reading a streamed body as soon as it passes the cap', async () => {
    let pulls = 0;
    const req = streamed([4, 4, 4, 4, 4, 4], () => pulls++);
    expect(await readCappedBody(req, 10)).toBeUndefined();
    expect(pulls).toBeLessThan(6);
    expect((await readCappedBody(streamed([4, 4, 2], () => {}), 10))?.byteLength).toBe(10);
  });
});
