/**
 * Acceptance items 42–52 (spec §3.9, backlog §6.2): RequestSync and ResponseSync hold plain data,
 * read identically everywhere (this file runs unchanged in Node, workerd and Chromium, with exact
 * values only), validate at construction, and travel through the codec.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeRequestSync,
  decodeResponseSync,
  encodeRequestSync,
  encodeResponseSync,
  FetchSyncRangeError,
  FetchSyncTypeError,
  parse,
  RequestSync,
  ResponseSync,
  stringify,
  type RequestSyncInit,
} from '../src/index.ts';
import { bytesOf, roundTrip, thrown } from './helpers.ts';

const FULL_INIT: RequestSyncInit = {
  method: 'post',
  headers: { 'content-type': 'application/json', 'x-trace': 'abc', cookie: 'forbidden=kept' },
  body: { hello: 'world' },
  credentials: 'include',
  mode: 'same-origin',
  cache: 'no-store',
  redirect: 'manual',
  referrer: 'https://ref.example/page',
  referrerPolicy: 'no-referrer',
  integrity: 'sha256-abc',
  keepalive: true,
};

function getters(r: RequestSync): Record<string, unknown> {
  return {
    url: r.url,
    method: r.method,
    headers: [...r.headers],
    credentials: r.credentials,
    mode: r.mode,
    cache: r.cache,
    redirect: r.redirect,
    referrer: r.referrer,
    referrerPolicy: r.referrerPolicy,
    integrity: r.integrity,
    keepalive: r.keepalive,
    destination: r.destination,
    signal: r.signal,
  };
}

describe('RequestSync (backlog: plain data)', () => {
  it('42: getters return exactly what was set for a request built with every init field', () => {
    const r = new RequestSync('https://example.com', FULL_INIT);
    expect(getters(r)).toEqual({
      url: 'https://example.com/',
      method: 'POST',
      headers: [
        ['content-type', 'application/json'],
        ['cookie', 'forbidden=kept'],
        ['x-trace', 'abc'],
      ],
      credentials: 'include',
      mode: 'same-origin',
      cache: 'no-store',
      redirect: 'manual',
      referrer: 'https://ref.example/page',
      referrerPolicy: 'no-referrer',
      integrity: 'sha256-abc',
      keepalive: true,
      destination: '',
      signal: undefined,
    });
    expect(r.json()).toEqual({ hello: 'world' });
  });

  it('43: defaults match the Fetch standard exactly when nothing is set', () => {
    expect(getters(new RequestSync('https://example.com/path?q=1'))).toEqual({
      url: 'https://example.com/path?q=1',
      method: 'GET',
      headers: [],
      credentials: 'same-origin',
      mode: 'cors',
      cache: 'default',
      redirect: 'follow',
      referrer: 'about:client',
      referrerPolicy: '',
      integrity: '',
      keepalive: false,
      destination: '',
      signal: undefined,
    });
  });

  it('44: GET or HEAD with a body throws TypeError at construction; a relative URL throws TypeError', () => {
    for (const method of ['GET', 'HEAD', 'get']) {
      const e = thrown(() => new RequestSync('https://example.com/', { method, body: 'x' }));
      expect(e).toBeInstanceOf(TypeError);
      expect(e).toBeInstanceOf(FetchSyncTypeError);
    }
    expect(() => new RequestSync('https://example.com/', { body: 'x' })).toThrow(TypeError);
    for (const url of ['/relative', 'relative', '', 'http://']) expect(() => new RequestSync(url)).toThrow(TypeError);
  });

  it('methods: the six standard ones are upper-cased, others kept, forbidden and non-token ones throw', () => {
    expect(new RequestSync('https://e.com/', { method: 'delete' }).method).toBe('DELETE');
    expect(new RequestSync('https://e.com/', { method: 'patch' }).method).toBe('patch');
    expect(new RequestSync('https://e.com/', { method: 'PROPFIND' }).method).toBe('PROPFIND');
    for (const method of ['CONNECT', 'trace', 'TRACK', 'bad method', '']) {
      expect(() => new RequestSync('https://e.com/', { method })).toThrow(TypeError);
    }
    expect(() => new RequestSync('https://e.com/', { mode: 'navigate' as 'cors' })).toThrow(TypeError);
    expect(() => new RequestSync('https://e.com/', { cache: 'sometimes' as 'default' })).toThrow(TypeError);
  });

  it('a native Request as input throws TypeError pointing to fromRequest', () => {
    const e = thrown(() => new RequestSync(new Request('https://example.com/') as unknown as string));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toContain('fromRequest');
  });

  it('45: body readers for string, object, ArrayBuffer, typed-array and null bodies; formData throws', () => {
    const url = 'https://example.com/';
    const text = new RequestSync(url, { method: 'POST', body: '{"a":1}' });
    expect(text.text()).toBe('{"a":1}');
    expect(text.json()).toEqual({ a: 1 });
    expect(bytesOf(text.arrayBuffer())).toEqual([123, 34, 97, 34, 58, 49, 125]);
    expect(text.bytes()).toEqual(new Uint8Array([123, 34, 97, 34, 58, 49, 125]));

    const body = { nested: [1, 2] };
    const object = new RequestSync(url, { method: 'PUT', body });
    expect(object.json()).toBe(body);
    expect(object.text()).toBe('{"nested":[1,2]}');
    expect(new TextDecoder().decode(object.arrayBuffer())).toBe('{"nested":[1,2]}');

    const buffer = new TextEncoder().encode('"bytes"').buffer as ArrayBuffer;
    const binary = new RequestSync(url, { method: 'POST', body: buffer });
    expect(binary.arrayBuffer()).toBe(buffer);
    expect(binary.text()).toBe('"bytes"');
    expect(binary.json()).toBe('bytes');

    const backing = new Uint8Array([0, 104, 105, 0]);
    const typed = new RequestSync(url, { method: 'POST', body: backing.subarray(1, 3) });
    expect(bytesOf(typed.arrayBuffer())).toEqual([104, 105]);
    expect(typed.arrayBuffer().byteLength).toBe(2);
    backing[1] = 0;
    expect(typed.text()).toBe('hi'); // copied at construction

    const none = new RequestSync(url);
    expect(none.text()).toBe('');
    expect(none.json()).toBeNull();
    expect(none.arrayBuffer().byteLength).toBe(0);
    expect(none.bytes()).toEqual(new Uint8Array(0));

    const typedBlob = new RequestSync(url, { method: 'POST', body: 'blob text', headers: { 'content-type': 'text/plain' } }).blob();
    expect(typedBlob).toBeInstanceOf(Blob);
    expect(typedBlob.size).toBe(9);
    expect(typedBlob.type).toBe('text/plain');
    const e = thrown(() => text.formData());
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/json\(\) or text\(\)/);
  });

  it('clone copies metadata and headers; object bodies are shared by reference', () => {
    const body = { shared: true };
    const r = new RequestSync('https://example.com/', { ...FULL_INIT, body });
    const copy = r.clone();
    expect(getters(copy)).toEqual(getters(r));
    expect(copy.headers).not.toBe(r.headers);
    expect(copy.json()).toBe(body);
  });

  it('46: toRequest yields a native Request whose body text equals text(), even when mode and credentials were set', async () => {
    const r = new RequestSync('https://example.com/api', FULL_INIT);
    const native = r.toRequest();
    expect(native).toBeInstanceOf(Request);
    expect(native.method).toBe('POST');
    expect(native.url).toBe('https://example.com/api');
    expect(native.redirect).toBe('manual');
    expect(native.headers.get('x-trace')).toBe('abc');
    expect(await native.text()).toBe(r.text());

    const objectBody = new RequestSync('https://example.com/api', { method: 'POST', body: { a: [1] } }).toRequest();
    expect(objectBody.headers.get('content-type')).toBe('application/json');
    expect(await objectBody.json()).toEqual({ a: [1] });
    const overridden = r.toRequest({ method: 'PUT' });
    expect(overridden.method).toBe('PUT');
  });

  it('signal is kept for toRequest but never serialized', () => {
    const controller = new AbortController();
    const r = new RequestSync('https://example.com/', { signal: controller.signal });
    expect(r.signal).toBe(controller.signal);
    const native = r.toRequest();
    controller.abort();
    expect(native.signal.aborted).toBe(true);
    expect(roundTrip(r).signal).toBeUndefined();
  });

  it('47: fromRequest stores JSON and text bodies as strings, binary as ArrayBuffer, and rejects a used body', async () => {
    const json = await RequestSync.fromRequest(
      new Request('https://example.com/j', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }),
    );
    expect(json.text()).toBe('{"a":1}');
    expect(json.json()).toEqual({ a: 1 });
    expect(roundTrip(json).text()).toBe('{"a":1}');
    const entryBody = JSON.parse(stringify(json)).objects.find((e: [string]) => e[0] === 'request-sync')[1].body;
    expect(entryBody).toBe('{"a":1}'); // stored as a string, not an object or bytes

    const text = await RequestSync.fromRequest(new Request('https://example.com/t', { method: 'POST', body: 'plain text' }));
    expect(text.text()).toBe('plain text');

    const bytes = new Uint8Array([0, 1, 2, 255]);
    const binary = await RequestSync.fromRequest(
      new Request('https://example.com/b', { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } }),
    );
    expect(binary.arrayBuffer()).toBeInstanceOf(ArrayBuffer);
    expect(bytesOf(binary.arrayBuffer())).toEqual([0, 1, 2, 255]);
    expect(binary.method).toBe('PUT');
    expect(binary.headers.get('content-type')).toBe('application/octet-stream');

    const none = await RequestSync.fromRequest(new Request('https://example.com/n'));
    expect(none.text()).toBe('');
    expect(none.json()).toBeNull();

    const used = new Request('https://example.com/u', { method: 'POST', body: 'x' });
    await used.text();
    await expect(RequestSync.fromRequest(used)).rejects.toThrow(TypeError);

    const response = await ResponseSync.fromResponse(
      new Response('{"ok":true}', { status: 201, statusText: 'Created', headers: { 'content-type': 'application/problem+json' } }),
    );
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Created');
    expect(response.text()).toBe('{"ok":true}');
    expect(response.json()).toEqual({ ok: true });
    const binaryResponse = await ResponseSync.fromResponse(new Response(new Uint8Array([9, 8])));
    expect(bytesOf(binaryResponse.arrayBuffer())).toEqual([9, 8]);
    const usedResponse = new Response('x');
    await usedResponse.text();
    await expect(ResponseSync.fromResponse(usedResponse)).rejects.toThrow(TypeError);
  });
});

describe('ResponseSync', () => {
  it('48: status validation: 199 and 600 throw RangeError; 204 with a body throws TypeError; ok follows status', () => {
    for (const status of [199, 600, 0, 200.5, Number.NaN]) {
      const e = thrown(() => new ResponseSync(null, { status }));
      expect(e).toBeInstanceOf(RangeError);
      expect(e).toBeInstanceOf(FetchSyncRangeError);
    }
    for (const status of [204, 205, 304]) {
      expect(() => new ResponseSync('body', { status })).toThrow(TypeError);
      expect(new ResponseSync(null, { status }).status).toBe(status);
    }
    expect(new ResponseSync(null, { status: 200 }).ok).toBe(true);
    expect(new ResponseSync(null, { status: 299 }).ok).toBe(true);
    expect(new ResponseSync(null, { status: 300 }).ok).toBe(false);
    expect(new ResponseSync(null, { status: 503 }).ok).toBe(false);
  });

  it('defaults, readers, clone and toResponse', async () => {
    const r = new ResponseSync();
    expect({ status: r.status, statusText: r.statusText, url: r.url, redirected: r.redirected, type: r.type, ok: r.ok }).toEqual({
      status: 200,
      statusText: '',
      url: '',
      redirected: false,
      type: 'default',
      ok: true,
    });
    expect(r.text()).toBe('');
    expect(() => r.formData()).toThrow(TypeError);
    const body = { list: [1] };
    const full = new ResponseSync(body, { status: 404, statusText: 'Nope', headers: [['x-a', '1']], url: 'https://e.com/x', redirected: true, type: 'cors' });
    const copy = full.clone();
    expect(copy.json()).toBe(body);
    expect(copy.headers).not.toBe(full.headers);
    expect([copy.status, copy.statusText, copy.url, copy.redirected, copy.type]).toEqual([404, 'Nope', 'https://e.com/x', true, 'cors']);
    const native = full.toResponse();
    expect(native).toBeInstanceOf(Response);
    expect(native.status).toBe(404);
    expect(native.statusText).toBe('Nope');
    expect(native.headers.get('x-a')).toBe('1');
    expect(await native.json()).toEqual(body);
  });
});

describe('RequestSync and ResponseSync through the codec', () => {
  it('49: both round-trip through stringify/parse as instances with headers, non-default fields and bodies; an ArrayBuffer body is byte-exact', () => {
    const request = new RequestSync('https://example.com/submit', FULL_INIT);
    const out = roundTrip(request);
    expect(out).toBeInstanceOf(RequestSync);
    expect(getters(out)).toEqual(getters(request));
    expect(out.json()).toEqual({ hello: 'world' });

    const bytes = new Uint8Array(300).map((_, i) => (i * 7) & 255);
    const response = new ResponseSync(bytes.buffer, { status: 207, statusText: 'Multi', headers: { 'x-r': '1' }, url: 'https://e.com/r', redirected: true, type: 'basic' });
    const outResponse = roundTrip(response);
    expect(outResponse).toBeInstanceOf(ResponseSync);
    expect([outResponse.status, outResponse.statusText, outResponse.url, outResponse.redirected, outResponse.type]).toEqual([207, 'Multi', 'https://e.com/r', true, 'basic']);
    expect(outResponse.headers.get('x-r')).toBe('1');
    expect(bytesOf(outResponse.arrayBuffer())).toEqual(Array.from(bytes));
    expect(roundTrip(new ResponseSync()).text()).toBe('');
  });

  it('50: an object body containing a Date and a cycle round-trips inside a RequestSync', () => {
    const body: Record<string, unknown> = { at: new Date(123), tags: new Set(['x']) };
    body.self = body;
    const out = roundTrip(new RequestSync('https://example.com/', { method: 'POST', body }));
    const revived = out.json() as Record<string, unknown>;
    expect(revived.at).toEqual(new Date(123));
    expect(revived.self).toBe(revived);
    expect(revived.tags).toEqual(new Set(['x']));
  });

  it('51: two RequestSyncs sharing one Headers object still share it after decode', () => {
    const headers = new Headers({ authorization: 'Bearer t' });
    const a = new RequestSync('https://example.com/a', { headers });
    const b = new RequestSync('https://example.com/b', { headers });
    expect(a.headers).toBe(b.headers);
    const [outA, outB] = roundTrip([a, b]);
    expect(outA.headers).toBe(outB.headers);
    expect(outA.headers.get('authorization')).toBe('Bearer t');
  });

  it('52: encodeRequestSync/decodeRequestSync and the response pair round-trip standalone', () => {
    const body = { when: new Date(77), n: 2n };
    const request = new RequestSync('https://example.com/x', { ...FULL_INIT, body });
    const encoded = encodeRequestSync(request);
    expect(Array.isArray(encoded.headers)).toBe(true);
    expect(encoded.body).toHaveProperty('objects');
    const decoded = decodeRequestSync(JSON.parse(JSON.stringify(encoded)));
    expect(decoded).toBeInstanceOf(RequestSync);
    expect(getters(decoded)).toEqual(getters(request));
    expect(decoded.json()).toEqual(body);

    const cookies = new Headers();
    cookies.append('set-cookie', 'a=1');
    cookies.append('set-cookie', 'b=2');
    const response = new ResponseSync('text body', { status: 418, headers: cookies, type: 'opaque' });
    const decodedResponse = decodeResponseSync(JSON.parse(JSON.stringify(encodeResponseSync(response))));
    expect(decodedResponse).toBeInstanceOf(ResponseSync);
    expect(decodedResponse.status).toBe(418);
    expect(decodedResponse.type).toBe('opaque');
    expect(decodedResponse.text()).toBe('text body');
    expect(decodedResponse.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });

  it('request-sync payloads that break the constructor rules throw the constructor\'s error', () => {
    const headersEntry = ['headers', []];
    const bad = (payload: Record<string, unknown>, tag = 'request-sync') => () =>
      parse(JSON.stringify({ root: ['$lmz', 0], objects: [[tag, { headers: ['$lmz', 1], ...payload }], headersEntry] }));
    expect(bad({ url: 'https://e.com/', method: 'GET', body: 'x' })).toThrow(FetchSyncTypeError);
    expect(bad({ url: '/relative', method: 'GET', body: null })).toThrow(FetchSyncTypeError);
    expect(bad({ status: 600, statusText: '', body: null }, 'response-sync')).toThrow(FetchSyncRangeError);
    expect(bad({ status: 204, statusText: '', body: 'x' }, 'response-sync')).toThrow(FetchSyncTypeError);
  });
});
