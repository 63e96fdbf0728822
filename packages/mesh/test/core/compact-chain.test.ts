/**
 * DO → DO envelopes carry the compact chain (src/wire/chain.ts) as JSON text: plain arguments inline
 * (tag 0), others through structured-clone (tags 1 and 2). The tag alone says which form; the callee
 * still decodes and validates everything, and keeps accepting the structured-clone intermediate
 * (object or text) that the gateway and older callers send.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { preprocess } from '@lumenize/structured-clone';
import { describe, expect, it } from 'vitest';
import { buildCallEnvelope, decodeCallResult, serializeChain } from '../../src/envelope.ts';
import { newContinuation } from '../../src/index.ts';
import { getMeshStub } from '../../src/stub.ts';
import { MAX_WIRE_NESTING, MAX_WIRE_STEPS } from '../../src/wire/chain.ts';
import type { CallEnvelope } from '../../src/protocol.ts';
import type { VictimDO } from './hostile-nodes.ts';
import type { CoreDO, SpyDO } from './nodes.ts';
import { TEST_ORIGIN } from './helpers.ts';

function inDO<R>(name: string, fn: (instance: CoreDO) => R | Promise<R>) {
  return runInDurableObject(env.CORE_DO.getByName(name), (instance: CoreDO) => {
    instance.lmz.init({ bindingName: 'CORE_DO', instanceNameOrId: name });
    return fn(instance);
  });
}

/** The chain texts a spy received, in order. */
async function chainsSeen(spy: string): Promise<string[]> {
  const envelopes = await runInDurableObject(env.SPY_DO.getByName(spy), (_i, state) => state.storage.kv.get<CallEnvelope[]>('envelopes') ?? []);
  return envelopes.map((e) => (typeof e.chain === 'string' ? e.chain : JSON.stringify(e.chain)));
}

/** Sends `chain` (text or intermediate) as a trusted caller would, and unwraps the answer. */
async function sendChain(binding: string, instance: string, chain: unknown, batch = false): Promise<unknown> {
  using stub = getMeshStub(env, binding, instance);
  const envelope = buildCallEnvelope({
    chain: chain as string,
    batch,
    callContext: { callChain: [TEST_ORIGIN], state: {} },
    caller: { type: 'LumenizeWorker', bindingName: 'TEST_RUNNER' },
    callee: { bindingName: binding, instanceNameOrId: instance },
  });
  return decodeCallResult(await stub.__executeOperation(envelope));
}

const rich = () => ({ when: new Date(0), map: new Map([['k', new Set([1n])]]), nothing: undefined, nan: NaN, negZero: -0, bytes: new Uint8Array([1, 2]) });

