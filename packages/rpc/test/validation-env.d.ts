declare namespace Cloudflare {
  interface Env {
    VALIDATED_RPC_DO: DurableObjectNamespace<import('./validation-nodes.ts').ValidatedRpcDO>;
  }
}
