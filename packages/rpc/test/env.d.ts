declare namespace Cloudflare {
  interface Env {
    DEBUG: string;
    RPC_DO: DurableObjectNamespace<import('./nodes.ts').CounterBase>;
    SUB_DO: DurableObjectNamespace<import('./nodes.ts').CounterBase>;
    METHODS_DO: DurableObjectNamespace<import('./nodes.ts').CounterBase>;
    TX_DO: DurableObjectNamespace<import('./nodes.ts').CounterBase>;
    GUARD_DO: DurableObjectNamespace<import('./nodes.ts').CounterBase>;
    MANUAL_DO: DurableObjectNamespace<import('./nodes.ts').ManualDO>;
    ROOM: DurableObjectNamespace<import('./nodes.ts').RoomDO>;
    CAPN_DO: DurableObjectNamespace<import('./capn-nodes.ts').CapnDO>;
    SUB_ROOM: DurableObjectNamespace<import('./nodes.ts').SubRoomDO>;
    ACCEPT_DO: DurableObjectNamespace<import('./nodes.ts').CounterBase>;
  }
}
