/**
 * Test Worker for @lumenize/auth's workerd project: the auth DO, test subclasses that vary the
 * environment or the email service, a DO protected by the middlewares, and a fake email provider
 * (the only mocked edge: a provider's HTTP API).
 */
import { DurableObject } from 'cloudflare:workers';
import { routeDORequest } from '@lumenize/utils';
import {
  createAuthMiddleware,
  createWebSocketAuthMiddleware,
  HttpEmailService,
  LumenizeAuth,
  MockEmailService,
  type EmailService,
} from '../src/index.ts';

export { LumenizeAuth };

/** Records emails instead of sending them; tests read them over RPC. */
export class MockEmailAuth extends LumenizeAuth {
  readonly #mock = new MockEmailService();
  protected override createEmailService(): EmailService {
    return this.#mock;
  }
  sentEmails() {
    return this.#mock.sentEmails;
  }
}

/** `AUTH_TEST_MODE` unset: `_test=true` must be ignored. Emails are recorded. */
export class NoTestModeAuth extends MockEmailAuth {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, { ...env, AUTH_TEST_MODE: undefined });
  }
}

/** Delivers through an HTTP provider that answers 500. */
export class FailingEmailAuth extends LumenizeAuth {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, { ...env, AUTH_TEST_MODE: undefined });
  }
  protected override createEmailService(): EmailService {
    return new HttpEmailService({
      endpoint: 'https://provider.example/fake-email/fail',
      headers: { Authorization: 'Bearer provider-secret-key' },
      buildBody: (to, url) => ({ to, url }),
      fetch: (request) => (this.env.FAKE_PROVIDER as Fetcher).fetch(request),
    });
  }
}

/** Delivers through an HTTP provider whose 422 error body echoes the recipient and a support address. */
export class EchoingProviderAuth extends LumenizeAuth {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, { ...env, AUTH_TEST_MODE: undefined });
  }
  protected override createEmailService(): EmailService {
    return new HttpEmailService({
      endpoint: 'https://provider.example/fake-email/fail-echo',
      buildBody: (to, url) => ({ to, url }),
      fetch: (request) => (this.env.FAKE_PROVIDER as Fetcher).fetch(request),
    });
  }
}

/** `DEBUG=lmz.*`: for tests that inspect log records. */
export class LoggingAuth extends LumenizeAuth {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, { ...env, DEBUG: 'lmz.*' });
  }
}

/** `AUTH_DEV_MODE=true`: local development, links may use the request origin. */
export class DevModeAuth extends LumenizeAuth {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, { ...env, AUTH_DEV_MODE: 'true' });
  }
}

/** `PRIMARY_JWT_KEY=GREEN`. */
export class GreenAuth extends LumenizeAuth {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, { ...env, PRIMARY_JWT_KEY: 'GREEN' });
  }
}

/** `PRIMARY_JWT_KEY` misconfigured. */
export class BadPrimaryAuth extends LumenizeAuth {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, { ...env, PRIMARY_JWT_KEY: 'PURPLE' });
  }
}

/** What a protected DO saw: identity headers, protocols, method and body. */
export class ProtectedDO extends DurableObject<Cloudflare.Env> {
  override async fetch(request: Request): Promise<Response> {
    const seen = {
      method: request.method,
      body: request.method === 'GET' || request.method === 'HEAD' ? null : await request.text(),
      headers: Object.fromEntries([...request.headers].filter(([name]) => /^(x-auth-|authorization|sec-websocket-protocol)/i.test(name))),
    };
    if (request.headers.get('Upgrade')?.toLowerCase() === 'websocket') {
      const { 0: client, 1: server } = new WebSocketPair();
      this.ctx.acceptWebSocket(server);
      server.serializeAttachment(seen);
      return new Response(null, { status: 101, webSocket: client, headers: { 'Sec-WebSocket-Protocol': 'lmz' } });
    }
    return Response.json(seen);
  }

  override webSocketMessage(ws: WebSocket): void {
    ws.send(JSON.stringify(ws.deserializeAttachment()));
  }
}

let hooks: Promise<{ onBeforeRequest: Awaited<ReturnType<typeof createAuthMiddleware>>; onBeforeConnect: Awaited<ReturnType<typeof createWebSocketAuthMiddleware>> }> | undefined;

function protectionHooks(env: Cloudflare.Env) {
  hooks ??= (async () => {
    const publicKeysPem = [env.JWT_PUBLIC_KEY_BLUE, env.JWT_PUBLIC_KEY_GREEN];
    return {
      onBeforeRequest: await createAuthMiddleware({ publicKeysPem, audience: 'https://lumenize.local', issuer: 'https://lumenize.local' }),
      onBeforeConnect: await createWebSocketAuthMiddleware({ publicKeysPem, audience: 'https://lumenize.local', issuer: 'https://lumenize.local' }),
    };
  })();
  return hooks;
}

export default {
  async fetch(request: Request, env: Cloudflare.Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/fake-email/fail') return new Response('provider exploded: quota exceeded', { status: 500 });
    if (url.pathname === '/fake-email/fail-echo') {
      const { to } = (await request.json()) as { to: string };
      const encoded = encodeURIComponent(to);
      return Response.json({ error: `invalid recipient ${to} (${encoded}); contact support.desk@provider.example` }, { status: 422 });
    }
    if (url.pathname === '/fake-email/ok') {
      const body = await request.text();
      return Response.json({ id: 'msg-1', received: JSON.parse(body), contentType: request.headers.get('Content-Type'), authorization: request.headers.get('Authorization') });
    }
    if (url.pathname.startsWith('/protected/')) {
      const response = await routeDORequest(request, env, { prefix: 'protected', bindings: ['PROTECTED_DO'], ...(await protectionHooks(env)) });
      if (response) return response;
    }
    return new Response('Not found', { status: 404 });
  },
} satisfies ExportedHandler<Cloudflare.Env>;
