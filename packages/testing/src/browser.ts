/**
 * The testing `Browser`: utils' `Browser` with `SELF.fetch` as the default fetch (spec §2.2). Each
 * instance is one user (its own cookie jar); `context(origin)` is a tab or page of that user.
 */
import { Browser as UtilsBrowser, type BrowserOptions } from '@lumenize/utils';
import { isWorkerd, selfFetch } from './cloudflare-test.ts';
import { TestingEnvironmentError } from './errors.ts';

/**
 * A simulated browser over the test Worker: cookie jar, redirects, CORS contexts and a
 * cookie-carrying WebSocket class to inject into client libraries.
 * @example const alice = new Browser(); await alice.fetch('https://app.test/login');
 */
export class Browser extends UtilsBrowser {
  constructor(fetchFn?: typeof fetch, options?: BrowserOptions) {
    if (fetchFn === undefined && !isWorkerd()) {
      throw new TestingEnvironmentError(
        'Browser: no fetch available. Either (1) run inside the Cloudflare Workers vitest environment, where SELF.fetch is the default; ' +
          '(2) pass a fetch function: new Browser(myFetch); or (3) in live mode pass the real fetch: new Browser(fetch) with wrangler dev or deployed URLs.',
      );
    }
    super(fetchFn ?? selfFetch, options);
  }
}
