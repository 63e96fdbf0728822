/**
 * The compact wire's codec (src/wire/, docs/mesh-clients.md "Wire format"), inside workerd: the
 * plain-tree fast path, tagged payloads, compact chains, compact frames, and hostile input to each
 * decoder (wrong tag, id overflow, out-of-range and reused indexes, step and nesting limits).
 *
 * | brief item | tests |
 * | --- | --- |
 * | 1 plain JSON fast path, tag decides | "plain trees …", "a plain value shaped like an intermediate …" |
 * | 2 compact chains, aliases across arguments | "operations as JSON …", "aliases across arguments …", "a continuation passed twice …" |
 * | 3 short ids, interned targets | "call ids and target ids out of range …", "ClientNames …" |
 * | 4 short fields, no `success` | "responseBody …" |
 * | decoders: linear, limits, clear errors | "hostile compact chains …", "payloadText …" |
 */
import { postprocess, preprocess } from '@lumenize/structured-clone';
import { describe, expect, it } from 'vitest';
import { deserializeChain, serializeChain, serializeCompactChain } from '../../src/envelope.ts';
import { newContinuation } from '../../src/ocan/continuation.ts';
import { decodeOperationChain } from '../../src/ocan/chain-codec.ts';
import { parseClientFrame, parseGatewayFrame } from '../../src/client/frames.ts';
import { decodeCompactChain, MAX_WIRE_NESTING, MAX_WIRE_STEPS } from '../../src/wire/chain.ts';
import { decodePayload, encodePayload } from '../../src/wire/payload.ts';
import { isPlainTree, MAX_PLAIN_DEPTH } from '../../src/wire/plain.ts';
import { ClientNames, GatewayNames, MAX_NAMES } from '../../src/wire/names.ts';
import { WireFormatError } from '../../src/wire/errors.ts';
import { describeWireFrame } from '../../src/wire/describe.ts';
import { payloadText } from '../../src/gateway/intermediate-text.ts';
import { responseBody } from '../../src/gateway/response-body.ts';

interface Counter {
  increment(): number;
  add(a: number, b: number): number;
  echo(...v: unknown[]): unknown;
}
const ctn = () => newContinuation<Counter>();

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('plain trees take the fast path', () => {
  it('plain trees are plain; anything JSON would not rebuild exactly is not', () => {
    expect(isPlainTree({ a: [1, 'x', null, true, { b: -1.5 }] })).toBe(true);
    expect(isPlainTree(nested(MAX_PLAIN_DEPTH - 1))).toBe(true);
    const shared = { x: 1 };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const holey = [1, , 3];
    const notPlain = [new Date(0), new Map(), -0, NaN, Infinity, 1n, undefined, holey, cyclic, [shared, shared], Object.create(null), new (class A {})(), nested(MAX_PLAIN_DEPTH + 1)];
    notPlain.forEach((v, i) => expect(isPlainTree(v), `case ${i}`).toBe(false));
    const getter = Object.defineProperty({}, 'g', { get: () => 1, enumerable: true });
    expect(isPlainTree(getter)).toBe(false);
  });

  it('payloads: plain JSON under tag 0, everything else under tag 1, both round-trip', () => {
    const plain = { id: 7, tags: ['a', 'b'], nested: { ok: true, none: null } };
    expect(encodePayload(plain, preprocess)).toEqual([0, plain]);
    const rich = { when: new Date(0), set: new Set([1]) };
    const encoded = encodePayload(rich, preprocess);
    expect(encoded[0]).toBe(1);
    const back = decodePayload(JSON.parse(JSON.stringify(encoded)), postprocess) as typeof rich;
    expect(back.when).toBeInstanceOf(Date);
    expect([...back.set]).toEqual([1]);
  });

  it('a plain value shaped like an intermediate (or a marker) is data under tag 0', () => {
    const hostile = { root: ['$lmz', 0], objects: [['map', []]] };
    expect(decodePayload([0, hostile], postprocess)).toEqual(hostile);
    const marker = { __isNestedOperation: true, __operationChain: [{ type: 'get', key: 'x' }] };
    expect(decodePayload(JSON.parse(JSON.stringify(encodePayload(marker, preprocess))), postprocess)).toEqual(marker);
  });

  it('a payload with a wrong tag or shape is refused with WireFormatError', () => {
    for (const bad of [[7, 1], [1, 5], [1, { root: 1 }], [0], 'x', null, [0, 1, 2]]) {
      expect(() => decodePayload(bad, postprocess), JSON.stringify(bad)).toThrow(WireFormatError);
    }
  });
});

