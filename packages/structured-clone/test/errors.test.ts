/**
 * Acceptance items 25–32 (spec §3.7): Error classes, AggregateError, cause chains, custom
 * properties, cycles and aliases through errors, registerErrorClass, and hostile names.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse, postprocess, registerErrorClass, stringify } from '../src/index.ts';
import { allTiers, roundTrip } from './helpers.ts';

describe('errors', () => {
  it('25: Error, TypeError, RangeError, ReferenceError, SyntaxError, URIError and EvalError keep class, name, message and stack', () => {
    const classes = [Error, TypeError, RangeError, ReferenceError, SyntaxError, URIError, EvalError];
    for (const Kind of classes) {
      const original = new Kind(`a ${Kind.name}`);
      for (const out of allTiers(original)) {
        expect(out).toBeInstanceOf(Kind);
        expect(out).toBeInstanceOf(Error);
        expect(Object.getPrototypeOf(out)).toBe(Kind.prototype);
        expect(out.name).toBe(Kind.name);
        expect(out.message).toBe(`a ${Kind.name}`);
        expect(out.stack).toBe(original.stack);
      }
    }
  });

  it('26: AggregateError keeps message and errors', () => {
    const original = new AggregateError([new TypeError('one'), 'two', { three: 3 }], 'several things failed');
    const out = roundTrip(original);
    expect(out).toBeInstanceOf(AggregateError);
    expect(out.message).toBe('several things failed');
    expect(out.errors).toHaveLength(3);
    expect(out.errors[0]).toBeInstanceOf(TypeError);
    expect(out.errors[0].message).toBe('one');
    expect(out.errors.slice(1)).toEqual(['two', { three: 3 }]);
    expect(Object.getOwnPropertyDescriptor(out, 'errors')?.enumerable).toBe(false);
  });

  it('27: a three-level cause chain, a non-Error cause, and an own cause whose value is undefined', () => {
    const root = new RangeError('root');
    const middle = new TypeError('middle', { cause: root });
    const top = new Error('top', { cause: middle });
    const out = roundTrip(top);
    expect(out.cause).toBeInstanceOf(TypeError);
    expect(out.cause.message).toBe('middle');
    expect(out.cause.cause).toBeInstanceOf(RangeError);
    expect(out.cause.cause.message).toBe('root');
    expect('cause' in out.cause.cause).toBe(false);

    const nonError = roundTrip(new Error('x', { cause: { code: 42, at: new Date(1) } }));
    expect(nonError.cause).toEqual({ code: 42, at: new Date(1) });

    const undefinedCause = roundTrip(new Error('x', { cause: undefined }));
    expect(Object.prototype.hasOwnProperty.call(undefinedCause, 'cause')).toBe(true);
    expect(undefinedCause.cause).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(roundTrip(new Error('x')), 'cause')).toBe(false);
  });

  it('28: custom properties (number, nested object, Date, Map) survive; a symbol-valued custom property is skipped', () => {
    const e = new Error('custom') as Error & Record<string, unknown>;
    e.status = 503;
    e.details = { retry: { after: 30 } };
    e.at = new Date(9);
    e.map = new Map([['k', 1]]);
    e.sym = Symbol('skip me');
    Object.defineProperty(e, 'hiddenCode', { value: 'E_HIDDEN', enumerable: false });
    Object.defineProperty(e, 'exploding', {
      get() {
        throw new Error('getter failed');
      },
      enumerable: true,
    });
    const out = roundTrip(e);
    expect(out.status).toBe(503);
    expect(out.details).toEqual({ retry: { after: 30 } });
    expect(out.at).toEqual(new Date(9));
    expect(out.map).toEqual(new Map([['k', 1]]));
    expect(out.hiddenCode).toBe('E_HIDDEN');
    expect('sym' in out).toBe(false);
    expect('exploding' in out).toBe(false);
  });

  it('29: an error whose custom property points back to itself, and two errors sharing one cause', () => {
    const e = new Error('self') as Error & { me?: unknown; list?: unknown[] };
    e.me = e;
    e.list = [e];
    const out = roundTrip(e);
    expect(out.me).toBe(out);
    expect(out.list[0]).toBe(out);

    const cause = new Error('shared cause');
    const pair = roundTrip([new Error('a', { cause }), new Error('b', { cause })]);
    expect(pair[0].cause).toBe(pair[1].cause);
    expect(pair[0].cause.message).toBe('shared cause');
  });

  it('an error without a stack revives without an own stack', () => {
    const e = new Error('no stack');
    delete (e as { stack?: string }).stack;
    Object.defineProperty(e, 'stack', { value: undefined, configurable: true });
    const out = roundTrip(e);
    expect(Object.prototype.hasOwnProperty.call(out, 'stack')).toBe(false);
  });
});

describe('error classes', () => {
  const g = globalThis as Record<string, unknown>;
  const planted: string[] = [];
  afterEach(() => {
    for (const name of planted.splice(0)) delete g[name];
  });

  it('30: a registered custom class revives with instanceof and custom properties, without running its constructor', () => {
    let constructorRuns = 0;
    class QuotaError extends Error {
      readonly limit: number;
      constructor(limit: number) {
        if (typeof limit !== 'number') throw new Error('QuotaError needs a limit');
        super(`over quota ${limit}`);
        constructorRuns++;
        this.name = 'QuotaError';
        this.limit = limit;
      }
    }
    registerErrorClass(QuotaError);
    const original = new QuotaError(10);
    expect(constructorRuns).toBe(1);
    const out = roundTrip({ error: original }).error;
    expect(constructorRuns).toBe(1);
    expect(out).toBeInstanceOf(QuotaError);
    expect(out).toBeInstanceOf(Error);
    expect(out.name).toBe('QuotaError');
    expect(out.limit).toBe(10);
    expect(out.message).toBe('over quota 10');

    // Registered under another name, for instances whose name field differs from the class name.
    class WireError extends Error {
      override name = 'wire-failure';
    }
    registerErrorClass(WireError, 'wire-failure');
    expect(roundTrip(new WireError('w'))).toBeInstanceOf(WireError);
  });

  it('registerErrorClass rejects a constructor that is not an Error class', () => {
    class NotAnError {}
    expect(() => registerErrorClass(NotAnError as unknown as new () => Error)).toThrow(TypeError);
  });

  it('an Error class assigned to globalThis revives without its constructor body running', () => {
    let runs = 0;
    class GlobalAssignedError extends Error {
      constructor() {
        super('from global');
        runs++;
      }
    }
    g.GlobalAssignedError = GlobalAssignedError;
    planted.push('GlobalAssignedError');
    const e = new GlobalAssignedError();
    e.name = 'GlobalAssignedError';
    const out = roundTrip(e);
    expect(out).toBeInstanceOf(GlobalAssignedError);
    expect(runs).toBe(1);
  });

  it('31: an unregistered custom class name revives as plain Error with the original name', () => {
    class UnknownToDecoderError extends Error {
      override name = 'UnknownToDecoderError';
    }
    const out = roundTrip(new UnknownToDecoderError('m'));
    expect(Object.getPrototypeOf(out)).toBe(Error.prototype);
    expect(out.name).toBe('UnknownToDecoderError');
    expect(out.message).toBe('m');
  });

  it('32: hostile error names WebSocket, Function and Proxy revive as plain Error; no other constructor is called', () => {
    let hostileRuns = 0;
    // A global named by the input that is a function but not an Error class: must not be used.
    g.HostileGlobal = function HostileGlobal() {
      hostileRuns++;
    };
    planted.push('HostileGlobal');
    for (const name of ['WebSocket', 'Function', 'Proxy', 'HostileGlobal', 'eval', '__proto__', 'constructor', 'Object']) {
      const data = { root: ['$lmz', 0], objects: [['error', { name, message: 'hostile' }]] };
      const out = postprocess(data);
      expect(Object.getPrototypeOf(out)).toBe(Error.prototype);
      expect(out.name).toBe(name);
      expect(out.message).toBe('hostile');
      expect(parse(JSON.stringify(data)).name).toBe(name);
    }
    expect(hostileRuns).toBe(0);
  });
});

describe('errors in containers', () => {
  it('errors inside Maps and Sets and as a root of stringify all revive', () => {
    const e = new TypeError('in a map');
    const out = roundTrip(new Map([['e', e]]));
    expect(out.get('e')).toBeInstanceOf(TypeError);
    expect(typeof stringify(new Set([e]))).toBe('string');
  });
});
