/**
 * Adversarial suite (security hardening): data is never code, validation and execution are linear,
 * and nothing runs before the @mesh check. Each case sends what a hostile peer would, through the
 * real mesh seam into real DOs, and checks that nothing ran and nothing stored changed.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { preprocess, stringify } from '@lumenize/structured-clone';
import { describe, expect, it } from 'vitest';
import { buildCallEnvelope, decodeCallResult, validateCallEnvelope } from '../../src/envelope.ts';
import { encodeOperationChain, getOperationChain, newContinuation, type OperationChain, type WireOperationChain } from '../../src/index.ts';
import { getMeshStub } from '../../src/stub.ts';
import { markerShapedValues, type TrapDO, type VictimDO } from './hostile-nodes.ts';
import { meshCall, rpc, TEST_ORIGIN, waitFor } from './helpers.ts';
import { envelopeFuzzCases } from '../fuzz/envelope-cases.ts';

const victim = () => newContinuation<VictimDO>();
const trap = () => newContinuation<TrapDO>();

/** Sends an already-serialized (possibly hostile) wire chain as a trusted caller would. */
async function sendWire(binding: string, instance: string, wire: unknown): Promise<unknown> {
  using stub = getMeshStub(env, binding, instance);
  const envelope = buildCallEnvelope({
    chain: preprocess(wire),
    callContext: { callChain: [TEST_ORIGIN], state: {} },
    caller: { type: 'LumenizeWorker', bindingName: 'TEST_RUNNER' },
    callee: { bindingName: binding, instanceNameOrId: instance },
  });
  return decodeCallResult(await stub.__executeOperation(envelope));
}

/** Round-trip time per KB of the serialized chain (Date.now advances across the RPC's I/O). */
async function timed(label: string, wire: unknown, run: () => Promise<unknown>): Promise<unknown> {
  const kb = stringify(wire).length / 1024;
  const start = Date.now();
  const outcome = await run().then(
    (v) => v,
    (e: unknown) => e,
  );
  const ms = Date.now() - start;
  console.log(`[adversarial] ${label}: ${kb.toFixed(1)} KB in ${ms} ms (${(ms / Math.max(kb, 1)).toFixed(3)} ms/KB)`);
  return outcome;
}

async function victimState(instance: string) {
  return meshCall('VICTIM_DO', instance, victim().state());
}

/** The old aliased-marker bomb: each level references the one below `fanout` times, inline. */
function inlineBomb(depth: number, fanout: number): OperationChain {
  let node: unknown = { __isNestedOperation: true, __operationChain: [{ type: 'get', key: 'leaf' }, { type: 'apply', args: [] }] };
  for (let d = 0; d < depth; d++) node = { __isNestedOperation: true, __operationChain: [{ type: 'get', key: 'sum' }, { type: 'apply', args: Array(fanout).fill(node) }] };
  return [{ type: 'get', key: 'echo' }, { type: 'apply', args: [node] }];
}

/** The same bomb in the wire form: every nested entry of a level names one shared chain object. */
function wireBomb(depth: number, fanout: number): WireOperationChain {
  let chain: WireOperationChain = [{ type: 'get', key: 'leaf' }, { type: 'apply', args: [] }];
  for (let d = 0; d < depth; d++) {
    const below = chain;
    chain = [{ type: 'get', key: 'sum' }, { type: 'apply', args: Array(fanout).fill(null), nested: Array.from({ length: fanout }, (_, i) => ({ path: [i], chain: below })) }];
  }
  return chain;
}

