/**
 * Email services (items 7–9): Mock, Console (debug logger), HTTP (against a fake provider route —
 * the only mocked edge), the Cloudflare send_email binding (Miniflare), and provider selection.
 */
import { env, SELF } from 'cloudflare:test';
import { debug } from '@lumenize/debug';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleEmailService, createDefaultEmailService, HttpEmailService, MockEmailService } from '../src/index.ts';
import { captureLogs, makeAuth } from './helpers/auth.ts';

let logs: ReturnType<typeof captureLogs> | undefined;
afterEach(() => logs?.restore());

/** Fetch into the test Worker's fake provider, recording what was sent. */
function providerFetch(sent: Request[]) {
  return async (request: Request) => {
    sent.push(request.clone());
    return SELF.fetch(request);
  };
}

describe('7: email services', () => {
  it('MockEmailService through a test subclass of LumenizeAuth records the link with purpose login', async () => {
    const auth = makeAuth({}, 'MOCK_EMAIL_AUTH');
    const response = await auth.fetch(auth.url('/email-magic-link'), { method: 'POST', body: JSON.stringify({ email: 'Mock@Example.com' }) });
    expect(response.status).toBe(200);
    const sent = await auth.stub.sentEmails();
    expect(sent).toEqual([{ to: 'mock@example.com', magicLinkUrl: expect.stringMatching(/^https:\/\/app\.example\/auth\/magic-link\?magic-link-token=/), purpose: 'login', timestamp: expect.any(Number) }]);
    // The recorded link really logs in.
    const login = await auth.fetch(sent[0].magicLinkUrl, { redirect: 'manual' });
    expect(login.status).toBe(302);
  });

  it('MockEmailService clear() and getLatestFor()', async () => {
    const mock = new MockEmailService();
    await mock.send('a@x.com', 'https://l/1');
    await mock.send('b@x.com', 'https://l/2', { purpose: 'link', expiresInSeconds: 5 });
    await mock.send('A@x.com', 'https://l/3');
    expect(mock.getLatestFor('a@X.com')?.magicLinkUrl).toBe('https://l/3');
    expect(mock.getLatestFor('b@x.com')?.purpose).toBe('link');
    expect(mock.getLatestFor('c@x.com')).toBeUndefined();
    mock.clear();
    expect(mock.sentEmails).toEqual([]);
  });

  it('ConsoleEmailService logs under lmz.auth.ConsoleEmailService (info) and warns once per isolate', async () => {
    logs = captureLogs();
    debug.configure({ DEBUG: 'lmz.auth.ConsoleEmailService' });
    const service = new ConsoleEmailService();
    const warnings = () => logs!.records.filter((r) => r.namespace === 'lmz.auth.ConsoleEmailService' && r.level === 'warn').length;
    await service.send('dev@example.com', 'https://app/auth/magic-link?x=1', { purpose: 'login', expiresInSeconds: 60 });
    const afterFirst = warnings();
    await service.send('dev2@example.com', 'https://app/auth/magic-link?x=2');
    expect(warnings()).toBe(afterFirst);
    const mine = logs.records.filter((r) => r.namespace === 'lmz.auth.ConsoleEmailService');
    expect(mine.filter((r) => r.level === 'info').map((r) => r.data)).toEqual([
      { to: 'dev@example.com', magicLinkUrl: 'https://app/auth/magic-link?x=1', purpose: 'login' },
      { to: 'dev2@example.com', magicLinkUrl: 'https://app/auth/magic-link?x=2', purpose: 'login' },
    ]);
    expect(afterFirst).toBeLessThanOrEqual(1);
    // Without DEBUG enabling it, nothing is written (links stay out of production logs).
    logs.records.length = 0;
    debug.configure({ DEBUG: '' });
    await service.send('quiet@example.com', 'https://app/x');
    expect(logs.records).toEqual([]);
  });

  it('HttpEmailService posts the built JSON body with its headers to the provider', async () => {
    const sent: Request[] = [];
    const service = new HttpEmailService({
      endpoint: 'https://provider.example/fake-email/ok',
      headers: { Authorization: 'Bearer provider-key' },
      buildBody: (to, url, context) => ({ to, url, purpose: context.purpose }),
      fetch: providerFetch(sent),
    });
    await service.send('to@example.com', 'https://app/link', { purpose: 'link', expiresInSeconds: 30 });
    expect(sent).toHaveLength(1);
    expect(sent[0].method).toBe('POST');
    expect(sent[0].url).toBe('https://provider.example/fake-email/ok');
    expect(sent[0].headers.get('Content-Type')).toBe('application/json');
    expect(sent[0].headers.get('Authorization')).toBe('Bearer provider-key');
    expect(await sent[0].json()).toEqual({ to: 'to@example.com', url: 'https://app/link', purpose: 'link' });
  });

  it('HttpEmailService throws on 500 with status and at most 200 chars of text, never the headers', async () => {
    const service = new HttpEmailService({
      endpoint: 'https://provider.example/fake-email/fail',
      headers: { Authorization: 'Bearer SUPER-SECRET-KEY' },
      buildBody: (to) => ({ to }),
      fetch: providerFetch([]),
    });
    const error = (await service.send('x@example.com', 'https://app/l').catch((e: unknown) => e)) as Error & { status: number };
    expect(error.name).toBe('EmailDeliveryError');
    expect(error.status).toBe(500);
    expect(error.message).toBe('Email provider responded 500: provider exploded: quota exceeded');
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain('SUPER-SECRET-KEY');
    // Long provider answers are cut to 200 characters.
    const long = new HttpEmailService({ endpoint: 'https://p.example/', buildBody: () => ({}), fetch: async () => new Response('y'.repeat(1000), { status: 502 }) });
    const longError = (await long.send('x@example.com', 'u').catch((e: unknown) => e)) as Error;
    expect(longError.message).toBe(`Email provider responded 502: ${'y'.repeat(200)}`);
  });

  it('HttpEmailService aborts after timeoutMs', async () => {
    const service = new HttpEmailService({
      endpoint: 'https://slow.example/',
      buildBody: () => ({}),
      timeoutMs: 20,
      fetch: (request) =>
        new Promise<Response>((_resolve, reject) => request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
    });
    await expect(service.send('x@example.com', 'u')).rejects.toMatchObject({ name: 'EmailDeliveryError', message: 'Email provider timed out after 20 ms' });
  });

  it('HttpEmailService validates its options', () => {
    expect(() => new HttpEmailService({ endpoint: 'ftp://x', buildBody: () => ({}) })).toThrow(TypeError);
    expect(() => new HttpEmailService({ endpoint: 'https://x', buildBody: undefined as never })).toThrow(TypeError);
    expect(() => new HttpEmailService({ endpoint: 'https://x', buildBody: () => ({}), timeoutMs: 0 })).toThrow(TypeError);
  });

  it('the Cloudflare send_email binding delivers through Miniflare and its refusals propagate', async () => {
    const service = createDefaultEmailService({ AUTH_SEND_EMAIL: env.TEST_SEND_EMAIL, AUTH_EMAIL_FROM: 'auth@example.com' });
    expect(service).not.toBeInstanceOf(ConsoleEmailService);
    expect(service).not.toBeInstanceOf(HttpEmailService);
    await expect(service.send('inbox@example.com', 'https://app/auth/magic-link?t=1', { purpose: 'login', expiresInSeconds: 1800 })).resolves.toBeUndefined();
    // The binding only allows inbox@example.com: the refusal reaches the caller.
    await expect(service.send('other@example.com', 'https://app/l', { purpose: 'login', expiresInSeconds: 60 })).rejects.toThrow(/not allowed/);
  });
});

describe('8: createDefaultEmailService', () => {
  it('HTTP service when AUTH_EMAIL_ENDPOINT is set (bearer key, from, wording per purpose), console otherwise', async () => {
    expect(createDefaultEmailService({ AUTH_EMAIL_ENDPOINT: 'https://api.provider.example/emails' })).toBeInstanceOf(HttpEmailService);
    expect(createDefaultEmailService({})).toBeInstanceOf(ConsoleEmailService);
    expect(createDefaultEmailService()).toBeInstanceOf(ConsoleEmailService);
    // The default service uses the global fetch; only that external edge is redirected to the fake provider route.
    const originalFetch = globalThis.fetch;
    const sent: Request[] = [];
    globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => providerFetch(sent)(new Request(input, init))) as typeof fetch;
    try {
      const service = createDefaultEmailService({ AUTH_EMAIL_ENDPOINT: 'https://api.provider.example/fake-email/ok', AUTH_EMAIL_API_KEY: 'k-123', AUTH_EMAIL_FROM: 'auth@app.example' });
      await service.send('user@example.com', 'https://app.example/auth/magic-link?t=abc', { purpose: 'login', expiresInSeconds: 1800 });
      await service.send('user@example.com', 'https://app.example/auth/magic-link?t=def', { purpose: 'link', expiresInSeconds: 600, requestedBy: 'owner@example.com' });
    } finally {
      globalThis.fetch = originalFetch;
    }
    expect(sent[0].headers.get('Authorization')).toBe('Bearer k-123');
    const login = (await sent[0].json()) as Record<string, string>;
    expect(login).toMatchObject({ from: 'auth@app.example', to: 'user@example.com', subject: 'Your sign-in link' });
    expect(login.text).toContain('https://app.example/auth/magic-link?t=abc');
    expect(login.html).toContain('href="https://app.example/auth/magic-link?t=abc"');
    const link = (await sent[1].json()) as Record<string, string>;
    expect(link.subject).toBe('Confirm adding your email address');
    expect(link.text).toContain('owner@example.com');
    expect(link.text).toContain('does not sign you in');
  });
});

describe('9: provider failure', () => {
  it('still answers 200 and logs an error without the link', async () => {
    logs = captureLogs();
    const auth = makeAuth({}, 'FAILING_EMAIL_AUTH');
    const response = await auth.fetch(auth.url('/email-magic-link'), { method: 'POST', body: JSON.stringify({ email: 'fail@example.com' }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Check your email for the magic link', expires_in: 1800 });
    const errors = logs.records.filter((r) => r.level === 'error' && r.namespace === 'lmz.auth.LumenizeAuth');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('email send failed');
    const text = JSON.stringify(errors[0]);
    expect(text).toContain('500');
    expect(text).not.toContain('magic-link-token');
    expect(text).not.toContain('provider-secret-key');
    expect(text).not.toContain('fail@example.com');
  });
});
