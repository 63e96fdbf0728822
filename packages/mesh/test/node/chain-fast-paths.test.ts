/**
 * The per-call fast paths of the OCAN core (bench/mesh-do/README.md, "third pass") change nothing
 * observable: a plain continuation's one-pass wire chain is the general path's, continuations and
 * markers in arguments still take the general path, decoded nested chains are still found and
 * checked, a continuation's chain stays invisible and unforgeable, and the eager runner answers
 * synchronously only when no step waits.
 */
import { describe, expect, it } from 'vitest';
import { meshFn } from '../../src/decorators-core.ts';
import { decodeOperationChain, encodeOperationChain } from '../../src/ocan/chain-codec.ts';
import { getOperationChain, getRawOperationChain, isContinuation, newContinuation, plainWireChain } from '../../src/ocan/continuation.ts';
import { runValidatedChainEager } from '../../src/ocan/execute.ts';
import { validateOperationChain } from '../../src/ocan/validate.ts';
import { preprocess } from '@lumenize/structured-clone';
import { serializeCompactChain } from '../../src/envelope.ts';
import { encodeCompactChain } from '../../src/wire/chain.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- continuations against an untyped target
const ctn = (): any => newContinuation<any>();

describe('plain continuations on the one-pass path', () => {
  it('give the same wire chain as getOperationChain + encodeOperationChain', () => {
    // eslint-disable-next-line no-sparse-arrays -- a hole must survive as a hole
    const sparse = [1, , 3];
    const samples = [
      ctn().increment(),
      ctn().a.b(1, 'x', null, true),
      ctn().echo({ id: 1, tags: ['a', 'b'], nested: { deep: [{ x: 1 }] } }),
      ctn().echo(sparse),
      ctn().echo(new Date(0), new Map([[1, 2]])),
      ctn().echo(function notAContinuation() {}),
      ctn().first(1).second({ y: 2 }),
    ];
    for (const c of samples) {
      const fast = plainWireChain(c);
      expect(fast).toBeDefined();
      expect(fast).toStrictEqual(encodeOperationChain(getOperationChain(c)!));
    }
  });

  it('leave continuations and markers in arguments to the general path', () => {
    const inner = ctn().load();
    const marker = (getOperationChain(ctn().run(ctn().load()))![1] as { args: unknown[] }).args[0];
    for (const c of [ctn().run(inner), ctn().run({ job: inner }), ctn().run([[inner]]), ctn().run(marker)]) {
      expect(plainWireChain(c)).toBeUndefined();
    }
    const wire = encodeOperationChain(getOperationChain(ctn().run(marker))!);
    expect(wire[1]).toMatchObject({ type: 'apply', args: [null], nested: [{ path: [0], chain: [{ type: 'get', key: 'load' }, { type: 'apply', args: [] }] }] });
  });
});

