/**
 * The client entry's optional parts (issue 18 item 3): `@mesh({ args })` and `subscribe` say which
 * import they need until it is loaded, then work. Imports only the client entry, so this file's
 * module graph starts without the schema code and the pub/sub client (vitest isolates each file).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LumenizeClient, mesh } from '../../src/client/index.ts';

class Tab extends LumenizeClient {
  onNews(_value: unknown): void {}
}

/** A client pointed at a closed port: it never connects, which these checks do not need. */
function offlineTab(): Tab {
  return new Tab({ instanceName: 'u.t', baseUrl: 'http://127.0.0.1:9', accessToken: 'not-used' });
}

describe('optional client entries', () => {
  it("@mesh({ args }) on a client throws, naming '@lumenize/mesh/client/validation', until that is imported", async () => {
    const define = () =>
      class Checked {
        @mesh({ args: [z.string()] })
        echo(s: string): string {
          return s;
        }
      };
    expect(define).toThrow("@mesh on 'echo' declares schemas, but schema validation is not loaded: add import '@lumenize/mesh/client/validation'");
    await import('../../src/client/validation.ts');
    const { getMethodSchemas } = await import('../../src/validation/registry.ts');
    expect(getMethodSchemas(define().prototype.echo)?.args).toHaveLength(1);
  });

  it("subscribe throws, naming '@lumenize/mesh/client/pubsub', until that is imported", async () => {
    const tab = offlineTab();
    try {
      const follow = () => tab.subscribe('NEWS', 'n1', 'news', tab.ctn<Tab>().onNews(tab.ctn().$result));
      expect(follow).toThrow("LumenizeClient.subscribe needs the pub/sub client: add import '@lumenize/mesh/client/pubsub'");
      expect(() => tab.lmz.subscribe('NEWS', 'n1', 'news', tab.ctn<Tab>().onNews(tab.ctn().$result))).toThrow('needs the pub/sub client');
      await import('../../src/client/pubsub.ts');
      using sub = follow();
      expect(sub.status).toBe('pending');
      expect(sub.topic).toBe('news');
    } finally {
      tab.disconnect();
    }
  });
});
