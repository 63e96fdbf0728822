/** Test Worker for mesh:workerd: every test Durable Object and entrypoint class is exported here by name. */
export { CoreDO, SpyDO, StartDO, PlainDO, CountingPlainDO, CountingStartDO, FailingStartDO, GuardedDO, RawDO, AlarmDO, BankDO, CoreWorker } from './core/nodes.ts';
export { VictimDO, HostileDO, TrapDO, HostileWorker } from './core/hostile-nodes.ts';
export { FanoutSenderDO, FanoutRecipientDO, FanoutPublisherDO, CheapSubscriberDO, FanoutSubscriberDO, FailingFanoutWorker, TestFanoutWorker } from './core/fanout-nodes.ts';
export { LumenizeFanoutWorker, LumenizeClientGateway } from '../src/index.ts';

export default {
  async fetch(): Promise<Response> {
    return new Response('lumenize mesh test worker');
  },
} satisfies ExportedHandler;
