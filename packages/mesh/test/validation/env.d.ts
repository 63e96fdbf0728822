declare namespace Cloudflare {
  interface Env {
    VALIDATED_DO: DurableObjectNamespace<import('./nodes.ts').ValidatedDO>;
  }
}