describe('Adversarial: data is never code', () => {
  it('a Worker answer shaped like markers reaches the DO handler as data; nothing runs', async () => {
    await meshCall('VICTIM_DO', 'adv-worker', victim().plant());
    await meshCall('VICTIM_DO', 'adv-worker', victim().askWorker('answer'));
    const stored = await waitFor(() => meshCall('VICTIM_DO', 'adv-worker', victim().read('answer')) as Promise<unknown>, 'the handler');
    expect(stored).toEqual(markerShapedValues());
    expect(await meshCall('VICTIM_DO', 'adv-worker', victim().askWorkerRaw())).toEqual(markerShapedValues());
    expect(await victimState('adv-worker')).toEqual({ canary: 'alive', wiped: false });
  });

  it('a published value shaped like markers reaches the subscriber handler as data', async () => {
    await meshCall('VICTIM_DO', 'adv-pub', victim().plant());
    await meshCall('VICTIM_DO', 'adv-pub', victim().listen('adv-publisher'));
    await waitFor(
      () =>
        runInDurableObject(env.VICTIM_DO.getByName('adv-pub'), (_i, state) =>
          [...state.storage.sql.exec<{ status: string }>('SELECT status FROM __lmz_subscriptions')].some((r) => r.status === 'active') ? true : undefined,
        ),
      'an active subscription',
    );
    await meshCall('HOSTILE_DO', 'adv-publisher', newContinuation<{ publishBombs(): string }>().publishBombs());
    expect(await waitFor(() => meshCall('VICTIM_DO', 'adv-pub', victim().read('published')) as Promise<unknown>, 'the delivery')).toEqual(markerShapedValues());
    expect(await victimState('adv-pub')).toEqual({ canary: 'alive', wiped: false });
  });

  it('a stored row and a delivered result shaped like markers are data (__receiveResult)', async () => {
    const stub = env.VICTIM_DO.getByName('adv-stored');
    await meshCall('VICTIM_DO', 'adv-stored', victim().plant());
    await runInDurableObject(stub, (instance: VictimDO, state) => {
      const handler = getOperationChain(instance.ctn().record('arg', markerShapedValues()[1]))!;
      state.storage.kv.put('__lmz_test_pending:a', encodeOperationChain(handler));
      state.storage.kv.put('__lmz_test_pending:b', encodeOperationChain(getOperationChain(instance.ctn().record('delivered', instance.ctn().$result))!));
    });
    await runInDurableObject(stub, async (instance: VictimDO) => {
      await instance.__receiveResult('test', 'a', stringify('ignored'));
      await instance.__receiveResult('test', 'b', stringify(markerShapedValues()));
    });
    expect(await meshCall('VICTIM_DO', 'adv-stored', victim().read('delivered'))).toEqual(markerShapedValues());
    expect(await victimState('adv-stored')).toEqual({ canary: 'alive', wiped: false });
  });

  it('marker-shaped arguments are echoed as data, relayed or not', async () => {
    await meshCall('VICTIM_DO', 'adv-args', victim().plant());
    expect(await meshCall('CORE_DO', 'adv-args', newContinuation<{ echo(v: unknown): unknown }>().echo(markerShapedValues()))).toEqual(markerShapedValues());
    const relayed = [{ type: 'get', key: 'read' }, { type: 'apply', args: [markerShapedValues()[0]] }];
    expect(await meshCall('CORE_DO', 'adv-args', newContinuation<{ relay(b: string, i: string, c: unknown): unknown }>().relay('VICTIM_DO', 'adv-args', relayed))).toBeUndefined();
    expect(await victimState('adv-args')).toEqual({ canary: 'alive', wiped: false });
  });
});

describe('Adversarial: linear validation and execution', () => {
  it('the inline aliased-marker bomb (depth 6, fanout 20) is data and returns at once', async () => {
    const bomb = inlineBomb(6, 20);
    const back = (await timed('inline aliased bomb', bomb, () => meshCall('TRAP_DO', 'adv-inline', bomb))) as { __operationChain: { args: unknown[] }[] };
    // Aliases survive as data (one object, twenty references); the leaf never ran.
    expect(back.__operationChain[1].args[0]).toBe(back.__operationChain[1].args[19]);
    expect(await meshCall('TRAP_DO', 'adv-inline', trap().count('leafRuns'))).toBe(0);
  });

  it('the wire aliased-marker bomb runs each shared nested chain once', async () => {
    const bomb = wireBomb(6, 20);
    const result = await timed('wire aliased bomb', bomb, () => sendWire('TRAP_DO', 'adv-wire', bomb));
    expect(result).toBe(20 ** 6);
    expect(await meshCall('TRAP_DO', 'adv-wire', trap().count('leafRuns'))).toBe(1);
  });

  it('budgets: too many operations or nested chains, or a chain containing itself, are refused before anything runs', async () => {
    const leafy = (i: number): WireOperationChain => [
      { type: 'get', key: 'leaf' },
      { type: 'apply', args: [i] },
      ...Array.from({ length: 8 }, (): WireOperationChain[number] => ({ type: 'get', key: 'x' })),
    ];
    const manyOps: WireOperationChain = [{ type: 'get', key: 'sum' }, { type: 'apply', args: Array(100).fill(null), nested: Array.from({ length: 100 }, (_, i) => ({ path: [i], chain: leafy(i) })) }];
    const outcome = await timed('operation budget', manyOps, () => sendWire('TRAP_DO', 'adv-budget', manyOps));
    expect((outcome as Error).message).toBe('Operation budget exceeded: more than 1000 operations in one chain and its nested chains');
    const wide = (n: number): WireOperationChain => [{ type: 'get', key: 'sum' }, { type: 'apply', args: Array(n).fill(null), nested: Array.from({ length: n }, (_, i) => ({ path: [i], chain: [{ type: 'get', key: 'leaf' }, { type: 'apply', args: [i] }] })) }];
    const manyNested: WireOperationChain = [{ type: 'get', key: 'sum' }, { type: 'apply', args: [null, null, null], nested: [0, 1, 2].map((i) => ({ path: [i], chain: wide(90) })) }];
    await expect(sendWire('TRAP_DO', 'adv-budget', manyNested)).rejects.toThrow('Nested operation budget exceeded: more than 250 nested continuations in one chain');
    const loop: WireOperationChain = [{ type: 'get', key: 'sum' }, { type: 'apply', args: [null] }];
    (loop[1] as { nested?: unknown }).nested = [{ path: [0], chain: loop }];
    await expect(sendWire('TRAP_DO', 'adv-budget', loop)).rejects.toThrow('Invalid operation chain: a nested chain contains itself');
    for (const [wire, message] of [
      [[{ type: 'get', key: 'sum' }, { type: 'apply', args: [1], nested: [{ path: [0], chain: [] }] }], 'must point at a null slot'],
      [[{ type: 'get', key: 'sum' }, { type: 'apply', args: [{}], nested: [{ path: [0, '__proto__'], chain: [] }] }], 'names a slot that does not exist'],
      [[{ type: 'get', key: 'sum' }, { type: 'apply', args: [null], nested: [{ path: [], chain: [] }] }], 'must be a non-empty array'],
      [[{ type: 'get', key: 'sum' }, { type: 'apply', args: [new Map([['a', null]])], nested: [{ path: [0, 'a'], chain: [] }] }], 'not an array or plain object'],
      [[{ type: 'get', key: 'sum' }, { type: 'apply', args: [null], nested: 'x' }], 'nested of operation 1 must be an array'],
    ] as const) {
      await expect(sendWire('TRAP_DO', 'adv-budget', wire)).rejects.toThrow(message);
    }
    expect(await meshCall('TRAP_DO', 'adv-budget', trap().count('leafRuns'))).toBe(0);
  });

  it('a 6.6 MB argument with one nested chain at its far end decodes, validates and runs in linear time', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => ({ id: i, name: `row-${i}`, tags: ['a', 'b', 'c'], pad: 'x'.repeat(60) }));
    const wire: WireOperationChain = [
      { type: 'get', key: 'echo' },
      { type: 'apply', args: [{ rows, tail: null }], nested: [{ path: [0, 'tail'], chain: [{ type: 'get', key: 'leaf' }, { type: 'apply', args: [] }] }] },
    ];
    const back = (await timed('6.6 MB argument, one nested chain', wire, () => sendWire('TRAP_DO', 'adv-large', wire))) as { rows: unknown[]; tail: unknown };
    expect(back.tail).toBe(1);
    expect(back.rows).toHaveLength(40_000);
  }, 60_000);
});

