/**
 * A logger never throws (issue 12, smaller defects; spec §3.5, §7). Seeded fuzz of hostile messages,
 * data and configuration through the default console sink, in Node and in workerd: every call
 * returns, prints exactly one single-line JSON record whose message is a string.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../../tools/seeded-random.ts';
import { debug, type DebugLogOutput } from '../src/index.ts';

const boom = () => {
  throw new Error('trap');
};
/** Thrown values that are themselves hostile: no toString, a Proxy whose prototype lookup throws. */
const hostileThrown = [Object.create(null), new Proxy({}, { getPrototypeOf: boom, get: boom }), Symbol('thrown'), 10n];
const thrower = (i: number) => () => {
  throw hostileThrown[i % hostileThrown.length];
};
const trapAll = (i: number): ProxyHandler<object> => ({
  get: thrower(i), has: thrower(i), ownKeys: thrower(i), getPrototypeOf: thrower(i), getOwnPropertyDescriptor: thrower(i),
});

/** The hostile atoms, built lazily (only the chosen one); `i` varies which thrown value the traps use. */
function atom(rand: () => number, i: number): unknown {
  const cyclic = () => {
    const c: Record<string, unknown> = { a: 1 };
    c.self = c;
    return c;
  };
  const makers: Array<() => unknown> = [
    () => Object.create(null),
    () => Object.assign(Object.create(null) as object, { k: 1 }),
    () => new Proxy({}, trapAll(i)),
    () => new Proxy([], trapAll(i)),
    () => {
      const r = Proxy.revocable({}, {});
      r.revoke();
      return r.proxy;
    },
    () => ({ get bad(): unknown { return thrower(i)(); } }),
    () => ({ toJSON: thrower(i) }),
    () => ({ toJSON: () => new Proxy({}, trapAll(i)) }),
    () => ({ toString: thrower(i) }),
    () => ({ toString: () => ({}) }),
    () => ({ [Symbol.toPrimitive]: thrower(i) }),
    () => JSON.parse('{"__proto__": {"polluted": 1}}'),
    () => 123n,
    () => -0,
    () => NaN,
    () => Symbol('s'),
    cyclic,
    () => Object.defineProperty(new Error('m'), 'name', { value: 10n }),
    () => Object.defineProperty(new Error('g'), 'message', { get: thrower(i) }),
    () => {
      const e = new Error('c') as Error & { cause?: unknown };
      e.cause = e;
      return e;
    },
    () => Object.defineProperty(() => 1, 'name', { get: thrower(i) }),
    () => Object.defineProperty(function named() {}, 'name', { value: Object.create(null) }),
    () => new Map<unknown, unknown>([[Object.create(null), 1n], [cyclic(), new Proxy({}, trapAll(i))]]),
    () => new Set([Object.create(null), 1n]),
    () => new Date(NaN),
    () => new Proxy(new Date(), {}),
    () => [1, , 3],
    () => {
      // Deep enough to overflow the stack in some runs: rendering must still return.
      let deep: unknown = 'leaf';
      for (let d = 0, n = 1 + Math.floor(rand() * 3) * 20_000; d < n; d++) deep = { d: deep };
      return deep;
    },
    () => 'x'.repeat(1 + Math.floor(rand() * 10_000)),
    () => undefined,
    () => null,
  ];
  return makers[Math.floor(rand() * makers.length)]();
}

/** An atom, or a container of hostile parts (objects, arrays, Maps, Errors with hostile causes). */
function hostile(rand: () => number, i: number, depth = 0): unknown {
  if (depth > 2 || rand() < 0.5) return atom(rand, i);
  const parts = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => hostile(rand, i, depth + 1));
  switch (Math.floor(rand() * 4)) {
    case 0:
      return Object.fromEntries(parts.map((p, k) => [`k${k}`, p]));
    case 1:
      return parts;
    case 2:
      return new Map(parts.map((p, k) => [k, p]));
    default:
      return Object.assign(new Error('wrapper', { cause: parts[0] }), { extra: parts[1] });
  }
}

