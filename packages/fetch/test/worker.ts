// Test Worker for @lumenize/fetch: the origin DOs, the executor, and the in-process test endpoints
// (the default export answers /test-endpoints-do/... so TEST_ENDPOINTS reaches them offline).
// Origin DOs use virtual alarms: no watchdog fires on its own; tests run it (runNextAlarm/triggerAlarms).
import '../src/index.ts';
import { withVirtualAlarms } from '@lumenize/testing';
import { testEndpointsHandler } from '@lumenize/testing/test-endpoints';
import { FetchTestDO as FetchTestDOBase, HostileDO as HostileDOBase } from './nodes.ts';

export { FetchExecutorEntrypoint } from '../src/index.ts';
export { TestEndpointsDO } from '@lumenize/testing/test-endpoints';
export { NoIdentityDO, PlainFetchDO, HostileWorker, BrokenUpstream } from './nodes.ts';
export const FetchTestDO = withVirtualAlarms(FetchTestDOBase);
export const HostileDO = withVirtualAlarms(HostileDOBase);

export default testEndpointsHandler;
