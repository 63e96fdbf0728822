declare namespace Cloudflare {
  interface Env {
    DEBUG: string;
    MY_DO: DurableObjectNamespace<import('./worker.ts').MyDO>;
  }
}
