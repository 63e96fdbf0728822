/**
 * Acceptance items 33–41 (spec §3.3, §3.8): functions, Headers, URL, native Request/Response,
 * unsupported built-ins, __proto__ keys, class instances, sparse arrays and 100,000-deep graphs,
 * plus encoding-error paths and propagation (spec §7).
 */
import { describe, expect, it } from 'vitest';
import { parse, preprocess, stringify, StructuredCloneEncodeError } from '../src/index.ts';
import { allTiers, roundTrip, thrown } from './helpers.ts';

describe('functions and Web API objects', () => {
  it('33: a function becomes a marker with its name; an anonymous function gives "anonymous"; the same function twice gives one marker', () => {
    function namedHandler() {}
    const anonymous = [() => 1][0];
    const out = roundTrip({ f: namedHandler, g: anonymous, again: namedHandler });
    expect(out.f).toEqual({ name: 'namedHandler' });
    expect(typeof out.f).toBe('object');
    expect(out.g).toEqual({ name: 'anonymous' });
    expect(out.again).toBe(out.f);
  });

  it('34: Headers with two Set-Cookie lines keeps both; repeated custom header values are both present', () => {
    const headers = new Headers();
    headers.append('Set-Cookie', 'a=1; Path=/');
    headers.append('Set-Cookie', 'b=2; HttpOnly');
    headers.append('X-Multi', 'one');
    headers.append('X-Multi', 'two');
    headers.set('Content-Type', 'application/json');
    for (const out of allTiers(headers)) {
      expect(out).toBeInstanceOf(Headers);
      expect(out.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
      expect(out.get('x-multi')).toBe('one, two');
      expect(out.get('content-type')).toBe('application/json');
    }
  });

  it('35: URL with user, password, port, query and hash keeps every component; a shared URL stays shared', () => {
    const url = new URL('https://user:pa%20ss@example.com:8443/a/b?x=1&y=%C3%A9#frag');
    const out = roundTrip({ url, again: url });
    expect(out.url).toBeInstanceOf(URL);
    expect(out.url.href).toBe(url.href);
    for (const part of ['username', 'password', 'hostname', 'port', 'pathname', 'search', 'hash'] as const) {
      expect(out.url[part]).toBe(url[part]);
    }
    expect(out.again).toBe(out.url);
  });

  it('36: native Request and Response each throw TypeError mentioning the Sync classes', () => {
    const request = thrown(() => stringify({ r: new Request('https://example.com/') }));
    expect(request).toBeInstanceOf(TypeError);
    expect(request.message).toContain('RequestSync');
    expect(request.message).toContain('.r');
    const response = thrown(() => preprocess([new Response('x')]));
    expect(response).toBeInstanceOf(TypeError);
    expect(response.message).toContain('ResponseSync');
    expect((response as StructuredCloneEncodeError).code).toBe('NATIVE_FETCH_OBJECT');
  });

  it('37: Blob, ReadableStream, WeakMap and Promise each throw TypeError naming the type', () => {
    const cases: Array<[string, unknown]> = [
      ['Blob', new Blob(['x'])],
      ['ReadableStream', new ReadableStream()],
      ['WeakMap', new WeakMap()],
      ['Promise', Promise.resolve(1)],
      ['WeakSet', new WeakSet()],
      ['WeakRef', new WeakRef({})],
      ['WritableStream', new WritableStream()],
    ];
    if (typeof File === 'function') cases.push(['File', new File(['x'], 'f.txt')]);
    if (typeof FormData === 'function') cases.push(['FormData', new FormData()]);
    if (typeof MessageChannel === 'function') cases.push(['MessagePort', new MessageChannel().port1]);
    for (const [name, value] of cases) {
      const e = thrown(() => stringify({ holder: [value] }));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toContain(`a ${name}`);
      expect((e as StructuredCloneEncodeError).path).toBe('.holder[0]');
    }
  });
});

describe('objects and arrays', () => {
  it('38: an own __proto__ key decodes as an own key with Object.prototype as prototype; nothing is polluted', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "a": 1}');
    for (const out of allTiers(hostile)) {
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
      expect(Object.keys(out)).toEqual(['__proto__', 'constructor', 'a']);
      expect(out.polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    const text = '{"root":["$lmz",0],"objects":[["object",{"__proto__":["$lmz",1]}],["object",{"polluted":true}]]}';
    const out = parse(text);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('39: a class instance arrives as a plain object with its own enumerable fields; inherited enumerable properties are not copied', () => {
    class Point {
      x = 1;
      y = 2;
      #secret = 3;
      get sum() {
        return this.x + this.y + this.#secret;
      }
    }
    const out = roundTrip(new Point());
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out).toEqual({ x: 1, y: 2 });
    const parent = { inherited: true };
    const child = Object.create(parent) as Record<string, unknown>;
    child.own = 1;
    expect(roundTrip(child)).toEqual({ own: 1 });
    const nullProto = Object.create(null) as Record<string, unknown>;
    nullProto.k = 'v';
    const revived = roundTrip(nullProto);
    expect(Object.getPrototypeOf(revived)).toBe(Object.prototype);
    expect(revived).toEqual({ k: 'v' });
  });

  it('even with Object.prototype polluted elsewhere, inherited enumerable properties are neither copied nor decoded', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.pollutedElsewhere = 'inherited';
    try {
      const text = stringify({ own: 1, nested: { x: 2 } });
      expect(text).not.toContain('pollutedElsewhere');
      const out = parse(text);
      expect(Object.keys(out)).toEqual(['own', 'nested']);
      expect(Object.keys(out.nested)).toEqual(['x']);
    } finally {
      delete proto.pollutedElsewhere;
    }
  });

  it('accessor properties are read once and arrive as data properties', () => {
    let reads = 0;
    const value = {
      get lazy() {
        reads++;
        return 'computed';
      },
    };
    const out = roundTrip(value);
    expect(reads).toBe(1);
    expect(Object.getOwnPropertyDescriptor(out, 'lazy')).toMatchObject({ value: 'computed', writable: true });
  });

  it('40: a sparse array keeps its length; holes read as undefined; non-index properties are not carried', () => {
    const sparse: unknown[] = [1];
    sparse[4] = 5;
    (sparse as unknown as Record<string, unknown>).extra = 'dropped';
    const out = roundTrip(sparse);
    expect(out).toHaveLength(5);
    expect(out[0]).toBe(1);
    expect(out[2]).toBeUndefined();
    expect(out[4]).toBe(5);
    expect((out as unknown as Record<string, unknown>).extra).toBeUndefined();
  });

  it('41: a 100,000-level nested chain of objects and of arrays round-trips without RangeError', () => {
    const depth = 100_000;
    const top: Record<string, unknown> = {};
    let node = top;
    for (let i = 0; i < depth; i++) {
      const next: Record<string, unknown> = {};
      node.child = next;
      node = next;
    }
    node.leaf = true;
    let out = roundTrip(top);
    let levels = 0;
    while (out.child) {
      out = out.child as Record<string, unknown>;
      levels++;
    }
    expect(levels).toBe(depth);
    expect(out.leaf).toBe(true);

    const topArray: unknown[] = [];
    let arr = topArray;
    for (let i = 0; i < depth; i++) {
      const next: unknown[] = [];
      arr.push(next);
      arr = next;
    }
    let outArr = roundTrip(topArray);
    let arrayLevels = 0;
    while (outArr.length) {
      outArr = outArr[0] as unknown[];
      arrayLevels++;
    }
    expect(arrayLevels).toBe(depth);
  });
});

describe('encoding errors (spec §7)', () => {
  it('an encoding error names the path to the offending value and returns nothing partial', () => {
    const e = thrown(() => stringify({ user: { tags: ['a', 'b', Symbol('bad')] } }));
    expect(e).toBeInstanceOf(StructuredCloneEncodeError);
    expect((e as StructuredCloneEncodeError).path).toBe('.user.tags[2]');
    expect(e.message).toContain('.user.tags[2]');
    const deep = thrown(() => stringify({ list: [{ m: new Map([['k', { 'odd key': new WeakSet() }]]) }] }));
    expect((deep as StructuredCloneEncodeError).path).toBe('.list[0].m["odd key"]');
    expect((thrown(() => stringify(Symbol())) as StructuredCloneEncodeError).path).toBe('');
  });

  it('a getter that throws propagates its own error unchanged', () => {
    const failure = new RangeError('getter broke');
    const value = {
      get bad(): never {
        throw failure;
      },
    };
    expect(thrown(() => stringify(value))).toBe(failure);
  });
});
