/**
 * LumenizeClientGateway at the wire level (mesh spec §12 items 52–68): raw protocol frames over a
 * real WebSocket (utils' shim over SELF.fetch, through the router and simulated auth middleware).
 */
import { env, listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { deserializeValue, serializeChain } from '../../src/envelope.ts';
import { newContinuation } from '../../src/ocan/continuation.ts';
import { RateLimitedError } from '../../src/errors.ts';
import type { LmzIntermediate } from '@lumenize/structured-clone';
import { openRaw, tab, until } from './helpers.ts';
import type { EchoDO, SeenContext, TestGateway } from './worker.ts';

const echo = () => newContinuation<EchoDO>();

function call(callId: string, binding: string, instance: string | undefined, remote: unknown, extra: Record<string, unknown> = {}) {
  return { type: 'call', callId, binding, ...(instance === undefined ? {} : { instance }), chain: serializeChain(remote), ...extra };
}

function value(message: Record<string, unknown>): unknown {
  return deserializeValue((message.success ? message.result : message.error) as LmzIntermediate);
}

function gatewayFetch(name: string, headers: Record<string, string>, upgrade = true): Promise<Response> {
  const stub = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
  return stub.fetch(new Request('http://test.local/gateway/LUMENIZE_CLIENT_GATEWAY/' + name, { headers: upgrade ? { Upgrade: 'websocket', ...headers } : headers }));
}

describe('gateway upgrade validation (item 52)', () => {
  it('answers 426 / 401 / 403 / 403 / 403 / 400 / 400 and 101 with lmz', async () => {
    const name = `carol.${tab()}`;
    const ok = { 'X-Auth-User-Id': 'carol', 'X-Lumenize-DO-Instance-Name-Or-Id': name };
    expect((await gatewayFetch(name, ok, false)).status).toBe(426);
    expect((await gatewayFetch(name, { 'X-Lumenize-DO-Instance-Name-Or-Id': name })).status).toBe(401);
    expect((await gatewayFetch(name, { 'X-Auth-User-Id': 'carol' })).status).toBe(403);
    expect((await gatewayFetch(name, { 'X-Auth-User-Id': 'carol', 'X-Lumenize-DO-Instance-Name-Or-Id': 'carol' })).status).toBe(403);
    const mismatch = await gatewayFetch(name, { 'X-Auth-User-Id': 'mallory', 'X-Lumenize-DO-Instance-Name-Or-Id': name });
    expect(mismatch.status).toBe(403);
    expect(await mismatch.text()).toContain('identity mismatch');
    expect((await gatewayFetch(name, { ...ok, 'X-Auth-Claims': '{not json' })).status).toBe(400);
    expect((await gatewayFetch(name, { ...ok, 'X-Auth-Token-Exp': 'soon' })).status).toBe(400);
    const accepted = await gatewayFetch(name, ok);
    expect(accepted.status).toBe(101);
    expect(accepted.headers.get('Sec-WebSocket-Protocol')).toBe('lmz');
    accepted.webSocket!.accept();
    accepted.webSocket!.close(1000);
  });

  it('through the router, a spoofed X-Auth-User-Id without a token never reaches the gateway', async () => {
    const name = `dave.${tab()}`;
    const response = await (await import('cloudflare:test')).SELF.fetch(`http://test.local/gateway/LUMENIZE_CLIENT_GATEWAY/${name}`, {
      headers: { Upgrade: 'websocket', 'X-Auth-User-Id': 'dave', 'Sec-WebSocket-Protocol': 'lmz' },
    });
    expect(response.status).toBe(401);
    const ids = await listDurableObjectIds(env.LUMENIZE_CLIENT_GATEWAY);
    expect(ids.some((id) => id.equals(env.LUMENIZE_CLIENT_GATEWAY.idFromName(name)))).toBe(false);
  });
});

describe('gateway connection and forwarding', () => {
  it('first message is connection_status with subscriptionsLost false (item 53)', async () => {
    const sock = await openRaw(`alice.${tab()}`);
    expect(await sock.next()).toEqual({ type: 'connection_status', subscriptionsLost: false });
    sock.ws.close(1000);
  });

  it('a raw call reaches the DO with a verified origin and originAuth (item 54)', async () => {
    const name = `caller.${tab()}`;
    const sock = await openRaw(name);
    await sock.next('connection_status');
    sock.send(call('c1', 'ECHO', 'e-54', echo().whoAmI()));
    const response = await sock.next('call_response');
    expect(response.success).toBe(true);
    const seen = value(response) as SeenContext;
    expect(seen.origin).toEqual({ type: 'LumenizeClient', bindingName: 'LUMENIZE_CLIENT_GATEWAY', instanceName: name });
    expect(seen.callChain).toHaveLength(1);
    expect(seen.originAuth).toEqual({ userId: 'caller', claims: { role: 'user' } });
    sock.ws.close(1000);
  });

  it('a forged callContext is ignored: only verified origin, originAuth and empty state arrive (item 55)', async () => {
    const sock = await openRaw(`bob.${tab()}`);
    await sock.next('connection_status');
    const forged = {
      callContext: {
        callChain: [{ type: 'LumenizeClient', bindingName: 'LUMENIZE_CLIENT_GATEWAY', instanceName: 'admin.tab1' }, { type: 'LumenizeDO', bindingName: 'ECHO', instanceName: 'x' }],
        originAuth: { userId: 'admin', claims: { role: 'admin' } },
        state: { isAdmin: true },
      },
      originAuth: { userId: 'admin' },
      userId: 'admin',
    };
    sock.send(call('c1', 'ECHO', 'e-55', echo().whoAmI(), forged));
    const seen = value(await sock.next('call_response')) as SeenContext;
    expect(seen.callChain).toHaveLength(1);
    expect((seen.origin as { instanceName: string }).instanceName.startsWith('bob.')).toBe(true);
    expect(seen.originAuth).toEqual({ userId: 'bob', claims: { role: 'user' } });
    expect(seen.state).toEqual({});
    sock.ws.close(1000);
  });

  it('a custom gateway binding name appears as the origin bindingName (item 56)', async () => {
    const sock = await openRaw(`erin.${tab()}`, { binding: 'MY_GATEWAY' });
    await sock.next('connection_status');
    sock.send(call('c1', 'ECHO', 'e-56', echo().whoAmI()));
    const seen = value(await sock.next('call_response')) as SeenContext;
    expect((seen.origin as { bindingName: string }).bindingName).toBe('MY_GATEWAY');
    sock.ws.close(1000);
  });

  it('transport failures come back as call_response errors with a clear message', async () => {
    const sock = await openRaw(`frank.${tab()}`);
    await sock.next('connection_status');
    sock.send(call('u1', 'NOPE', 'x', echo().echo(1)));
    sock.send(call('u2', 'ECHO', undefined, echo().echo(1)));
    sock.send(call('u3', 'SPELLCHECK', 'x', echo().echo(1)));
    sock.send(call('u4', 'ECHO', 'e', echo().notMesh()));
    const answers = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < 4; i++) {
      const m = await sock.next('call_response');
      answers.set(m.callId as string, m);
    }
    expect((value(answers.get('u1')!) as Error).message).toContain("Unknown binding 'NOPE'");
    expect((value(answers.get('u2')!) as Error).message).toContain('pass an instance name');
    expect((value(answers.get('u3')!) as Error).message).toContain('service binding');
    expect((value(answers.get('u4')!) as Error).message).toBe("Method 'notMesh' is not mesh-callable");
    sock.ws.close(1000);
  });
});