describe('Adversarial: seeded hostile envelopes against a real DO', () => {
  it('300 fuzzed envelopes: every refused one leaves storage exactly as it was', async () => {
    const stub = env.TRAP_DO.getByName('adv-fuzz');
    await meshCall('TRAP_DO', 'adv-fuzz', trap().leaf());
    const snapshot = () =>
      runInDurableObject(stub, (_i, state) =>
        JSON.stringify({ kv: [...state.storage.kv.list()], tables: [...state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master")].map((r) => r.name) }),
      );
    let refused = 0;
    for (const { text, how } of envelopeFuzzCases(0xbadf00d, 300, 'adv-fuzz')) {
      let envelope: unknown;
      try {
        envelope = JSON.parse(text);
        // Protocol-level refusals throw before anything is read or stored (envelope-fuzz.test.ts covers
        // them in Node); sending them here would only fill the log with the runtime's rejection traces.
        validateCallEnvelope(structuredClone(envelope));
      } catch {
        continue;
      }
      const before = await snapshot();
      const outcome = await rpc(stub.__executeOperation(envelope as never)).then(
        (r) => (typeof r === 'object' && r !== null && '$error' in r ? 'refused' : 'ran'),
        () => 'refused',
      );
      if (outcome === 'refused') {
        refused++;
        expect(await snapshot(), how).toBe(before);
      }
    }
    console.log(`[adversarial] fuzz sample: ${refused} of 300 refused past protocol validation, storage unchanged for each`);
    expect(refused).toBeGreaterThan(50);
  }, 120_000);
});

describe('Adversarial: nothing runs before the @mesh check', () => {
  it('a getter on the way to an entry point is refused without being invoked', async () => {
    await expect(meshCall('TRAP_DO', 'adv-getter', trap().trap.twice(2))).rejects.toThrow("Method 'trap' is not mesh-callable");
    expect(await meshCall('TRAP_DO', 'adv-getter', trap().read('getterRan'))).toBeUndefined();
    // Nested argument chains are entry points too.
    await expect(meshCall('TRAP_DO', 'adv-getter', trap().echo(trap().trap.twice(3)))).rejects.toThrow("Method 'trap' is not mesh-callable");
    expect(await meshCall('TRAP_DO', 'adv-getter', trap().read('getterRan'))).toBeUndefined();
  });

  it('a guard receives the object the method was read from', async () => {
    expect(await meshCall('TRAP_DO', 'adv-guard', trap().tools.twice(21))).toBe(42);
    expect(await meshCall('TRAP_DO', 'adv-guard', trap().read('guardSaw'))).toBe('tools');
  });
});
