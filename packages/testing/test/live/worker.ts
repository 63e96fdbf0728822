/**
 * The live-mode test Worker, served by real `wrangler dev` (test/node/global-setup.ts): the example
 * DO instrumented with a guard token, as a deployed test Worker must be, plus its plain routes.
 */
import { routeDORequest } from '@lumenize/utils';
import { instrumentDOProject } from '../../src/index.ts';
import { MyDO as AppDO } from '../fixtures/my-do.ts';

/** The token the Node-side tests send (test-only; a real deployment takes it from a secret). A Worker module may export only handlers and classes, so live.dev.test.ts repeats it. */
const LIVE_GUARD_TOKEN = 'live-mode-test-token';

const harness = instrumentDOProject({
  sourceModule: {
    MyDO: AppDO,
    default: {
      async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
        return (await routeDORequest(request, env, { bindings: ['MY_DO'] })) ?? new Response('live: not found', { status: 404 });
      },
    } satisfies ExportedHandler<Record<string, unknown>>,
  },
  doClassNames: ['MyDO'],
  guardToken: LIVE_GUARD_TOKEN,
});

export const { MyDO } = harness.dos;
export default harness;