describe('compact chains', () => {
  it('operations as JSON, arguments inline when plain', () => {
    expect(serializeCompactChain(ctn().increment())).toEqual([0, [['increment', []]]]);
    const dependent = ctn().add(ctn().add(ctn().increment(), 1) as unknown as number, 2);
    const compact = serializeCompactChain(dependent);
    expect(compact[0]).toBe(0);
    expect(JSON.stringify(compact)).toBe('[0,[["add",[null,2],[[[0],[["add",[null,1],[[[0],[["increment",[]]]]]]]]]]]]');
    const decoded = decodeOperationChain(decodeCompactChain(JSON.parse(JSON.stringify(compact)), false, postprocess));
    expect(decoded).toEqual(deserializeChain(JSON.parse(JSON.stringify(serializeChain(dependent)))));
  });

  it('aliases across arguments still hold when an argument needs structured-clone', () => {
    const shared = { when: new Date(5) };
    const compact = serializeCompactChain(ctn().echo(shared, [shared]));
    expect(compact[0]).toBe(1);
    const chain = decodeOperationChain(decodeCompactChain(JSON.parse(JSON.stringify(compact)), false, postprocess));
    const args = (chain[1] as { args: unknown[] }).args as [typeof shared, [typeof shared]];
    expect(args[0].when).toBeInstanceOf(Date);
    expect(args[1][0]).toBe(args[0]);
  });

  it('a continuation passed twice stays one (the version-1 form, tag 2)', () => {
    const once = ctn().increment();
    const compact = serializeCompactChain(ctn().add(once as unknown as number, once as unknown as number));
    expect(compact[0]).toBe(2);
    const chain = decodeOperationChain(decodeCompactChain(JSON.parse(JSON.stringify(compact)), false, postprocess));
    const args = (chain[1] as { args: unknown[] }).args;
    expect(args[0]).toBe(args[1]);
  });

  it('bad arguments still fail at encoding: functions and the $result placeholder', () => {
    expect(() => serializeCompactChain(ctn().echo(() => 1))).toThrow(/Cannot send a function/);
    expect(() => serializeCompactChain(ctn().echo({ __isResultPlaceholder: true }))).toThrow(/\$result placeholder/);
  });

  it('a ctnBatch list encodes as one compact chain of chains', () => {
    const chains = [ctn().increment(), ctn().add(1, 2)].map((c) => decodeOperationChain(decodeCompactChain(serializeCompactChain(c), false, postprocess)));
    const compact = serializeCompactChain(undefined, chains);
    expect(compact).toEqual([0, [[['increment', []]], [['add', [1, 2]]]]]);
    expect(decodeCompactChain(compact, true, postprocess)).toHaveLength(2);
  });

  it('hostile compact chains are refused naming the problem, within the step and nesting limits', () => {
    const refuse = (v: unknown, re: RegExp, batch = false) => expect(() => decodeCompactChain(v, batch, postprocess), JSON.stringify(v).slice(0, 60)).toThrow(re);
    refuse([9, []], /unknown chain tag/);
    refuse('x', /expected \[tag/);
    refuse([0, [[null]]], /\[null\] is not an operation/);
    refuse([0, [[{}, []]]], /key must be/);
    refuse([0, [['a', 'not args']]], /arguments must be an array/);
    refuse([0, [['a', [], [[[0]]]]]], /nested entry/);
    const table = preprocess([[1]]);
    refuse([1, [['a', 1]], table], /not in the argument table/);
    refuse([1, [['a', 0], ['b', 0]], table], /used twice/);
    refuse([1, [['a', -1]], table], /not in the argument table/);
    refuse([1, [['a', 0]]], /tag 1 needs/);
    refuse([0, []], /non-empty list/, true);
    const long = Array.from({ length: MAX_WIRE_STEPS + 1 }, () => ['a']);
    expect(() => decodeCompactChain([0, long], false, postprocess)).toThrow(expect.objectContaining({ code: 'LIMIT' }));
    let deep: unknown = [['x', []]];
    for (let i = 0; i <= MAX_WIRE_NESTING + 1; i++) deep = [['x', [null], [[[0], deep]]]];
    expect(() => decodeCompactChain([0, deep], false, postprocess)).toThrow(expect.objectContaining({ code: 'LIMIT' }));
  });
});

describe('compact frames', () => {
  const chain = [0, [['increment', []]]];

  it('a compact call parses to the same call the gateway forwards; old-format frames still parse', () => {
    const r = parseClientFrame(JSON.stringify({ t: 'c', i: 7, d: [1, 'COUNTER', 'c1'], o: chain[1], s: 2, a: 1 }));
    expect(r).toEqual({ ok: true, frame: { type: 'call', callId: '7', binding: 'COUNTER', instance: 'c1', chain, compact: 'o', defines: 1, seq: 2, ack: 1 } });
    expect(parseClientFrame(JSON.stringify({ t: 'c', i: 8, d: 1, c: chain }))).toMatchObject({ ok: true, frame: { callId: '8', target: 1, compact: 'c' } });
    const batch = parseClientFrame('{"t":"b","f":[{"i":1,"d":1,"o":[["a",[]]]},{"i":2,"d":1,"o":[["b",[]]]}],"s":3,"a":0}');
    expect(batch).toMatchObject({ ok: true, frame: { type: 'batch', compact: true, seq: 3, frames: [{ callId: '1' }, { callId: '2' }], refused: [] } });
    expect(parseClientFrame(JSON.stringify({ t: 'a', a: 4 }))).toEqual({ ok: true, frame: { type: 'ack', ack: 4 } });
    expect(parseClientFrame(JSON.stringify({ type: 'call', callId: 'x1', binding: 'COUNTER', chain: serializeChain(ctn().increment()) })).ok).toBe(true);
  });

  it('call ids and target ids out of range, bad names and wrong tags are refused with a reason', () => {
    const reason = (o: unknown) => {
      const r = parseClientFrame(JSON.stringify(o));
      return r.ok ? 'accepted' : r.reason;
    };
    expect(reason({ t: 'c', i: 2 ** 53, d: 1, c: chain })).toMatch(/valid id/);
    expect(reason({ t: 'c', i: 0, d: 1, c: chain })).toMatch(/valid id/);
    expect(reason({ t: 'c', i: 1.5, d: 1, c: chain })).toMatch(/valid id/);
    expect(reason({ t: 'c', i: 1, d: MAX_NAMES + 1, c: chain })).toMatch(/target id out of range/);
    expect(reason({ t: 'c', i: 1, d: [MAX_NAMES + 1, 'A'], c: chain })).toMatch(/target id out of range/);
    expect(reason({ t: 'c', i: 1, d: [1, 'not a binding'], c: chain })).toMatch(/valid binding/);
    expect(reason({ t: 'c', i: 1, d: [1, 'A', ''], c: chain })).toMatch(/invalid instance/);
    expect(reason({ t: 'c', i: 1, d: 'A', c: chain })).toMatch(/without a target/);
    expect(reason({ t: 'c', i: 1, d: 1, c: [7, []] })).toMatch(/compact chain/);
    expect(reason({ t: 'c', i: 1, d: 1, o: {} })).toMatch(/not an array/);
    expect(reason({ t: 'c', i: 1, d: 1, o: [], c: chain })).toMatch(/both o and c/);
    expect(reason({ t: 'b', f: [{ t: 'b', f: [] }] })).toBe('accepted'); // the inner one is refused alone
    expect(parseClientFrame('{"t":"b","f":[{"t":"b","f":[]}]}')).toMatchObject({ ok: true, frame: { frames: [], refused: [{ index: 0 }] } });
    expect(reason({ t: 'c', i: 1, d: 1, c: chain, s: -1 })).toMatch(/seq/);
    expect(reason({ t: 'z', i: 1 })).toMatch(/unknown compact frame type/);
    const refused = parseClientFrame(JSON.stringify({ t: 'c', i: 3, d: 1, c: [7] }));
    expect(refused).toMatchObject({ ok: false, type: 'call', callId: '3' });
  });

  it('compact call_response: the member is the tag (j plain, r intermediate, e error), x marks retryable; no success field', () => {
    expect(parseGatewayFrame('{"t":"r","i":7,"j":2,"seq":3,"ack":2}')).toEqual({ ok: true, frame: { type: 'call_response', callId: '7', success: true, result: [0, 2], tagged: true, seq: 3, ack: 2 } });
    expect(parseGatewayFrame('{"t":"r","i":7,"r":{"root":1,"objects":[]}}')).toMatchObject({ ok: true, frame: { success: true, result: [1, { root: 1, objects: [] }] } });
    expect(parseGatewayFrame('{"t":"r","i":7,"e":{"root":1,"objects":[]},"x":1}')).toMatchObject({ ok: true, frame: { success: false, retryable: true } });
    expect(parseGatewayFrame('{"t":"r","i":7}')).toMatchObject({ ok: false, reason: 'call_response needs exactly one of j, r or e' });
    expect(parseGatewayFrame('{"t":"r","i":7,"j":1,"e":{"root":1,"objects":[]}}')).toMatchObject({ ok: false });
    expect(parseGatewayFrame('{"t":"b","f":[{"i":1,"j":1},{"type":"incoming_call","callId":"u","chain":{},"callContext":{"callChain":[]}}],"seq":4}')).toMatchObject({
      ok: true,
      frame: { type: 'batch', frames: [{ type: 'call_response', callId: '1' }, { type: 'incoming_call', callId: 'u' }] },
    });
  });

  it('payloadText proves a callee result text is exactly one payload (no frame injection)', () => {
    expect(payloadText('[0,{"a":[1,2]}]')).toEqual({ tag: 0, data: '{"a":[1,2]}' });
    expect(payloadText('[1,{"root":2,"objects":[]}]')).toEqual({ tag: 1, data: '{"root":2,"objects":[]}' });
    for (const bad of ['[0,1],"seq":999', '[2,1]', '[1,5]', '[0,1', '[0,1]]', '{"root":1,"objects":[]}', '[0,"\\x"]', '[01,1]']) {
      expect('problem' in payloadText(bad), bad).toBe(true);
    }
  });

  it('responseBody: version 2 splices the payload; version 1 gets an intermediate', () => {
    const ok = { type: 'call_response', callId: '7', success: true };
    expect(responseBody(ok, '[0,2]', 2)).toBe('{"t":"r","i":7,"j":2}');
    expect(responseBody(ok, '[1,{"root":2,"objects":[]}]', 2)).toBe('{"t":"r","i":7,"r":{"root":2,"objects":[]}}');
    expect(responseBody(ok, '{"root":2,"objects":[]}', 2)).toBe('{"t":"r","i":7,"r":{"root":2,"objects":[]}}');
    const v1 = JSON.parse(responseBody(ok, '[0,{"a":1}]', 1)) as { result: unknown };
    expect(postprocess(v1.result as never)).toEqual({ a: 1 });
    expect(JSON.parse(responseBody(ok, '[1,{"root":3,"objects":[]}]', 1))).toEqual({ ...ok, result: { root: 3, objects: [] } });
    // A version-1 call id on a version-2 session is answered in version 1.
    expect(JSON.parse(responseBody({ ...ok, callId: 'abc.1' }, '[0,2]', 2))).toMatchObject({ type: 'call_response', callId: 'abc.1' });
    const failed = { type: 'call_response', callId: '8', success: false, error: { root: 1, objects: [] }, retryable: true };
    expect(responseBody(failed, undefined, 2)).toBe('{"t":"r","i":8,"e":{"root":1,"objects":[]},"x":1}');
  });

  it('describeWireFrame decodes a compact frame for people (debug logs, docs)', () => {
    const text = '{"t":"c","i":7,"d":[1,"COUNTER","c1"],"o":[["add",[1,2]]],"s":2,"a":1}';
    expect(describeWireFrame(text)).toEqual({ type: 'call', callId: '7', target: { id: 1, binding: 'COUNTER', instance: 'c1' }, chain: [{ type: 'get', key: 'add' }, { type: 'apply', args: [1, 2] }], seq: 2, ack: 1 });
    expect(describeWireFrame('{"t":"r","i":7,"j":3}')).toEqual({ type: 'call_response', callId: '7', result: 3 });
    expect(describeWireFrame('{"t":"b","f":[{"i":1,"j":1},{"i":2,"j":2}],"seq":5,"ack":3}')).toEqual({
      type: 'batch',
      frames: [
        { type: 'call_response', callId: '1', result: 1 },
        { type: 'call_response', callId: '2', result: 2 },
      ],
      seq: 5,
      ack: 3,
    });
    expect(describeWireFrame('nope')).toEqual({ invalid: 'frame is not valid JSON' });
  });
});

describe('interned targets', () => {
  it('ClientNames sends the definition until an answer confirms it, then the id; a new session starts over', () => {
    const names = new ClientNames();
    expect(names.render('COUNTER', 'c1')).toEqual({ text: '[1,"COUNTER","c1"]', defines: 1 });
    expect(names.render('COUNTER', 'c1')).toEqual({ text: '[1,"COUNTER","c1"]', defines: 1 });
    names.confirm(1);
    expect(names.render('COUNTER', 'c1')).toEqual({ text: '1', defines: 0 });
    expect(names.render('WORKER', undefined)).toEqual({ text: '[2,"WORKER"]', defines: 2 });
    names.reset();
    expect(names.render('COUNTER', 'c1').defines).toBe(1);
  });

  it('past MAX_NAMES targets travel with their names (id 0); the gateway refuses unknown ids and redefinitions', () => {
    const names = new ClientNames();
    for (let i = 0; i < MAX_NAMES; i++) names.render('B', `i${i}`);
    expect(names.render('B', 'one-more')).toEqual({ text: '[0,"B","one-more"]', defines: 0 });
    const stored: number[] = [];
    const table = new GatewayNames((id) => stored.push(id));
    table.define(1, { binding: 'A', instance: 'x' });
    table.define(1, { binding: 'A', instance: 'x' });
    expect(stored).toEqual([1]);
    expect(table.resolve(1)).toEqual({ binding: 'A', instance: 'x' });
    expect(() => table.define(1, { binding: 'A', instance: 'y' })).toThrow(/already defined/);
    expect(() => table.resolve(2)).toThrow(expect.objectContaining({ code: 'UNKNOWN_NAME' }));
  });
});