describe('gateway: calls into a client', () => {
  it('never-connected and past-grace clients reject with ClientDisconnectedError (item 58)', async () => {
    const name = `gina.${tab()}`;
    const never = await env.ECHO.getByName('e-58').callClient('LUMENIZE_CLIENT_GATEWAY', name, 'anything', []);
    expect(never).toMatchObject({ ok: false, isClientDisconnected: true, clientInstanceName: name, message: 'Client is not connected' });

    const sock = await openRaw(name);
    await sock.next('connection_status');
    sock.ws.close(1000);
    await sock.closed;
    const stub = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    await until(async () => (await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())) !== null, 'grace alarm');
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const past = await env.ECHO.getByName('e-58').callClient('LUMENIZE_CLIENT_GATEWAY', name, 'anything', []);
    expect(past).toMatchObject({ ok: false, isClientDisconnected: true, clientInstanceName: name, message: 'Client is not connected' });
  });

  it('a call during grace is delivered after a reconnect (item 59); reconnect reports subscriptionsLost false (item 61)', async () => {
    const name = `hank.${tab()}`;
    const first = await openRaw(name);
    await first.next('connection_status');
    first.ws.close(1000);
    await first.closed;
    const stub = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    await until(async () => (await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())) !== null, 'grace alarm');
    const pending = env.ECHO.getByName('e-59').callClient('LUMENIZE_CLIENT_GATEWAY', name, 'ping', [7]);
    const second = await openRaw(name);
    expect(await second.next()).toEqual({ type: 'connection_status', subscriptionsLost: false });
    const incoming = await second.next('incoming_call');
    expect(deserializeValue(incoming.chain as LmzIntermediate)).toEqual([
      { type: 'get', key: 'ping' },
      { type: 'apply', args: [7] },
    ]);
    const cc = incoming.callContext as { callChain: unknown[]; state: LmzIntermediate };
    expect(cc.callChain).toHaveLength(1);
    expect(cc.callChain[0]).toMatchObject({ type: 'LumenizeDO', bindingName: 'ECHO' });
    expect(deserializeValue(cc.state)).toEqual({});
    second.send({ type: 'incoming_call_response', callId: incoming.callId, success: true, result: { root: 'pong', objects: [] } });
    expect(await pending).toEqual({ ok: true, value: 'pong' });
    second.ws.close(1000);
  });

  it('a call waiting in grace rejects when the alarm fires (item 60); the next connect reports subscriptionsLost true (item 61)', async () => {
    const name = `ivy.${tab()}`;
    const first = await openRaw(name);
    await first.next('connection_status');
    first.ws.close(1000);
    await first.closed;
    const stub = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    await until(async () => (await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())) !== null, 'grace alarm');
    const pending = env.ECHO.getByName('e-60').callClient('LUMENIZE_CLIENT_GATEWAY', name, 'ping', []);
    // The call travels test → DO → gateway, where it parks waiting for a reconnect (TestGateway counts arrivals).
    await until(async () => (await runInDurableObject(stub, (gateway) => (gateway as TestGateway).incomingCalls)) === 1, 'the call parked at the gateway');
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await pending).toMatchObject({ ok: false, isClientDisconnected: true, message: 'Client did not reconnect within grace period', clientInstanceName: name });
    const again = await openRaw(name);
    expect(await again.next()).toEqual({ type: 'connection_status', subscriptionsLost: true });
    again.ws.close(1000);
  });

  it('an unanswered incoming call times out and the socket stays open (item 62)', async () => {
    const name = `jack.${tab()}`;
    const sock = await openRaw(name, { binding: 'SHORT_GATEWAY' });
    await sock.next('connection_status');
    const outcome = await env.ECHO.getByName('e-62').callClient('SHORT_GATEWAY', name, 'ignored', []);
    expect(outcome).toMatchObject({ ok: false, isClientDisconnected: true, message: 'Client call timed out' });
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    sock.send(call('after', 'ECHO', 'e-62', echo().echo('still here')));
    expect(value(await sock.next('call_response'))).toBe('still here');
    sock.ws.close(1000);
  });

  it('closing the socket while an incoming call awaits its answer rejects it at once (item 63)', async () => {
    const name = `kate.${tab()}`;
    const sock = await openRaw(name);
    await sock.next('connection_status');
    const pending = env.ECHO.getByName('e-63').callClient('LUMENIZE_CLIENT_GATEWAY', name, 'slow', []);
    await sock.next('incoming_call');
    sock.ws.close(1000);
    expect(await pending).toMatchObject({ ok: false, isClientDisconnected: true, message: 'Connection lost during call' });
  });

  it('a second connection closes the first with 4409 and keeps serving the second (item 66)', async () => {
    const name = `leo.${tab()}`;
    const first = await openRaw(name);
    await first.next('connection_status');
    const second = await openRaw(name);
    await second.next('connection_status');
    expect(await first.closed).toEqual({ code: 4409, reason: 'Superseded by new connection' });
    second.send(call('c1', 'ECHO', 'e-66', echo().echo('second')));
    expect(value(await second.next('call_response'))).toBe('second');
    const stub = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
    second.ws.close(1000);
  });
});

