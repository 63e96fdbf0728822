/**
 * Security hardening, item 1 over the gateway: a DO calls a client whose answer is shaped like
 * nested-operation markers. The answer reaches the DO's result handler as data; nothing runs in the
 * DO with its privilege (the old shape recognizer would have run `wipe()` and `ctx.storage.deleteAll()`).
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { mesh } from '../../src/decorators.ts';
import type { OperationChain } from '../../src/ocan/types.ts';
import { until } from './helpers.ts';
import { TestClient, connected, makeClient } from './test-client.ts';
import type { LumenizeClient } from '../../src/client/index.ts';

const WIPE: OperationChain = [{ type: 'get', key: 'wipe' }, { type: 'apply', args: [] }];
const DELETE_ALL: OperationChain = [{ type: 'get', key: 'ctx' }, { type: 'get', key: 'storage' }, { type: 'get', key: 'deleteAll' }, { type: 'apply', args: [] }];
const bombs = () => [
  { __isNestedOperation: true, __operationChain: WIPE },
  [{ __isNestedOperation: true, __operationChain: DELETE_ALL }],
  { deep: { __isNestedOperation: true, __operationChain: WIPE } },
];

class HostileClient extends TestClient {
  @mesh
  bombs(): unknown {
    return bombs();
  }
}

const live: LumenizeClient[] = [];
afterEach(() => {
  for (const c of live.splice(0)) c.disconnect();
});

describe('a client answer shaped like markers', () => {
  it('reaches the calling DO handler as data; the DO keeps its storage', async () => {
    const made = makeClient(HostileClient, 'mallory');
    live.push(made.client);
    await connected(made.client);
    const echo = env.ECHO.getByName('marker-answers');
    await echo.askClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 'bombs');
    const state = async () => (await echo.answerState()) as unknown as { answer: unknown; canary: unknown };
    await until(async () => (await state()).answer !== undefined, 'the answer');
    expect(await state()).toEqual({ answer: bombs(), canary: 'alive' });
  });
});
