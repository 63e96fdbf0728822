declare namespace Cloudflare {
  interface Env {
    DEBUG: string;
    LUMENIZE_CLIENT_GATEWAY: DurableObjectNamespace<import('./worker.ts').TestGateway>;
    MY_GATEWAY: DurableObjectNamespace<import('./worker.ts').TestGateway>;
    SHORT_GATEWAY: DurableObjectNamespace<import('./worker.ts').ShortTimeoutGateway>;
    LIMITED_GATEWAY: DurableObjectNamespace<import('./worker.ts').RateLimitedGateway>;
    ECHO: DurableObjectNamespace<import('./worker.ts').EchoDO>;
    DOCUMENT: DurableObjectNamespace<import('./worker.ts').DocumentDO>;
    STREAM: DurableObjectNamespace<import('./worker.ts').StreamDO>;
    CLOSER: DurableObjectNamespace<import('./worker.ts').CloserDO>;
    NEWS: DurableObjectNamespace<import('./worker.ts').NewsDO>;
    READER: DurableObjectNamespace<import('./worker.ts').ReaderDO>;
    RAW_REPLY: DurableObjectNamespace<import('./hostile-nodes.ts').RawReplyDO>;
    CAPPED_NEWS: DurableObjectNamespace<import('./hostile-nodes.ts').CappedNewsDO>;
    COUNTING_GATEWAY: DurableObjectNamespace<import('./outbox-nodes.ts').CountingGateway>;
    STALE_GATEWAY: DurableObjectNamespace<import('./outbox-nodes.ts').StaleGateway>;
    TINY_GATEWAY: DurableObjectNamespace<import('./outbox-nodes.ts').TinyOutboxGateway>;
    HOLD: DurableObjectNamespace<import('./outbox-nodes.ts').HoldDO>;
    BIG: DurableObjectNamespace<import('./outbox-nodes.ts').BigDO>;
    SPELLCHECK: Service<import('./worker.ts').SpellCheckWorker>;
    TEST_GATEWAY_LIMITER: RateLimit;
  }
}