describe('gateway: token expiry, bad input, storage, rate limits', () => {
  it('with X-Auth-Token-Exp in the past the next call is answered retryable, then 4401; the DO never runs (item 64)', async () => {
    const name = `mia.${tab()}`;
    const sock = await openRaw(name, { forwardExp: Math.floor(Date.now() / 1000) - 10 });
    await sock.next('connection_status');
    sock.send(call('c1', 'ECHO', 'e-64', echo().fail('must not run')));
    const response = await sock.next('call_response');
    expect(response).toMatchObject({ callId: 'c1', success: false, retryable: true });
    expect(await sock.closed).toEqual({ code: 4401, reason: 'Token expired' });
  });

  it('binary frames, invalid JSON and unknown types leave the connection open; a call without binding gets an error (item 67)', async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((line: unknown) => {
      warnings.push(String(line));
    });
    const sock = await openRaw(`nina.${tab()}`);
    await sock.next('connection_status');
    sock.sendText(new Uint8Array([1, 2, 3]).buffer);
    sock.sendText('{not json');
    sock.send({ type: 'teleport', callId: 'x' });
    sock.send({ type: 'incoming_call_response', callId: 'never-asked', success: true, result: { root: 1, objects: [] } });
    sock.send({ type: 'call', callId: 'nobind', chain: serializeChain(echo().echo(1)) });
    const error = await sock.next('call_response');
    expect(error).toMatchObject({ callId: 'nobind', success: false });
    expect((value(error) as Error).message).toContain('binding');
    sock.send(call('ok', 'ECHO', 'e-67', echo().echo('alive')));
    expect(value(await sock.next('call_response'))).toBe('alive');
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    sock.ws.close(1000);
    spy.mockRestore();
    const messages = warnings.map((w) => (JSON.parse(w) as { message: string; namespace: string; level: string }));
    expect(messages.every((m) => m.level === 'warn' && m.namespace === 'lmz.mesh.LumenizeClientGateway.webSocketMessage')).toBe(true);
    expect(messages.map((m) => m.message)).toEqual([
      'binary frame ignored',
      'malformed frame ignored',
      'malformed frame ignored',
      'unexpected incoming_call_response ignored',
      'malformed frame ignored',
    ]);
  });

  it('an oversize frame closes that socket with 1009 while another client keeps being served', async () => {
    const big = await openRaw(`omar.${tab()}`);
    const other = await openRaw(`pia.${tab()}`);
    await big.next('connection_status');
    await other.next('connection_status');
    big.sendText(JSON.stringify({ type: 'call', callId: 'big', binding: 'ECHO', instance: 'e', chain: { root: 'x'.repeat(1_100_000), objects: [] } }));
    expect(await big.closed).toEqual({ code: 1009, reason: 'Message too big' });
    other.send(call('ok', 'ECHO', 'e-big', echo().echo('fine')));
    expect(value(await other.next('call_response'))).toBe('fine');
    other.ws.close(1000);
  });

  it('calls before auth: a plain HTTP call is refused by the middleware, or with 426 by the gateway; nothing runs', async () => {
    const { SELF } = await import('cloudflare:test');
    const body = JSON.stringify(call('c1', 'ECHO', 'e-auth', echo().fail('must not run')));
    const name = `olga.${tab()}`;
    const anonymous = await SELF.fetch(`http://test.local/gateway/LUMENIZE_CLIENT_GATEWAY/${name}`, { method: 'POST', body });
    expect(anonymous.status).toBe(401);
    const withToken = await SELF.fetch(`http://test.local/gateway/LUMENIZE_CLIENT_GATEWAY/${name}`, {
      method: 'POST',
      body,
      headers: { Authorization: `Bearer ${(await import('./sim-auth.ts')).makeToken('olga')}` },
    });
    expect(withToken.status).toBe(426);
  });

  // Item 65 (zero storage) is overridden by issue 13: resume sessions keep an outbox in SQLite. A plain
  // client still leaves no rows and no KV keys; only the outbox tables exist.
  it('leaves no KV keys and no stored rows after a plain connect, call and close (item 65, as amended by the outbox)', async () => {
    const name = `quinn.${tab()}`;
    const sock = await openRaw(name);
    await sock.next('connection_status');
    sock.send(call('c1', 'ECHO', 'e-65', echo().echo(1)));
    await sock.next('call_response');
    sock.ws.close(1000);
    await sock.closed;
    const stub = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    const { keys, tables, rows } = await runInDurableObject(stub, (_i, state) => {
      const tables = state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray()
        .map((r) => r.name)
        .filter((n) => !n.startsWith('_cf_'));
      const rows = tables.reduce((n, t) => n + Number(state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`).one().n), 0);
      return { keys: [...state.storage.kv.list()].length, tables, rows };
    });
    expect(keys).toBe(0);
    expect(tables.sort()).toEqual(['__lmz_gateway_names', '__lmz_gateway_outbox', '__lmz_gateway_session_v2']);
    expect(rows).toBe(0);
  });

  it('rate limit: call N+1 gets RateLimitedError without forwarding; gateways of one user share it; others are unaffected (item 68)', async () => {
    const user = `rl${crypto.randomUUID().slice(0, 6)}`;
    const a = await openRaw(`${user}.${tab()}`, { binding: 'LIMITED_GATEWAY' });
    const b = await openRaw(`${user}.${tab()}`, { binding: 'LIMITED_GATEWAY' });
    const other = await openRaw(`x${user}.${tab()}`, { binding: 'LIMITED_GATEWAY' });
    for (const s of [a, b, other]) await s.next('connection_status');
    const results: unknown[] = [];
    for (const [i, s] of [a, b, a, b].entries()) {
      s.send(call(`r${i}`, 'ECHO', `e-68-${user}`, echo().echo(i)));
      results.push(value(await s.next('call_response')));
    }
    expect(results.slice(0, 3)).toEqual([0, 1, 2]);
    expect(results[3]).toBeInstanceOf(RateLimitedError);
    other.send(call('o', 'ECHO', `e-68-${user}`, echo().echo('other')));
    expect(value(await other.next('call_response'))).toBe('other');
    for (const s of [a, b, other]) s.ws.close(1000);
  });

  it('one rejected rate-limit link answers its own call with an error and does not wedge later calls', async () => {
    const name = `rlw${crypto.randomUUID().slice(0, 6)}.${tab()}`;
    const sock = await openRaw(name, { binding: 'LIMITED_GATEWAY' });
    await sock.next('connection_status');
    // Fault injection: this gateway's limiter binding throws once when read (checkRateLimit rejects).
    await runInDurableObject(env.LIMITED_GATEWAY.getByName(name), (instance) => {
      const real = (instance as unknown as { env: Record<string, unknown> }).env;
      let broken = true;
      const limiter = {
        get limit() {
          if (!broken) return (real.TEST_GATEWAY_LIMITER as RateLimit).limit.bind(real.TEST_GATEWAY_LIMITER);
          broken = false;
          throw new Error('limiter exploded');
        },
      };
      const faulty = new Proxy(real, { get: (t, k) => (k === 'TEST_GATEWAY_LIMITER' ? limiter : t[k as string]) });
      Object.defineProperty(instance, 'env', { value: faulty, configurable: true, writable: true });
    });
    sock.send(call('first', 'ECHO', 'e-wedge', echo().echo('first')));
    const first = await sock.next('call_response');
    expect(first).toMatchObject({ callId: 'first', success: false });
    expect((value(first) as Error).message).toContain("the gateway's rate-limit check failed (Error: limiter exploded)");
    sock.send(call('second', 'ECHO', 'e-wedge', echo().echo('second')));
    sock.send(call('third', 'ECHO', 'e-wedge', echo().echo('third')));
    const later = [await sock.next('call_response'), await sock.next('call_response')];
    expect(later.map((m) => [m.callId, value(m)])).toEqual([
      ['second', 'second'],
      ['third', 'third'],
    ]);
    sock.ws.close(1000);
  });
});
