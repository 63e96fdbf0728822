/**
 * Expected log records, hidden from `npm test` output (vitest's root `onConsoleLog`). Some tests drive
 * a refusal on purpose and the code under test logs it, as it should in production: a gateway
 * refusing a hostile frame, a router with no allow-list, a test Worker deliberately without a
 * rate-limit binding. Printed, those lines bury real failures. Only the exact records below, from the
 * named test files, are hidden; anything else prints, and the count of hidden records is printed at
 * exit so nothing disappears silently. Tests that assert their logs capture them instead
 * (debug.setOutput, e.g. packages/mesh/test/client/captured-logs.ts).
 */
interface ExpectedLog {
  namespace: string;
  message: string | RegExp;
  /** Test files (module id) whose runs produce it on purpose. */
  file: RegExp;
  why: string;
}

const MESH_CLIENT_TESTS = /packages\/mesh\/test\/client\//;
const GATEWAY = 'lmz.mesh.LumenizeClientGateway.webSocketMessage';

const EXPECTED: ExpectedLog[] = [
  { namespace: 'lmz.utils.checkRateLimit', message: /^rate-limit binding LUMENIZE_GATEWAY_RATE_LIMITER is missing/, file: MESH_CLIENT_TESTS, why: 'the client test Worker has no limiter binding (fail-open path); rate-limit tests inject their own' },
  { namespace: GATEWAY, message: 'token expired, closing 4401', file: /client\/(gateway|client)\.test\.ts$/, why: 'token-expiry tests' },
  { namespace: GATEWAY, message: 'oversize frame, closing 1009', file: /client\/gateway\.test\.ts$/, why: 'oversize-frame test' },
  { namespace: GATEWAY, message: 'malformed frame ignored', file: /client\/batching\.test\.ts$/, why: 'malformed-batch test' },
  { namespace: GATEWAY, message: 'client not acknowledging, closing 1008', file: /client\/(outbox|resume)\.test\.ts$/, why: 'never-acking client tests' },
  { namespace: GATEWAY, message: 'unexpected incoming_call_response ignored', file: /client\/incoming-ids\.test\.ts$/, why: 'a late answer to a replayed incoming call' },
  { namespace: GATEWAY, message: 'sequence gap, closing 1002', file: /client\/resume\.test\.ts$/, why: 'the protocol-rules test sends a gap' },
  { namespace: 'lmz.mcp.McpClientExecutor', message: 'refused executeMcp from a caller that is not the origin DO', file: /packages\/mcp\/test\/workerd\/client\.test\.ts$/, why: 'the no-open-relay test' },
  { namespace: 'lmz.mesh.LumenizeClientGateway.rateLimit', message: 'rate-limit check failed; call answered with an error', file: /client\/gateway\.test\.ts$/, why: 'a limiter that throws' },
  { namespace: 'lmz.utils.routeDORequest', message: /^routeDORequest has no bindings allow-list/, file: /packages\/utils\/test\//, why: 'tests of routing without an allow-list (the warning itself is asserted in binding-allow-list.test.ts)' },
  { namespace: 'lmz.rpc.server', message: 'response send failed', file: /packages\/rpc\/test\/workerd\/transport\.test\.ts$/, why: 'server-close test: the socket closes before the reply' },
  { namespace: 'lmz.rpc.websocket', message: /callback threw$/, file: /packages\/rpc\/test\/workerd\/transport\.test\.ts$/, why: 'item 32: throwing callbacks are swallowed and logged' },
  { namespace: 'lmz.rpc.client', message: 'response for an unknown entry id ignored', file: /packages\/rpc\/test\/workerd\/bad-input\.test\.ts$/, why: 'unknown-id response test' },
];

let hidden = 0;

function isExpected(line: string, file: string): boolean {
  if (!line.startsWith('{"type":"debug"')) return false;
  let record: { namespace?: unknown; message?: unknown };
  try {
    record = JSON.parse(line) as typeof record;
  } catch {
    return false;
  }
  const { namespace, message } = record;
  if (typeof namespace !== 'string' || typeof message !== 'string') return false;
  return EXPECTED.some((e) => e.namespace === namespace && e.file.test(file) && (typeof e.message === 'string' ? e.message === message : e.message.test(message)));
}

/** vitest `onConsoleLog`: false hides the log. */
export function onConsoleLog(log: string, _type: 'stdout' | 'stderr', entity: { module?: { moduleId: string }; moduleId?: string } | undefined): false | void {
  const file = entity?.module?.moduleId ?? entity?.moduleId ?? '';
  const lines = log.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0 || !lines.every((l) => isExpected(l.trim(), file))) return;
  if (hidden++ === 0) process.on('exit', () => process.stderr.write(`[lumenize] hid ${hidden} expected log record(s) from tests that provoke them on purpose (tools/expected-logs.ts)\n`));
  return false;
}