let lines: string[];
beforeEach(() => {
  lines = [];
  for (const method of ['debug', 'info', 'warn', 'error', 'log'] as const) {
    vi.spyOn(console, method).mockImplementation((line: unknown) => {
      lines.push(line as string);
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  debug.reset();
});

function expectOneRecord(level: string): DebugLogOutput {
  expect(lines).toHaveLength(1);
  const [line] = lines;
  lines = [];
  expect(typeof line).toBe('string');
  expect(line).not.toContain('\n');
  const record = JSON.parse(line) as DebugLogOutput;
  expect(record).toMatchObject({ type: 'debug', level, namespace: 'Fuzz.hostile' });
  expect(typeof record.message).toBe('string');
  return record;
}

describe('a logger never throws', () => {
  it('2,000 seeded hostile messages and data values each print one JSON record (all levels, bound and detached)', () => {
    const rand = seededRandom(0x10c6e1);
    debug.configure({ DEBUG: '*' });
    const log = debug('Fuzz.hostile');
    const levels = ['debug', 'info', 'warn', 'error'] as const;
    for (let i = 0; i < 2_000; i++) {
      const level = levels[i % 4];
      const message = rand() < 0.5 ? hostile(rand, i) : 'plain';
      const data = hostile(rand, i);
      const method = rand() < 0.5 ? log[level] : log[level].bind(undefined);
      expect(() => method(message as string, data)).not.toThrow();
      expectOneRecord(level);
    }
  });

  it('the cases named in the issue render as documented', () => {
    debug.configure({ DEBUG: '*' });
    const log = debug('Fuzz.hostile');
    log.info(Object.create(null) as string, Object.create(null));
    expect(expectOneRecord('info')).toMatchObject({ message: expect.stringContaining('[unprintable object'), data: {} });
    log.warn('getter', { get bad(): never { throw new Error('nope'); } });
    expect(expectOneRecord('warn').data).toBe('[Unserializable: Error: nope]');
    log.info('proxy', new Proxy({}, { get: boom, ownKeys: boom, getPrototypeOf: boom }));
    expect(expectOneRecord('info').data).toBe('[Unserializable: Error: trap]');
    const cycle: Record<string, unknown> = { n: 1n };
    cycle.me = cycle;
    log.debug('cycle', cycle);
    expect(expectOneRecord('debug').data).toEqual({ n: '1n', me: '[Circular]' });
    const weird = new Error('w');
    Object.defineProperty(weird, 'name', { value: 5n });
    log.error('bigint name', weird);
    expect(expectOneRecord('error').data).toMatchObject({ name: '5n', message: 'w' });
    log.info('own __proto__', JSON.parse('{"__proto__": {"x": 1}}'));
    expect(expectOneRecord('info').data).toEqual(JSON.parse('{"__proto__": {"x": 1}}'));
  });

  it('detached methods log (promise.catch(log.error))', async () => {
    const { error, info } = debug('Fuzz.hostile');
    await Promise.reject(new Error('late')).catch(error);
    expect(expectOneRecord('error').data).toBeUndefined();
    debug.configure({ DEBUG: 'Fuzz' });
    info('detached', 1);
    expect(expectOneRecord('info').data).toBe(1);
  });

  it('hostile configuration objects never throw; a non-function sink is refused at setOutput', () => {
    const throwingEnv = new Proxy({}, { get: boom });
    expect(() => debug.configure(throwingEnv)).not.toThrow();
    expect(() => debug({ get env(): never { throw new Error('env'); } })('Fuzz.hostile').info('x')).not.toThrow();
    expect(() => debug(new Proxy({}, { get: boom }))).not.toThrow();
    expect(() => debug.setOutput(42 as never)).toThrow(TypeError);
    debug('Fuzz.hostile').error('still the console sink');
    expectOneRecord('error');
  });
});
