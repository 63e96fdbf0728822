/**
 * A node's calls ask for `$result` as JSON text (src/node/reply.ts): plain trees and rich values
 * come back unchanged, batched or not, and a malformed reply fails with a clear error.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decodeNodeReply } from '../../src/node/reply.ts';
import { serializeValue } from '../../src/envelope.ts';
import type { CoreDO, SpyDO } from './nodes.ts';

function inDO<R>(name: string, fn: (instance: CoreDO) => R | Promise<R>) {
  return runInDurableObject(env.CORE_DO.getByName(name), (instance: CoreDO) => {
    instance.lmz.init({ bindingName: 'CORE_DO', instanceNameOrId: name });
    return fn(instance);
  });
}

const rich = () => ({ when: new Date(0), map: new Map([['k', new Set([1n])]]), nothing: undefined, nan: NaN, bytes: new Uint8Array([1, 2]) });

describe('node call results as text', () => {
  it('plain and rich results arrive unchanged, alone and in a batch', async () => {
    const [lone, batched] = await inDO('reply-values', async (a) => {
      const one = await a.lmz.callRaw('SPY_DO', 'reply-values-spy', a.ctn<SpyDO>().echo(rich()));
      const many = await Promise.all([
        a.lmz.callRaw('SPY_DO', 'reply-values-spy', a.ctn<SpyDO>().echo({ plain: [1, 'two', { three: true }, null] })),
        a.lmz.callRaw('SPY_DO', 'reply-values-spy', a.ctn<SpyDO>().echo(rich())),
        a.lmz.callRaw('SPY_DO', 'reply-values-spy', a.ctn<SpyDO>().echo('text')),
      ]);
      return [one, many];
    });
    expect(lone).toEqual(rich());
    expect(batched).toEqual([{ plain: [1, 'two', { three: true }, null] }, rich(), 'text']);
  });

  it('decodes every reply form a callee may send', () => {
    expect(decodeNodeReply({ $result: '[0,{"a":[1,2]}]' })).toEqual({ a: [1, 2] });
    expect(decodeNodeReply({ $result: JSON.stringify([1, serializeValue(new Map([[1, 2]]))]) })).toEqual(new Map([[1, 2]]));
    expect(decodeNodeReply({ $result: JSON.stringify(serializeValue(new Set(['s']))) })).toEqual(new Set(['s']));
    expect(decodeNodeReply({ $result: serializeValue([undefined]) })).toEqual([undefined]);
    expect(() => decodeNodeReply({ $error: serializeValue(new RangeError('far')) })).toThrow(RangeError);
  });

  it('refuses malformed replies with a message naming the problem', () => {
    expect(() => decodeNodeReply({ $result: '{not json' })).toThrow('Invalid call result: $result text is not JSON');
    expect(() => decodeNodeReply({ $result: '[0]' })).toThrow('Invalid call result: $result payload must be [tag, data]');
    expect(() => decodeNodeReply({ $result: '[7,1]' })).toThrow('Invalid call result: unknown $result payload tag 7');
    expect(() => decodeNodeReply({ $result: '[1,{"x":1}]' })).toThrow('Invalid call result');
    expect(() => decodeNodeReply({ $result: '{"x":1}' })).toThrow('Invalid call result');
    expect(() => decodeNodeReply(null)).toThrow('Invalid call result');
  });
});
