// Test Worker for the test-endpoints project: the DO, the routing handler, and a token-guarded twin.
import { TestEndpointsDO, testEndpointsHandler } from '../../src/test-endpoints/index.ts';

export { TestEndpointsDO };

/** The same DO with `TEST_TOKEN` set, to test token mode without a second Worker. */
export class TokenEndpointsDO extends TestEndpointsDO {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, { ...env, TEST_TOKEN: 'sesame' } as Cloudflare.Env);
  }
}

export default testEndpointsHandler;
