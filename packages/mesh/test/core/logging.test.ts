/** mesh.md §8 debug integration for the core: call send, receive, handler run and errors under lmz.mesh.*. */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { CoreDO } from './nodes.ts';
import { waitFor } from './helpers.ts';
import { logsOf, mark } from './logs.ts';

describe('debug logging', () => {
  it('logs call sent, call received, handler ran and handler failures with their namespaces', async () => {
    const since = mark();
    await runInDurableObject(env.CORE_DO.getByName('log-a'), (a: CoreDO) => {
      a.lmz.init({ bindingName: 'CORE_DO', instanceNameOrId: 'log-a' });
      a.lmz.call('OTHER_DO', 'log-b', a.ctn<CoreDO>().echo(1), a.ctn().store('logged', a.ctn().$result));
      a.lmz.call('OTHER_DO', 'log-b', a.ctn<CoreDO>().echo(2), a.ctn().throwingHandler('logFail', a.ctn().$result));
    });
    await waitFor(() => (logsOf('lmz.mesh.LumenizeDO.resultHandler', 'error', since).length ? true : undefined));
    await waitFor(() => (logsOf('lmz.mesh.LumenizeDO.resultHandler', 'debug', since).length ? true : undefined));
    const sent = logsOf('lmz.mesh.LumenizeDO.call', 'debug', since);
    expect(sent.map((r) => r.message)).toEqual(['call sent', 'call sent']);
    expect(sent[0].data).toMatchObject({ binding: 'OTHER_DO', instance: 'log-b', method: 'echo' });
    const received = logsOf('lmz.mesh.LumenizeDO.__executeOperation', 'debug', since).filter((r) => r.message === 'call received');
    expect(received).toHaveLength(2);
    expect(logsOf('lmz.mesh.LumenizeDO.resultHandler', 'debug', since)[0]).toMatchObject({ message: 'result handler ran', data: { handler: 'store' } });
    expect(logsOf('lmz.mesh.LumenizeDO.resultHandler', 'error', since)[0]).toMatchObject({ message: 'result handler failed', data: { handler: 'throwingHandler' } });
  });
});
