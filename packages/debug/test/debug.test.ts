/**
 * Portable acceptance tests for @lumenize/debug (spec/debug.md §9). This file runs unchanged in
 * Node and inside workerd; Node-only and Durable Object items live in their own files.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debug, type DebugLogOutput } from '../src/index.ts';

type ProcessLike = { env: Record<string, string | undefined> };
const g = globalThis as { process?: ProcessLike; localStorage?: unknown };

let records: DebugLogOutput[];
const spy = (r: DebugLogOutput) => records.push(r);

/** Runs `fn` with `process.env.DEBUG` set, installing a stand-in `process` where the runtime has none. */
function withProcessDebug(value: string | undefined, fn: () => void): void {
  const hadProcess = 'process' in globalThis;
  const proc = (g.process ??= { env: {} });
  const before = proc.env.DEBUG;
  if (value === undefined) delete proc.env.DEBUG;
  else proc.env.DEBUG = value;
  try {
    fn();
  } finally {
    if (before === undefined) delete proc.env.DEBUG;
    else proc.env.DEBUG = before;
    if (!hadProcess) delete g.process;
  }
}

function levelsFor(namespace: string): string[] {
  const log = debug(namespace);
  records = [];
  log.debug('d');
  log.info('i');
  log.warn('w');
  return records.map((r) => r.level);
}

beforeEach(() => {
  records = [];
  debug.reset();
  debug.setOutput(spy);
});
afterEach(() => debug.reset());

describe('namespaces and defaults', () => {
  it('1: debug("A.b") returns a logger whose namespace is A.b', () => {
    expect(debug('A.b').namespace).toBe('A.b');
  });

  it('2: with nothing configured, enabled is false and debug/info/warn are silent', () => {
    debug.configure();
    const log = debug('A');
    expect(log.enabled).toBe(false);
    log.debug('x');
    log.info('x');
    log.warn('x');
    expect(records).toEqual([]);
  });

  it('3: with nothing configured, error still produces an error record', () => {
    debug.configure();
    debug('A').error('boom');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: 'error', namespace: 'A', message: 'boom' });
  });
});

describe('filter grammar', () => {
  it('4: DEBUG=A enables A and A.b.c, not AB or B', () => {
    debug.configure({ DEBUG: 'A' });
    expect(debug('A').enabled).toBe(true);
    expect(debug('A.b.c').enabled).toBe(true);
    expect(debug('AB').enabled).toBe(false);
    expect(debug('B').enabled).toBe(false);
  });

  it('5: DEBUG=* enables every namespace at every level', () => {
    debug.configure({ DEBUG: '*' });
    expect(levelsFor('anything.at.all')).toEqual(['debug', 'info', 'warn']);
    expect(levelsFor('x')).toEqual(['debug', 'info', 'warn']);
  });

  it('6: A:warn gives only warn (plus error); A:info gives info and warn', () => {
    debug.configure({ DEBUG: 'A:warn' });
    expect(levelsFor('A')).toEqual(['warn']);
    debug('A').error('e');
    expect(records.map((r) => r.level)).toEqual(['warn', 'error']);
    debug.configure({ DEBUG: 'A:info' });
    expect(levelsFor('A')).toEqual(['info', 'warn']);
  });

  it('7: A,-A.noisy enables A.x but not A.noisy or A.noisy.deep, in either order', () => {
    for (const value of ['A,-A.noisy', '-A.noisy,A']) {
      debug.configure({ DEBUG: value });
      expect(debug('A.x').enabled).toBe(true);
      expect(debug('A.noisy').enabled).toBe(false);
      expect(debug('A.noisy.deep').enabled).toBe(false);
    }
  });

  it('8: A,-A:warn keeps debug and info for A but drops warn', () => {
    debug.configure({ DEBUG: 'A,-A:warn' });
    expect(levelsFor('A')).toEqual(['debug', 'info']);
  });

  it('9: lmz.*.Client matches lmz.rpc.Client not lmz.rpc.Server; *.fetch matches X.fetch', () => {
    debug.configure({ DEBUG: 'lmz.*.Client' });
    expect(debug('lmz.rpc.Client').enabled).toBe(true);
    expect(debug('lmz.rpc.Server').enabled).toBe(false);
    debug.configure({ DEBUG: '*.fetch' });
    expect(debug('X.fetch').enabled).toBe(true);
    expect(debug('X.alarm').enabled).toBe(false);
    debug.configure({ DEBUG: 'A.*' });
    expect(debug('A').enabled).toBe(true);
    expect(debug('A.b.c').enabled).toBe(true);
    expect(debug('AB').enabled).toBe(false);
  });

  it('10: an unknown suffix (A:warning) enables nothing for A', () => {
    debug.configure({ DEBUG: 'A:warning' });
    expect(debug('A').enabled).toBe(false);
    expect(levelsFor('A')).toEqual([]);
  });

  it('11: spaces, commas and both separate tokens equally; empty tokens and a lone - are ignored', () => {
    const results = ['A B', 'A,B', 'A, B', ' ,A,, ,B, - ,'].map((value) => {
      debug.configure({ DEBUG: value });
      return [debug('A').enabled, debug('B').enabled, debug('C').enabled];
    });
    for (const r of results) expect(r).toEqual([true, true, false]);
  });

  it('12: matching is case-sensitive', () => {
    debug.configure({ DEBUG: 'a' });
    expect(debug('A').enabled).toBe(false);
    expect(debug('a').enabled).toBe(true);
  });

  it('hostile DEBUG values only toggle logging and match in linear time', () => {
    debug.configure({ DEBUG: '*'.repeat(10_000) + 'x' + ',-' + 'a*'.repeat(5_000) });
    expect(debug('a'.repeat(10_000)).enabled).toBe(false);
    expect(debug('yx').enabled).toBe(true);
  });
});

