/**
 * Seeded hostile envelopes for the envelope/chain decoder fuzz tests (Node: 12,000 cases; workerd: a
 * sample sent to a real DO). Runtime-neutral. Each case starts from a valid envelope (single chain,
 * nested continuations, batch) and is mutated at the JSON level or the text level.
 */
import { preprocess } from '@lumenize/structured-clone';
import { seededRandom } from '../../../../tools/seeded-random.ts';
import type { WireOperationChain } from '../../src/ocan/types.ts';

const HOSTILE_VALUES: (() => unknown)[] = [
  () => null,
  () => undefined,
  () => -1,
  () => 1e308,
  () => 2 ** 53 + 1,
  () => '',
  () => 'x'.repeat(10_000),
  () => ({}),
  () => [],
  () => ({ __proto__: { polluted: true } }),
  () => JSON.parse('{"__proto__":{"polluted":true}}'),
  () => ({ constructor: { prototype: { polluted: true } } }),
  () => ({ __isNestedOperation: true, __operationChain: [{ type: 'get', key: 'wipe' }, { type: 'apply', args: [] }] }),
  () => ({ __isNestedOperation: true, __refId: 'r' }),
  () => ({ __isResultPlaceholder: true }),
  () => ({ root: 0, objects: 'x' }),
  () => ({ root: ['$ref', 99], objects: [] }),
  () => [{ path: [0], chain: [] }],
  () => [{ path: ['__proto__'], chain: [{ type: 'get', key: 'x' }, { type: 'apply', args: [] }] }],
  () => [{ path: [0, 0, 0, 0], refId: 'z' }],
  () => Array.from({ length: 300 }, () => ({ type: 'get', key: 'a' })),
  () => Array.from({ length: 200 }, () => 1),
  () => deep(2_000),
  () => ({ type: 'apply', args: [null], nested: [{ path: [0], chain: [{ type: 'get', key: 'constructor' }, { type: 'apply', args: [] }] }] }),
];

function deep(n: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

/** Valid starting points: a call with nested continuations at several paths, and a batch. */
function validChain(rand: () => number): WireOperationChain {
  const leaf: WireOperationChain = [{ type: 'get', key: 'leaf' }, { type: 'apply', args: [Math.floor(rand() * 10)] }];
  return [
    { type: 'get', key: rand() < 0.5 ? 'echo' : 'sum' },
    { type: 'apply', args: [null, { list: [1, null], name: 'n' }, 3], nested: [{ path: [0], chain: leaf }, { path: [1, 'list', 1], chain: leaf }] },
  ];
}

export interface FuzzCase {
  /** The envelope as JSON text (what arrives over the wire, after transport framing). */
  text: string;
  /** How it was made, for failure messages. */
  how: string;
}

/** Replaces one random node of a JSON value tree with a hostile value (in place on a copy). */
function mutateTree(value: unknown, rand: () => number): unknown {
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const stack: unknown[] = [value];
  while (stack.length && nodes.length < 5_000) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    for (const key of Object.keys(v)) {
      const k = Array.isArray(v) ? Number(key) : key;
      nodes.push({ parent: v as Record<string, unknown>, key: k });
      stack.push((v as Record<string, unknown>)[key]);
    }
  }
  if (nodes.length === 0) return HOSTILE_VALUES[Math.floor(rand() * HOSTILE_VALUES.length)]();
  const count = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < count; i++) {
    const { parent, key } = nodes[Math.floor(rand() * nodes.length)];
    const pick = rand();
    if (pick < 0.7) (parent as Record<string | number, unknown>)[key] = HOSTILE_VALUES[Math.floor(rand() * HOSTILE_VALUES.length)]();
    else if (pick < 0.85 && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else (parent as Record<string | number, unknown>)[key] = structuredClone(value === parent ? null : (parent as Record<string | number, unknown>)[key]);
  }
  return value;
}

function mutateText(text: string, rand: () => number): string {
  const pick = rand();
  const at = Math.floor(rand() * text.length);
  if (pick < 0.3) return text.slice(0, at);
  if (pick < 0.6) return text.slice(0, at) + String.fromCharCode(Math.floor(rand() * 128)) + text.slice(at + 1);
  if (pick < 0.8) return text.slice(0, at) + ['{', '}', '[', ']', '"', ',', ':', '\\', '1,"seq":999', '\u0000'][Math.floor(rand() * 10)] + text.slice(at);
  return text.slice(0, at) + text.slice(at, at + 40).repeat(3) + text.slice(at + 40);
}

/**
 * `count` seeded cases. Envelope fields: version, chain (serialized wire chain), callContext, metadata,
 * optional batch/options; each case mutates the JSON tree (70%) or the text (30%).
 */
export function envelopeFuzzCases(seed: number, count: number, instance: string): FuzzCase[] {
  const rand = seededRandom(seed);
  const out: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const batch = rand() < 0.25;
    const chain = batch ? preprocess([validChain(rand), validChain(rand)]) : preprocess(validChain(rand));
    const envelope: Record<string, unknown> = {
      version: 1,
      chain,
      callContext: { callChain: [{ type: 'LumenizeWorker', bindingName: 'TEST_RUNNER' }], state: {} },
      metadata: { caller: { type: 'LumenizeWorker', bindingName: 'TEST_RUNNER' }, callee: { type: 'LumenizeDO', bindingName: 'TRAP_DO', instanceNameOrId: instance } },
    };
    if (batch) envelope.batch = true;
    if (rand() < 0.7) {
      const tree = JSON.parse(JSON.stringify(envelope)) as unknown;
      out.push({ text: JSON.stringify(mutateTree(tree, rand)) ?? 'null', how: `case ${i}: tree mutation` });
    } else {
      out.push({ text: mutateText(JSON.stringify(envelope), rand), how: `case ${i}: text mutation` });
    }
  }
  return out;
}