describe('compact chains between nodes', () => {
  it('plain arguments travel inline (tag 0), rich ones through structured-clone (tag 1), and round-trip', async () => {
    const [plain, richOut, shared] = await inDO('compact-forms', async (a) => {
      const p = await a.lmz.callRaw('SPY_DO', 'compact-forms-spy', a.ctn<SpyDO>().echo({ list: [1, 'two', null, { three: true }] }));
      const r = await a.lmz.callRaw('SPY_DO', 'compact-forms-spy', a.ctn<SpyDO>().echo(rich()));
      const same = { n: 1 };
      const s = await a.lmz.callRaw('SPY_DO', 'compact-forms-spy', a.ctn<SpyDO>().echo([same, same]));
      return [p, r, s as Array<{ n: number }>];
    });
    expect(plain).toEqual({ list: [1, 'two', null, { three: true }] });
    expect(richOut).toEqual(rich());
    expect(Object.is((richOut as { negZero: number }).negZero, -0)).toBe(true);
    // An alias is not a tree: it goes through structured-clone, which keeps it.
    expect(shared[0]).toBe(shared[1]);
    const seen = await chainsSeen('compact-forms-spy');
    expect(seen[0]).toBe('[0,[["echo",[{"list":[1,"two",null,{"three":true}]}]]]]');
    expect(JSON.parse(seen[1]!)[0]).toBe(1);
    expect(JSON.parse(seen[2]!)[0]).toBe(1);
  });

  it('nested continuations and batches keep working in the compact form', async () => {
    const [nested, batched] = await inDO('compact-nested', async (a) => {
      const n = await a.lmz.callRaw('SPY_DO', 'compact-nested-spy', a.ctn<SpyDO>().add(a.ctn<SpyDO>().add(1, 2), 4));
      const b = await Promise.all([
        a.lmz.callRaw('SPY_DO', 'compact-nested-spy', a.ctn<SpyDO>().echo('one')),
        a.lmz.callRaw('SPY_DO', 'compact-nested-spy', a.ctn<SpyDO>().echo(new Map([[1, 2]]))),
        a.lmz.callRaw('SPY_DO', 'compact-nested-spy', a.ctn<SpyDO>().add(2, 3)),
      ]);
      return [n, b];
    });
    expect(nested).toBe(7);
    expect(batched).toEqual(['one', new Map([[1, 2]]), 5]);
    const seen = await chainsSeen('compact-nested-spy');
    expect(JSON.parse(seen[0]!)).toEqual([0, [['add', [null, 4], [[[0], [['add', [1, 2]]]]]]]]);
    expect(seen.slice(1).map((c) => JSON.parse(c)[0])).toEqual([0, 1, 0]);
  });

  it('the callee accepts every chain form: compact text, intermediate text, intermediate object', async () => {
    const ctn = newContinuation<CoreDO>().add(20, 22);
    const forms = ['[0,[["add",[20,22]]]]', JSON.stringify(serializeChain(ctn)), serializeChain(ctn), JSON.stringify([2, preprocess([{ type: 'get', key: 'add' }, { type: 'apply', args: [20, 22] }])])];
    for (const form of forms) expect(await sendChain('CORE_DO', 'compact-accept', form)).toBe(42);
    expect(await sendChain('CORE_DO', 'compact-accept', '[0,[[["add",[1,1]]],[["add",[2,2]]]]]', true)).toEqual([2, 4]);
  });

  it('tag 0 data is data: intermediate- and marker-shaped arguments arrive as sent, and nothing runs', async () => {
    const shapes = [
      { root: 1, objects: [] },
      { __isNestedOperation: true, __operationChain: [{ type: 'get', key: 'wipe' }, { type: 'apply', args: [] }] },
      { $lmz: 0 },
      [2, { root: 0, objects: [] }],
    ];
    await sendChain('VICTIM_DO', 'compact-hostile', '[0,[["plant",[]]]]');
    for (const shape of shapes) {
      const text = JSON.stringify([0, [['record', ['k', shape]]]]);
      // `record` has no @mesh: refused; the marker inside never runs.
      await expect(sendChain('VICTIM_DO', 'compact-hostile', text)).rejects.toThrow('is not mesh-callable');
      expect(await sendChain('SPY_DO', 'compact-hostile-spy', JSON.stringify([0, [['echo', [shape]]]]))).toEqual(shape);
    }
    expect(await sendChain('VICTIM_DO', 'compact-hostile', '[0,[["state",[]]]]')).toEqual({ canary: 'alive', wiped: false });
  });

  it('refuses malformed and hostile compact chains with a clear error, and the callee policy still holds', async () => {
    const cases: Array<[string, string | RegExp]> = [
      ['[7,[]]', 'chain must be a serialized operation chain'],
      ['[2,{"x":1}]', 'tag 2 needs one structured-clone intermediate'],
      ['[0,[["echo",[1]]],"extra"]', 'unknown chain tag 0'],
      ['[1,[["echo",0]],{"x":1}]', 'tag 1 needs [1, ops, intermediate]'],
      [JSON.stringify([1, [['echo', 1]], preprocess([[1]])]), 'not in the argument table'],
      [JSON.stringify([1, [['echo', 0], ['echo', 0]], preprocess([[1]])]), 'used twice'],
      ['[0,[["echo",{"a":1}]]]', 'arguments must be an array'],
      ['[0,[[null]]]', '[null] is not an operation'],
      ['[0,[[{"k":1},[]]]]', 'an operation key must be a string'],
      ['[0,[["svc"],["x",[]]]]', "cannot start at 'svc'"],
      ['[0,[["ctx"],["storage"],["deleteAll",[]]]]', "cannot start at 'ctx'"],
      ['[0,[["__proto__"],["x",[]]]]', /__proto__|@mesh|not allowed|Access denied/],
      ['{not json', 'chain must be a serialized operation chain'],
      ['[0,[[], []]]]', 'chain must be a serialized operation chain'],
    ];
    for (const [text, message] of cases) await expect(sendChain('CORE_DO', 'compact-bad', text), text).rejects.toThrow(message);
    expect(await sendChain('CORE_DO', 'compact-bad', '[0,[["add",[1,2]]]]')).toBe(3);
  });

  it('limits: more steps or deeper nesting than the wire allows fail with a limit error', async () => {
    const steps = JSON.stringify([0, [['echo', [1]], ...Array.from({ length: MAX_WIRE_STEPS }, () => ['x'])]]);
    await expect(sendChain('CORE_DO', 'compact-limit', steps)).rejects.toThrow(`more than ${MAX_WIRE_STEPS} steps`);
    let ops: unknown = [['add', [1, 2]]];
    for (let i = 0; i <= MAX_WIRE_NESTING; i++) ops = [['add', [null, 1], [[[0], ops]]]];
    await expect(sendChain('CORE_DO', 'compact-limit', JSON.stringify([0, ops]))).rejects.toThrow(`nested deeper than ${MAX_WIRE_NESTING}`);
  });
});
