declare namespace Cloudflare {
  interface Env {
    DEBUG: string;
    CORE_DO: DurableObjectNamespace<import('./core/nodes.ts').CoreDO>;
    OTHER_DO: DurableObjectNamespace<import('./core/nodes.ts').CoreDO>;
    START_DO: DurableObjectNamespace<import('./core/nodes.ts').StartDO>;
    PLAIN_DO: DurableObjectNamespace<import('./core/nodes.ts').PlainDO>;
    COUNTING_PLAIN_DO: DurableObjectNamespace<import('./core/nodes.ts').CountingPlainDO>;
    COUNTING_START_DO: DurableObjectNamespace<import('./core/nodes.ts').CountingStartDO>;
    FAILING_START_DO: DurableObjectNamespace<import('./core/nodes.ts').FailingStartDO>;
    SPY_DO: DurableObjectNamespace<import('./core/nodes.ts').SpyDO>;
    GUARDED_DO: DurableObjectNamespace<import('./core/nodes.ts').GuardedDO>;
    RAW_DO: DurableObjectNamespace<import('./core/nodes.ts').RawDO>;
    ALARM_DO: DurableObjectNamespace<import('./core/nodes.ts').AlarmDO>;
    BANK_DO: DurableObjectNamespace<import('./core/nodes.ts').BankDO>;
    CORE_WORKER: Service<import('./core/nodes.ts').CoreWorker>;
    VICTIM_DO: DurableObjectNamespace<import('./core/hostile-nodes.ts').VictimDO>;
    HOSTILE_DO: DurableObjectNamespace<import('./core/hostile-nodes.ts').HostileDO>;
    TRAP_DO: DurableObjectNamespace<import('./core/hostile-nodes.ts').TrapDO>;
    HOSTILE_WORKER: Service<import('./core/hostile-nodes.ts').HostileWorker>;
    OTHER_WORKER: Service<import('./core/nodes.ts').CoreWorker>;
    FANOUT_SENDER: DurableObjectNamespace<import('./core/fanout-nodes.ts').FanoutSenderDO>;
    FANOUT_RECIPIENT: DurableObjectNamespace<import('./core/fanout-nodes.ts').FanoutRecipientDO>;
    FANOUT_PUBLISHER: DurableObjectNamespace<import('./core/fanout-nodes.ts').FanoutPublisherDO>;
    CHEAP_SUBSCRIBER: DurableObjectNamespace<import('./core/fanout-nodes.ts').CheapSubscriberDO>;
    FANOUT_SUBSCRIBER: DurableObjectNamespace<import('./core/fanout-nodes.ts').FanoutSubscriberDO>;
    LUMENIZE_CLIENT_GATEWAY: DurableObjectNamespace<import('../src/index.ts').LumenizeClientGateway>;
    LUMENIZE_FANOUT: Service<import('../src/index.ts').LumenizeFanoutWorker>;
    FAILING_FANOUT: Service<import('./core/fanout-nodes.ts').FailingFanoutWorker>;
  }
}
