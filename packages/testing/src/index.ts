/**
 * @lumenize/testing: in-process tests that reach Durable Object internals through the Worker, a
 * cookie-aware Browser, and a fault harness for hibernation, eviction, alarms and sockets.
 * Guide: docs/testing.md. Test endpoints: `@lumenize/testing/test-endpoints`.
 */
export { createTestingClient, PLACEHOLDER_BASE_URL, type TestingClientConfig, type TestingClient } from './testing-client.ts';
export type { TestingClientExtras } from './field-writes.ts';
export { instrumentDOProject, type InstrumentDOProjectConfig, type InstrumentedDOProject } from './instrument.ts';
export { Browser } from './browser.ts';
export { withAlarmSimulation, type AlarmSimulationConfig } from './alarm-simulation.ts';
export { withVirtualAlarms, VIRTUAL_ALARM_KEY } from './virtual-alarms.ts';
export { testClock } from './clock.ts';
export { runNextAlarm, advanceClock, getVirtualAlarm, MAX_ALARM_RUNS_PER_ADVANCE, type AlarmRun } from './time-travel.ts';
export { hibernate, evict } from './lifecycle.ts';
export { FaultyNetwork, type FaultyNetworkOptions } from './faulty-network.ts';
export { FaultyConnection, type FaultDirection, type ReleaseOrder } from './faulty-connection.ts';
export { GUARD_HEADER, GUARD_PROTOCOL_PREFIX } from './guard.ts';
export { seededRandom } from './seeded-random.ts';
export { TestingEnvironmentError, InstrumentationError, RpcRouteError, HarnessError } from './errors.ts';
// Re-exports (spec §2.3, §2.7).
export { getWebSocketShim, type Metrics, type Cookie, type BrowserOptions, type BrowserContext, type PreflightRecord } from '@lumenize/utils';
export { sendDownstream, type RpcAccessible, type RpcClientProxy } from '@lumenize/rpc';
