/**
 * `@mesh({ args, returns })` inside workerd: each schema kind (zod, valibot, TypeBox, raw JSON Schema)
 * refuses bad input with ArgumentValidationError naming method, argument index and path, before the
 * method runs and with nothing stored; limits bound huge and deeply nested input.
 *
 * | Behaviour (issue 20 item 1)                              | Test                                   |
 * |----------------------------------------------------------|----------------------------------------|
 * | zod / valibot / TypeBox / JSON Schema refuse bad input    | "refuses a bad argument: <kind>"       |
 * | valid input runs and stores                               | "accepts a valid argument: <kind>"     |
 * | error names method, index and path                        | "names the second argument's index"    |
 * | nothing stored on refusal                                 | every refusal test reads storage       |
 * | schema output reaches the method                          | "transforms and defaults"              |
 * | async schema vs synchronous execution                     | "async schema"                         |
 * | returns schema                                            | "returns"                              |
 * | guard before validation                                   | "guard runs first"                     |
 * | huge / deep / cyclic input bounded                        | "limits"                               |
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { buildCallEnvelope, decodeCallResult, serializeChain } from '../../src/envelope.ts';
import { getMeshStub } from '../../src/stub.ts';
import { newContinuation, SynchronousExecutionError } from '../../src/index.ts';
import { ArgumentValidationError, MAX_ISSUES, ReturnValidationError } from '../../src/validation/index.ts';
import type { ValidatedDO } from './nodes.ts';

const c = () => newContinuation<ValidatedDO>();

async function call(instance: string, remote: unknown, opts: { state?: Record<string, unknown>; transaction?: boolean } = {}): Promise<unknown> {
  using stub = getMeshStub(env, 'VALIDATED_DO', instance);
  const envelope = buildCallEnvelope({
    chain: serializeChain(remote),
    callContext: { callChain: [{ type: 'LumenizeWorker', bindingName: 'TEST_RUNNER' }], state: opts.state ?? {} },
    caller: { type: 'LumenizeWorker', bindingName: 'TEST_RUNNER' },
    callee: { bindingName: 'VALIDATED_DO', instanceNameOrId: instance },
    transaction: opts.transaction,
  });
  return decodeCallResult(await stub.__executeOperation(envelope));
}

const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: unknown) => e as Error);

/** Every user key in the DO's storage (framework identity keys left out). */
const stored = (instance: string) =>
  runInDurableObject(env.VALIDATED_DO.getByName(instance), (_i, state) => Object.fromEntries([...state.storage.kv.list()].filter(([k]) => !k.startsWith('__lmz_'))));

const kinds = [
  { kind: 'zod', method: 'saveZod' },
  { kind: 'valibot', method: 'saveValibot' },
  { kind: 'TypeBox', method: 'saveTypebox' },
  { kind: 'JSON Schema', method: 'saveJson' },
] as const;

const save = (method: (typeof kinds)[number]['method'], user: unknown) => (c()[method] as (u: unknown) => unknown)(user);

describe('mesh validation: four schema kinds', () => {
  for (const { kind, method } of kinds) {
    it(`accepts a valid argument: ${kind}`, async () => {
      const name = `ok-${method}`;
      expect(await call(name, save(method, { email: 'a@example.com', age: 3 }))).toEqual({ email: 'a@example.com', age: 3 });
      const after = await stored(name);
      expect(after.calls).toBe(1);
    });

    it(`refuses a bad argument: ${kind} (ArgumentValidationError with method, index, path; nothing stored)`, async () => {
      const name = `bad-${method}`;
      await call(name, save(method, { email: 'a@example.com', age: 1 }));
      const before = await stored(name);
      const error = await refusal(call(name, save(method, { email: 'a@example.com', age: -1 })));
      expect(error).toBeInstanceOf(ArgumentValidationError);
      const e = error as ArgumentValidationError;
      expect(e.name).toBe('ArgumentValidationError');
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.method).toBe(method);
      expect(e.argIndex).toBe(0);
      expect(e.path).toEqual(['age']);
      expect(e.message).toMatch(new RegExp(`^Invalid argument 0 of '${method}' at 'age': `));
      expect(e.issues.length).toBeGreaterThanOrEqual(1);
      expect(await stored(name)).toEqual(before);

      const wrongType = (await refusal(call(name, save(method, { email: 42, age: 1 })))) as ArgumentValidationError;
      expect(wrongType).toBeInstanceOf(ArgumentValidationError);
      expect(wrongType.path).toEqual(['email']);
      const notObject = (await refusal(call(name, save(method, 'just a string')))) as ArgumentValidationError;
      expect(notObject.path).toEqual([]);
      expect(notObject.message).toMatch(new RegExp(`^Invalid argument 0 of '${method}': `));
      expect(await stored(name)).toEqual(before);
    });
  }
});

