/**
 * `@lumenize/testing/test-endpoints`: an httpbin-like upstream that runs in-process as a Durable
 * Object and records what it receives. Guide: docs/testing.md.
 */
export { TestEndpointsDO } from './test-endpoints-do.ts';
export { testEndpointsHandler, TEST_ENDPOINTS_BINDING, TEST_ENDPOINTS_SEGMENT } from './handler.ts';
export { createTestEndpoints, buildTestEndpointUrl, type TestEndpoints } from './client.ts';
export { decodeSnapshot as decodeTracking, TRACKING_KEYS, type TrackingSnapshot, type TrackingData } from './tracking.ts';
export { MAX_DELAY_MS, MAX_REDIRECTS, MAX_BYTES } from './endpoints.ts';
export { MAX_HOLD_MS } from './holds.ts';
export { TOKEN_HEADER, UNAUTHORIZED_TEXT } from './token.ts';