describe('plain continuations to the compact wire in one walk', () => {
  it('give exactly the general path\'s compact chain, and leave everything else to it', () => {
    const shared = { n: 1 };
    const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
    const inner = ctn().load();
    // eslint-disable-next-line no-sparse-arrays -- a hole is not plain JSON
    const sparse = [1, , 3];
    const samples = [
      ctn().increment(),
      ctn().a.b(1, 'x', null, true),
      ctn().echo({ id: 1, tags: ['a', 'b'], nested: { deep: [{ x: 1 }] } }),
      ctn().first(shared).second(shared),
      ctn().echo(deep(30)),
      ctn().echo(deep(31)),
      ctn().echo(sparse),
      ctn().echo(new Date(0), new Map([[1, 2]])),
      ctn().echo(-0, NaN, undefined),
      ctn().run(inner),
      ctn().run({ job: inner }),
      ctn()(1)(2),
      ctn().echo(Array.from({ length: 96 }, (_, i) => ({ id: i, name: `User ${i}`, active: i % 2 === 0, score: 0.5, tags: ['a', 'b'] }))),
      ctn().echo(Object.defineProperty({}, 'x', { get: () => 1, enumerable: true })),
      ctn().echo(-0, NaN, Infinity),
      ctn().echo(Object.create(null)),
      ctn().echo(shared, shared),
      ctn().only.reads,
    ];
    for (const c of samples) {
      const general = encodeCompactChain(encodeOperationChain(getOperationChain(c)!), false, (v) => preprocess(v));
      expect(JSON.parse(JSON.stringify(serializeCompactChain(c)))).toStrictEqual(JSON.parse(JSON.stringify(general)));
    }
    expect(serializeCompactChain(ctn().first(shared).second(shared))[0]).toBe(1);
    expect(() => serializeCompactChain(ctn().echo(ctn().$result))).toThrow('The $result placeholder is only valid in a handler continuation');
  });

  it('copy the argument lists, so later changes to them do not reach the encoded chain', () => {
    const c = ctn().echo(1, 2);
    const compact = serializeCompactChain(c) as [0, unknown[][]];
    (getRawOperationChain(c)![1] as { args: unknown[] }).args.push(3);
    expect(compact).toStrictEqual([0, [['echo', [1, 2]]]]);
  });
});

describe('decoded chains', () => {
  it('still have their nested chains found and checked by validation', () => {
    const wire = [
      { type: 'get', key: 'run' },
      { type: 'apply', args: [{ job: null }], nested: [{ path: [0, 'job'], chain: [{ type: 'get', key: 'constructor' }, { type: 'apply', args: [] }] }] },
    ];
    expect(() => validateOperationChain(decodeOperationChain(structuredClone(wire)))).toThrow("Operation chain uses blocked key 'constructor'");
  });

  it('keep marker-shaped data as data', () => {
    const lookAlike = { __isNestedOperation: true, __operationChain: [{ type: 'get', key: 'constructor' }, { type: 'apply', args: [] }] };
    const chain = decodeOperationChain([{ type: 'get', key: 'echo' }, { type: 'apply', args: [lookAlike] }]);
    expect(() => validateOperationChain(chain)).not.toThrow();
    const target = { echo: meshFn(function echo(v: unknown) { return v; }) };
    expect(runValidatedChainEager(chain, target, { requireMeshDecorator: true })).toStrictEqual(lookAlike);
  });
});

describe('continuations', () => {
  it('hold their chain where no reflection sees it and no data forges it', () => {
    const c = ctn().echo(1);
    expect(Reflect.ownKeys(c)).toStrictEqual(Reflect.ownKeys(() => {}));
    expect(getRawOperationChain(c)).toStrictEqual([{ type: 'get', key: 'echo' }, { type: 'apply', args: [1] }]);
    expect(isContinuation(() => {})).toBe(false);
    expect(isContinuation({ chain: [] })).toBe(false);
    expect(getRawOperationChain(new Proxy(() => {}, {}))).toBeUndefined();
  });
});

describe('runValidatedChainEager', () => {
  const target = {
    now: meshFn(function now() { return 1; }),
    later: meshFn(async function later() { return 2; }),
    fail: meshFn(function fail(): never { throw new RangeError('no'); }),
  };
  const run = (name: string) => runValidatedChainEager([{ type: 'get', key: name }, { type: 'apply', args: [] }], target, { requireMeshDecorator: true });

  it('returns a synchronous value at once and a waiting one as a promise', async () => {
    expect(run('now')).toBe(1);
    const pending = run('later');
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toBe(2);
  });

  it('throws a synchronous failure at once, and still refuses a method that is not mesh-callable', () => {
    expect(() => run('fail')).toThrow(RangeError);
    expect(() => runValidatedChainEager([{ type: 'get', key: 'toString' }, { type: 'apply', args: [] }], target, { requireMeshDecorator: true })).toThrow("Method 'toString' is not mesh-callable");
  });
});