describe('configuration sources', () => {
  it('13: a logger created before configure() follows the change without being recreated', () => {
    debug.configure();
    const early = debug('A.early');
    early.info('silent');
    debug.configure({ DEBUG: 'A' });
    early.info('heard');
    expect(records.map((r) => r.message)).toEqual(['heard']);
  });

  it('14: reset() returns to auto-detection and the default console sink', () => {
    debug.configure({ DEBUG: 'A' });
    debug.reset();
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    withProcessDebug(undefined, () => {
      debug.reset();
      const log = debug('A');
      expect(log.enabled).toBe(false);
      debug.configure({ DEBUG: 'A' });
      log.info('to console');
    });
    expect(records).toEqual([]);
    expect(info).toHaveBeenCalledTimes(1);
    info.mockRestore();
  });

  it('16: explicit configure wins over process.env.DEBUG', () => {
    withProcessDebug('B', () => {
      debug.reset();
      debug.setOutput(spy);
      expect(debug('B').enabled).toBe(true);
      debug.configure({ DEBUG: 'A' });
      expect(debug('B').enabled).toBe(false);
      expect(debug('A').enabled).toBe(true);
    });
  });

  it('17: localStorage DEBUG=A enables A; a throwing localStorage counts as unset', () => {
    const had = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
    const install = (value: unknown) => Object.defineProperty(globalThis, 'localStorage', { value, configurable: true, writable: true });
    try {
      withProcessDebug(undefined, () => {
        const hadProcess = g.process;
        delete g.process;
        try {
          install({ getItem: (k: string) => (k === 'DEBUG' ? 'A' : null) });
          debug.reset();
          expect(debug('A').enabled).toBe(true);
          install({ getItem: () => { throw new Error('SecurityError'); } });
          debug.reset();
          expect(debug('A').enabled).toBe(false);
        } finally {
          g.process = hadProcess;
        }
      });
    } finally {
      if (had) Object.defineProperty(globalThis, 'localStorage', had);
      else delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });

  it('18: configure() with no argument disables filtered levels even with process.env.DEBUG set', () => {
    withProcessDebug('*', () => {
      debug.reset();
      debug.setOutput(spy);
      expect(debug('A').enabled).toBe(true);
      debug.configure();
      expect(debug('A').enabled).toBe(false);
      debug.configure({ DEBUG: 42 });
      expect(debug('A').enabled).toBe(false);
    });
  });

  it('19: debug(doLikeObject) configures from env and returns a factory; without env it still returns one', () => {
    const factory = debug({ env: { DEBUG: 'MyDO' } });
    expect(typeof factory).toBe('function');
    const log = factory('MyDO.fetch');
    log.info('hi');
    expect(records[0]).toMatchObject({ namespace: 'MyDO.fetch', level: 'info', message: 'hi' });
    const bare = debug({});
    expect(bare('Other').namespace).toBe('Other');
    debug.configure({ DEBUG: 'Other' });
    expect(bare('Other').enabled).toBe(true);
  });
});

describe('records', () => {
  it('21: a record has exactly type, level, namespace, message, timestamp (+ data only when given)', () => {
    debug.configure({ DEBUG: 'A' });
    const log = debug('A');
    log.info('no data');
    log.info('with data', { n: 1 });
    log.info('explicit undefined', undefined);
    expect(Object.keys(records[0]).sort()).toEqual(['level', 'message', 'namespace', 'timestamp', 'type']);
    expect(Object.keys(records[1]).sort()).toEqual(['data', 'level', 'message', 'namespace', 'timestamp', 'type']);
    expect(records[1].data).toEqual({ n: 1 });
    expect('data' in records[2]).toBe(true);
    expect(records[0].type).toBe('debug');
    expect(new Date(records[0].timestamp).toISOString()).toBe(records[0].timestamp);
  });

  it('22: caller data with level/namespace keys stays nested under data', () => {
    debug.configure({ DEBUG: 'A' });
    debug('A').warn('m', { level: 'x', namespace: 'y' });
    expect(records[0]).toMatchObject({ level: 'warn', namespace: 'A', data: { level: 'x', namespace: 'y' } });
  });

  it('23: the default sink calls console.<level> with one single-line JSON string', () => {
    debug.setOutput();
    debug.configure({ DEBUG: '*' });
    const methods = ['debug', 'info', 'warn', 'error'] as const;
    const spies = methods.map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    try {
      const log = debug('A');
      for (const m of methods) log[m](`via ${m}`, { nested: { deep: [1, 2] } });
      methods.forEach((m, i) => {
        expect(spies[i]).toHaveBeenCalledTimes(1);
        const [line] = spies[i].mock.calls[0] as [string];
        expect(typeof line).toBe('string');
        expect(line).not.toContain('\n');
        expect(JSON.parse(line)).toMatchObject({ type: 'debug', level: m, namespace: 'A', message: `via ${m}` });
      });
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  });

  it('24: setOutput(spy) gets record objects; setOutput() restores console; a throwing sink is swallowed', () => {
    debug.configure({ DEBUG: 'A' });
    debug('A').info('obj');
    expect(records[0]).toBeTypeOf('object');
    debug.setOutput(() => {
      throw new Error('sink down');
    });
    expect(() => debug('A').info('still fine')).not.toThrow();
    debug.setOutput();
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    debug('A').info('back to console');
    expect(info).toHaveBeenCalledTimes(1);
    info.mockRestore();
  });

  it('25: a self-cycle renders [Circular]; a twice-referenced object renders fully twice', () => {
    debug.configure({ DEBUG: 'A' });
    const cyclic: Record<string, unknown> = { name: 'root' };
    cyclic.self = cyclic;
    const shared = { v: 1 };
    debug('A').info('m', { cyclic, a: shared, b: shared });
    expect(records[0].data).toEqual({ cyclic: { name: 'root', self: '[Circular]' }, a: { v: 1 }, b: { v: 1 } });
  });

  it('26: BigInt renders "123n"; Error renders name/message/stack (+cause); Map renders pairs', () => {
    debug.configure({ DEBUG: 'A' });
    const err = new TypeError('bad', { cause: new Error('root cause') });
    const when = new Date('2026-01-02T03:04:05.000Z');
    debug('A').info('m', {
      big: 123n,
      err,
      map: new Map<unknown, unknown>([['k', 1], [2, 'v']]),
      set: new Set([1, 2]),
      when,
      fn: function named() {},
      sym: Symbol('s'),
      gone: undefined,
    });
    const data = records[0].data as Record<string, unknown>;
    expect(data.big).toBe('123n');
    expect(data.err).toMatchObject({ name: 'TypeError', message: 'bad', stack: err.stack, cause: { name: 'Error', message: 'root cause' } });
    expect(data.map).toEqual([['k', 1], [2, 'v']]);
    expect(data.set).toEqual([1, 2]);
    expect(data.when).toBe('2026-01-02T03:04:05.000Z');
    expect(data.fn).toBe('[Function named]');
    expect(data.sym).toBe('Symbol(s)');
    expect('gone' in data).toBe(false);
  });

  it('27: a throwing getter yields data starting with [Unserializable:', () => {
    debug.configure({ DEBUG: 'A' });
    const hostile = {
      get boom(): never {
        throw new Error('getter exploded');
      },
    };
    debug('A').info('m', hostile);
    expect(String(records[0].data)).toMatch(/^\[Unserializable: Error: getter exploded/);
    debug('A').info('m', { toJSON: () => { throw new RangeError('nope'); } });
    expect(String(records[1].data)).toMatch(/^\[Unserializable:/);
  });

  it('28: a non-string message is converted with String', () => {
    debug.configure({ DEBUG: 'A' });
    (debug('A').info as (m: unknown) => void)(42);
    (debug('A').info as (m: unknown) => void)({ toString: () => 'custom' });
    expect(records.map((r) => r.message)).toEqual(['42', 'custom']);
  });
});

describe('enabled flag and cost of disabled calls', () => {
  it('29: enabled is true when only warn is enabled; false when only other namespaces are', () => {
    debug.configure({ DEBUG: 'A:warn' });
    expect(debug('A').enabled).toBe(true);
    debug.configure({ DEBUG: 'B,C.d' });
    expect(debug('A').enabled).toBe(false);
  });

  it('30: filtered-out calls never invoke the sink and never read data', () => {
    debug.configure({ DEBUG: 'Other' });
    const sink = vi.fn();
    debug.setOutput(sink);
    let reads = 0;
    const data = {
      get touched() {
        reads++;
        return 1;
      },
    };
    const log = debug('A');
    for (let i = 0; i < 1000; i++) log.debug('x', data);
    expect(sink).not.toHaveBeenCalled();
    expect(reads).toBe(0);
  });

  it('31: filtered-out calls read no clock', () => {
    debug.configure({ DEBUG: 'Other' });
    const log = debug('A');
    log.debug('warm the matcher');
    const now = vi.spyOn(Date, 'now');
    const iso = vi.spyOn(Date.prototype, 'toISOString');
    try {
      for (let i = 0; i < 1000; i++) {
        log.debug('x', i);
        log.info('x');
        log.warn('x');
      }
      expect(now).not.toHaveBeenCalled();
      expect(iso).not.toHaveBeenCalled();
    } finally {
      now.mockRestore();
      iso.mockRestore();
    }
  });

  it('32: debug("") and debug(42) throw TypeError', () => {
    expect(() => debug('')).toThrow(TypeError);
    expect(() => (debug as unknown as (x: unknown) => unknown)(42)).toThrow(TypeError);
    expect(() => (debug as unknown as (x: unknown) => unknown)(undefined)).toThrow(/non-empty string namespace/);
  });

  it('works with no console.debug (falls back to console.log)', () => {
    debug.setOutput();
    debug.configure({ DEBUG: 'A' });
    const original = console.debug;
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    (console as { debug?: unknown }).debug = undefined;
    try {
      debug('A').debug('fallback');
      expect(log).toHaveBeenCalledTimes(1);
    } finally {
      console.debug = original;
      log.mockRestore();
    }
  });
});
