/** Typed access to the test Worker's env (kept local: Cloudflare.Env is shared by every package's tests). */
import { env } from 'cloudflare:test';

export interface TestEnv {
  MY_DO: DurableObjectNamespace;
  COUNTER_NODE: DurableObjectNamespace;
  REMINDER_NODE: DurableObjectNamespace;
  VIRTUAL_ALARM_DO: DurableObjectNamespace;
  NATIVE_ALARM_DO: DurableObjectNamespace;
  SIMULATED_ALARM_DO: DurableObjectNamespace;
  CUSTOM_PREFIX_DO: DurableObjectNamespace;
  GUARDED_DO: DurableObjectNamespace;
  LUMENIZE_CLIENT_GATEWAY: DurableObjectNamespace;
  LUMENIZE_AUTH: DurableObjectNamespace;
  CHAT_AGENT: DurableObjectNamespace;
  AUTH_AGENT: DurableObjectNamespace;
  SESSION_STORE: KVNamespace;
}

export const testEnv = env as unknown as TestEnv;

let counter = 0;
/** A unique DO instance name per test (no isolated storage with WebSockets). */
export function unique(label: string): string {
  counter++;
  return `${label}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}
