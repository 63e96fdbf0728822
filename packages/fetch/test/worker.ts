// Test Worker for @lumenize/fetch: the origin DOs, the executor, and the in-process test endpoints
// (the default export answers /test-endpoints-do/... so TEST_ENDPOINTS reaches them offline).
import '../src/index.ts';
import { testEndpointsHandler } from '@lumenize/testing/test-endpoints';

export { FetchExecutorEntrypoint } from '../src/index.ts';
export { TestEndpointsDO } from '@lumenize/testing/test-endpoints';
export { FetchTestDO, NoIdentityDO, PlainFetchDO, HostileDO } from './nodes.ts';

export default testEndpointsHandler;
