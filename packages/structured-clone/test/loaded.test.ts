/**
 * `postprocessLoaded`: the same values as `postprocess` while RequestSync/ResponseSync are loaded
 * (always so here: the package entry loads both); malformed input fails exactly as in
 * `postprocess`. What a bundle without the classes does is measured by bench/rpc (bundle rows).
 */
import { describe, expect, it } from 'vitest';
import { FetchSyncTypeError, postprocess, postprocessLoaded, preprocess, RequestSync, ResponseSync, StructuredCloneDecodeError } from '../src/index.ts';
import { decode } from '../src/decode.ts';
import { thrown } from './helpers.ts';

describe('postprocessLoaded', () => {
  it('decodes rich data equal to postprocess', () => {
    const value = { when: new Date(0), tags: new Set(['a']), m: new Map([[1, { n: 2n }]]), h: new Headers({ a: 'b' }), e: new RangeError('r') };
    expect(postprocessLoaded(preprocess(value))).toEqual(postprocess(preprocess(value)));
  });

  it('revives RequestSync and ResponseSync with full fidelity, aliases kept', () => {
    const req = new RequestSync('https://example.com/a?b=1', { method: 'POST', headers: { 'x-a': '1' }, body: { id: 1 }, credentials: 'include' });
    const res = new ResponseSync('hi', { status: 201, statusText: 'Created', headers: { 'content-type': 'text/plain' }, url: 'https://example.com/r' });
    const out = postprocessLoaded(preprocess({ req, res, again: req }));
    expect(out.req).toBeInstanceOf(RequestSync);
    expect(out.res).toBeInstanceOf(ResponseSync);
    expect(out.again).toBe(out.req);
    expect([out.req.url, out.req.method, out.req.credentials, out.req.headers.get('x-a'), out.req.json()]).toEqual(['https://example.com/a?b=1', 'POST', 'include', '1', { id: 1 }]);
    expect([out.res.status, out.res.statusText, out.res.url, out.res.text(), out.res.headers.get('content-type')]).toEqual([201, 'Created', 'https://example.com/r', 'hi', 'text/plain']);
  });

  it('encodes RequestSync/ResponseSync exactly as before the seam (wire order and defaults omitted)', () => {
    const data = preprocess([new RequestSync('https://example.com/', { method: 'PUT', body: 'x', mode: 'no-cors' }), new ResponseSync(null, { status: 204 })]);
    expect(data.objects.map((e) => (e as [string, Record<string, unknown>])[0])).toContain('request-sync');
    const req = data.objects.find((e) => (e as [string])[0] === 'request-sync') as [string, Record<string, unknown>];
    const res = data.objects.find((e) => (e as [string])[0] === 'response-sync') as [string, Record<string, unknown>];
    expect(Object.keys(req[1])).toEqual(['url', 'method', 'headers', 'body', 'mode']);
    expect(Object.keys(res[1])).toEqual(['status', 'statusText', 'headers', 'body']);
  });

  it('malformed input throws the same StructuredCloneDecodeError as postprocess', () => {
    const bad = { root: ['$lmz', 3], objects: [] };
    const e = thrown(() => postprocessLoaded(bad));
    expect(e).toBeInstanceOf(StructuredCloneDecodeError);
    expect((e as StructuredCloneDecodeError).code).toBe('BAD_REFERENCE');
    expect(e.message).toBe(thrown(() => postprocess(bad)).message);
  });

  it('a request-sync entry with a refused method fails like postprocess (FetchSyncTypeError)', () => {
    const data = preprocess(new RequestSync('https://example.com/'));
    (data.objects[0] as [string, Record<string, unknown>])[1].method = 'TRACE';
    const expected = thrown(() => postprocess(data));
    expect(expected).toBeInstanceOf(FetchSyncTypeError);
    expect(thrown(() => postprocessLoaded(data)).message).toBe(expected.message);
  });

  it('without a loaded class (a bundle that never names it), its entry fails with NOT_LOADED naming the class to import', () => {
    for (const [value, name] of [[new RequestSync('https://example.com/'), 'RequestSync'], [new ResponseSync('x'), 'ResponseSync']] as const) {
      const e = thrown(() => decode(preprocess({ v: value }), false, {}));
      expect(e).toBeInstanceOf(StructuredCloneDecodeError);
      expect((e as StructuredCloneDecodeError).code).toBe('NOT_LOADED');
      expect(e.message).toContain(`import { ${name} } from '@lumenize/structured-clone'`);
    }
  });

  it('an object that merely inherits RequestSync.prototype encodes as a plain object', () => {
    expect(preprocess(Object.create(RequestSync.prototype) as object).objects[0]).toEqual(['object', {}]);
    expect(preprocess(Object.create(ResponseSync.prototype) as object).objects[0]).toEqual(['object', {}]);
  });
});