describe('mesh validation: behaviour', () => {
  it("names the second argument's index and refuses extra arguments", async () => {
    expect(await call('pair', c().pair('x', 3))).toBe('x:3');
    const e = (await refusal(call('pair', c().pair('x', 11)))) as ArgumentValidationError;
    expect([e.method, e.argIndex, e.path]).toEqual(['pair', 1, []]);
    const extra = (await refusal(call('pair', (c().pair as (...a: unknown[]) => unknown)('x', 1, 'surplus')))) as ArgumentValidationError;
    expect(extra).toBeInstanceOf(ArgumentValidationError);
    expect(extra.argIndex).toBe(2);
    expect(extra.message).toBe("Invalid argument 2 of 'pair': unexpected argument: 'pair' takes at most 2");
    const missing = (await refusal(call('pair', (c().pair as (...a: unknown[]) => unknown)('x')))) as ArgumentValidationError;
    expect(missing.argIndex).toBe(1);
    expect((await stored('pair')).pair).toEqual(['x', 3]);
  });

  it('transforms and defaults: the method receives the schema output', async () => {
    expect(await call('normalize', (c().normalize as (...a: unknown[]) => unknown)('  MiXed '))).toEqual(['mixed', 7]);
    expect(await call('normalize', c().normalize('A', 2))).toEqual(['a', 2]);
  });

  it('async schema: awaited on an ordinary call; a transactional call fails with SynchronousExecutionError and stores nothing', async () => {
    expect(await call('claim', c().claim('free'))).toBe('free');
    const taken = (await refusal(call('claim', c().claim('taken')))) as ArgumentValidationError;
    expect(taken).toBeInstanceOf(ArgumentValidationError);
    expect(taken.message).toBe("Invalid argument 0 of 'claim': name is taken");
    const before = await stored('claim');
    const sync = await refusal(call('claim', c().claim('other'), { transaction: true }));
    expect(sync.name).toBe('SynchronousExecutionError');
    expect(sync.message).toBe(new SynchronousExecutionError().message);
    expect(await stored('claim')).toEqual(before);
  });

  it('a synchronous schema works inside a transactional call; a refusal there rolls back nothing because nothing ran', async () => {
    expect(await call('tx', c().saveZod({ email: 'a@example.com', age: 1 }), { transaction: true })).toEqual({ email: 'a@example.com', age: 1 });
    const before = await stored('tx');
    const e = (await refusal(call('tx', c().saveZod({ email: 'a@example.com', age: -5 }), { transaction: true }))) as ArgumentValidationError;
    expect(e).toBeInstanceOf(ArgumentValidationError);
    expect(await stored('tx')).toEqual(before);
  });

  it('returns: a mismatching result reaches the caller as ReturnValidationError; an async method is checked after it settles', async () => {
    const e = (await refusal(call('ret', c().badReturn()))) as ReturnValidationError;
    expect(e).toBeInstanceOf(ReturnValidationError);
    expect(e.code).toBe('INVALID_RETURN');
    expect(e.method).toBe('badReturn');
    expect(await call('ret', c().goodAsyncReturn())).toBe(42);
  });

  it('guard runs first: a refused caller gets the guard error even with a bad argument; an admin gets the validation error', async () => {
    const guarded = await refusal(call('guard', c().setLimit(1.5)));
    expect(guarded.name).toBe('Forbidden');
    const admin = { state: { role: 'admin' } };
    const invalid = (await refusal(call('guard', c().setLimit(1.5), admin))) as ArgumentValidationError;
    expect(invalid).toBeInstanceOf(ArgumentValidationError);
    expect(await call('guard', c().setLimit(5), admin)).toBe(5);
    expect((await stored('guard')).limit).toBe(5);
  });

  it('nested continuations as arguments are resolved first and their values checked', async () => {
    // plain() returns what it gets; the outer pair() checks that value.
    expect(await call('nested', c().pair(c().plain('n') as unknown as string, 2))).toBe('n:2');
    const e = (await refusal(call('nested', c().pair('n', c().plain(99) as unknown as number)))) as ArgumentValidationError;
    expect([e.method, e.argIndex]).toEqual(['pair', 1]);
  });

  it('methods without schemas are unchanged', async () => {
    expect(await call('plain', c().plain({ any: ['thing'] }))).toEqual({ any: ['thing'] });
  });
});

describe('mesh validation: limits', () => {
  it('a huge argument is checked in one pass and its issues are capped', async () => {
    const big = Array.from({ length: 50_000 }, (_, i) => i);
    expect(await call('huge', c().sum(big))).toBe((50_000 * 49_999) / 2);
    const bad = Array.from({ length: 50_000 }, () => 'x') as unknown as number[];
    const e = (await refusal(call('huge', c().sum(bad)))) as ArgumentValidationError;
    expect(e.path).toEqual([0]);
    expect(e.issues.length).toBe(MAX_ISSUES);
  });

  it('a deeply nested argument is refused before any validator runs; nothing stored', async () => {
    let deep: { children: unknown[] } = { children: [] };
    for (let i = 0; i < 5_000; i++) deep = { children: [deep] };
    const e = (await refusal(call('deep', c().saveTree(deep as never)))) as ArgumentValidationError;
    expect(e).toBeInstanceOf(ArgumentValidationError);
    expect(e.message).toBe("Invalid argument 0 of 'saveTree': nested deeper than 64 levels");
    expect(await stored('deep')).toEqual({});
  });

  it('cyclic data under a recursive schema does not crash the call (zod follows the cycle once)', async () => {
    const node: { children: unknown[] } = { children: [] };
    node.children.push(node);
    expect(await call('cycle', c().saveTree(node as never))).toBe(1);
    expect(await call('cycle', c().saveTree({ children: [{ children: [] }, { children: [] }] }))).toBe(2);
  });
});
