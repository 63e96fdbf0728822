/**
 * The callee's one-pass paths (bench/mesh-do/README.md, 2026-12-03 "later") give exactly what the
 * general paths give: a usual compact chain decoded and checked in one pass is the chain that
 * decodeCompactChain → decodeOperationChain → validateOperationChain accepts, and everything the
 * general path refuses is either left to it or refused with the same error; a direct call of a plain
 * `@mesh` method answers like the generator, and guards, nested continuations, accessors and
 * methods without `@mesh` still take the generator.
 */
import { postprocess } from '@lumenize/structured-clone';
import { describe, expect, it } from 'vitest';
import { mesh, meshFn } from '../../src/decorators-core.ts';
import { decodeOperationChain } from '../../src/ocan/chain-codec.ts';
import { runValidatedChain, runValidatedChainEager } from '../../src/ocan/execute.ts';
import type { OcanConfig, OperationChain } from '../../src/ocan/types.ts';
import { validateOperationChain } from '../../src/ocan/validate.ts';
import { INBOUND_EXECUTION } from '../../src/node/inbound.ts';
import { decodeCompactChain } from '../../src/wire/chain.ts';
import { decodePlainChain } from '../../src/wire/plain-chain.ts';

/** The general path: its chain, or the error it throws. */
function general(v: unknown, config: OcanConfig): { chain: OperationChain } | { error: string } {
  try {
    const chain = decodeOperationChain(decodeCompactChain(structuredClone(v), false, postprocess));
    validateOperationChain(chain, config);
    return { chain };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** The one-pass path: its chain, `undefined` (left to the general path), or the error it throws. */
function onePass(v: unknown, config: OcanConfig): { chain: OperationChain } | { error: string } | undefined {
  try {
    const chain = decodePlainChain(structuredClone(v), config);
    return chain === undefined ? undefined : { chain };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

const many = (n: number, step: unknown) => Array.from({ length: n }, () => step);

const CHAINS: unknown[] = [
  [0, [['add', [1, 2]]]],
  [0, [['echo', [{ __isNestedOperation: true, __operationChain: [{ type: 'get', key: 'wipe' }, { type: 'apply', args: [] }] }]]]],
  [0, [['echo', [{ root: 0, objects: [] }, { $lmz: 0 }, [2, { root: 0, objects: [] }]]]]],
  [0, [['a'], [1], ['b', []], [null, [1]], [null, []]]],
  [0, [['x']]],
  [0, [[null]]],
  [0, [[null, 1]]],
  [0, [['echo', { a: 1 }]]],
  [0, [[{ k: 1 }, []]]],
  [0, [['echo', [1], []]]],
  [0, [['add', [null, 4], [[[0], [['add', [1, 2]]]]]]]],
  [0, [['echo', [1], 'x', 'y']]],
  [0, [[]]],
  [0, [['svc'], ['x', []]]],
  [0, [['ctx'], ['storage'], ['deleteAll', []]]],
  [0, [['__proto__'], ['x', []]]],
  [0, [['a'], ['constructor', []]]],
  [0, [['prototype', []]]],
  [0, [['lmz', []]]],
  [0, [[true, []]]],
  [0, [['echo', many(100, 1)]]],
  [0, [['echo', many(101, 1)]]],
  [0, [...many(24, ['a']), ['b', []]]],
  [0, [...many(48, ['a']), ['b', []]]],
  [0, [...many(49, ['a']), ['b', []]]],
  [0, many(10_001, ['x'])],
  [0, [['echo', [1]]], 'extra'],
  [0, 'ops'],
  [0, { 0: ['echo', []] }],
  [1, [['echo', 0]], { root: 0, objects: [] }],
  [2, { root: 0, objects: [] }],
  [7, []],
  [0],
  '[0,[["add",[1,2]]]]',
  null,
];

describe('the one-pass decode of a usual compact chain', () => {
  it('accepts exactly what the general path accepts, as the same chain, or leaves the chain to it', () => {
    const configs: OcanConfig[] = [INBOUND_EXECUTION, {}, { requireMeshDecorator: false }, { maxDepth: 3, maxArgs: 2, maxOperations: 4 }];
    let taken = 0;
    for (const config of configs) {
      for (const v of CHAINS) {
        const fast = onePass(v, config);
        const slow = general(v, config);
        const label = JSON.stringify(v)?.slice(0, 80);
        if (fast === undefined) continue;
        taken++;
        // Anything the one pass answers, the general path answers the same way.
        expect(fast, label).toStrictEqual(slow);
      }
    }
    // The common chains do take the one pass.
    expect(taken).toBeGreaterThan(12);
    expect(onePass([0, [['add', [1, 2]]]], INBOUND_EXECUTION)).toStrictEqual({ chain: [{ type: 'get', key: 'add' }, { type: 'apply', args: [1, 2] }] });
  });

  it('refuses chains rooted at framework members with the policy error of the general path', () => {
    for (const key of ['svc', 'ctx', 'env', 'lmz']) {
      const v = [0, [[key], ['x', []]]];
      expect(onePass(v, INBOUND_EXECUTION)).toStrictEqual({ error: `TypeError: Access denied: inbound chains cannot start at '${key}'` });
      expect(general(v, INBOUND_EXECUTION)).toStrictEqual(onePass(v, INBOUND_EXECUTION));
    }
  });

  it('keeps the arguments it was given (tag 0 data is data, marker-shaped or not)', () => {
    const shape = { __isNestedOperation: true, __operationChain: [{ type: 'get', key: 'wipe' }, { type: 'apply', args: [] }] };
    const parsed = [0, [['echo', [shape]]]];
    const chain = decodePlainChain(parsed, INBOUND_EXECUTION)!;
    expect((chain[1] as { args: unknown[] }).args).toBe((parsed[1] as unknown[][])[0]![1]);
    const target = { echo: meshFn(function echo(v: unknown) { return v; }) };
    expect(runValidatedChainEager(chain, target, INBOUND_EXECUTION)).toBe(shape);
  });
});

describe('a direct call of a plain @mesh method', () => {
  const seen: string[] = [];
  const decorate = (decorator: (value: never, context: never) => void, fn: (...a: never[]) => unknown, name: string) => {
    decorator(fn as never, { kind: 'method', name } as never);
    return fn;
  };
  class Target {
    count = 0;
    get accessor() {
      seen.push('accessor read');
      return meshFn(() => 'from accessor');
    }
  }
  const proto = Target.prototype as unknown as Record<string, unknown>;
  Object.assign(proto, {
    add: meshFn(function add(this: Target, a: number, b: number) { this.count++; return a + b; }),
    later: meshFn(async function later(this: Target, v: unknown) { await null; return v; }),
    fail: meshFn(function fail(): never { throw new RangeError('no'); }),
    rejects: meshFn(async function rejects(): Promise<never> { throw new RangeError('later no'); }),
    plain: function plain() { seen.push('plain ran'); return 'plain'; },
    guarded: decorate(mesh.guard((i: Target) => { seen.push(`guard saw ${i instanceof Target}`); throw new Error('guard refused'); }) as never, function guarded() { seen.push('guarded ran'); }, 'guarded'),
    run: meshFn(function run(v: unknown) { return v; }),
  });
  const chain = (key: string, args: unknown[]): OperationChain => [{ type: 'get', key }, { type: 'apply', args }];

  async function outcome(f: () => unknown): Promise<unknown> {
    try {
      return { value: await f() };
    } catch (e) {
      return { error: `${(e as Error).name}: ${(e as Error).message}` };
    }
  }

  it('answers as the generator does: values, promises, errors, `this`, refusals', async () => {
    const cases: OperationChain[] = [
      chain('add', [2, 3]),
      chain('later', [{ x: 1 }]),
      chain('fail', []),
      chain('rejects', []),
      chain('plain', []),
      chain('guarded', []),
      chain('accessor', []),
      chain('missing', []),
      chain('count', []),
      [{ type: 'get', key: 'add' }, { type: 'apply', args: [1, 1] }, { type: 'get', key: 'toFixed' }, { type: 'apply', args: [1] }],
      decodeOperationChain([{ type: 'get', key: 'run' }, { type: 'apply', args: [null], nested: [{ path: [0], chain: chain('add', [4, 5]) }] }]),
    ];
    for (const c of cases) {
      seen.length = 0;
      const direct = new Target();
      const fast = await outcome(() => runValidatedChainEager(c, direct, INBOUND_EXECUTION));
      const fastSeen = [...seen];
      seen.length = 0;
      const viaGenerator = new Target();
      const slow = await outcome(() => runValidatedChain(c, viaGenerator, INBOUND_EXECUTION, false));
      expect(fast, JSON.stringify(c)).toStrictEqual(slow);
      expect(fastSeen, JSON.stringify(c)).toStrictEqual(seen);
      expect(direct.count).toBe(viaGenerator.count);
    }
  });

  it('answers a synchronous method at once and a waiting one as a promise of its value', async () => {
    const target = new Target();
    expect(runValidatedChainEager(chain('add', [1, 2]), target, INBOUND_EXECUTION)).toBe(3);
    expect(target.count).toBe(1);
    const pending = runValidatedChainEager(chain('later', ['v']), target, INBOUND_EXECUTION);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toBe('v');
    expect(() => runValidatedChainEager(chain('fail', []), target, INBOUND_EXECUTION)).toThrow(RangeError);
  });

  it('never reads an accessor on the way to the entry point, and runs no guarded method past its guard', () => {
    seen.length = 0;
    expect(() => runValidatedChainEager(chain('accessor', []), new Target(), INBOUND_EXECUTION)).toThrow("Method 'accessor' is not mesh-callable");
    expect(() => runValidatedChainEager(chain('guarded', []), new Target(), INBOUND_EXECUTION)).toThrow('guard refused');
    expect(seen).toStrictEqual(['guard saw true']);
  });
});
