/** routeDORequest / routeAgentRequest against real DOs: spec §9 items 1–17 and 28. */
import { env } from './test-env.ts';
import { describe, expect, it } from 'vitest';
import {
  getDOStub,
  InvalidInstanceIdError,
  MissingInstanceNameError,
  MultipleBindingsFoundError,
  routeAgentRequest,
  routeDORequest,
  type HookContext,
} from '../src/index.ts';
import { report, unique } from './helpers.ts';

const calls = (ns: DurableObjectNamespace<import('./echo-do.ts').EchoDO>, name: string) => ns.getByName(name).calls();

describe('routing to a binding and instance', () => {
  it('1: /my-do/lobby reaches env.MY_DO.getByName(lobby); the DO sees the original URL and query', async () => {
    const name = unique('lobby');
    const res = await routeDORequest(new Request(`https://app.test/my-do/${name}/extra/path?q=1&r=two`), env);
    const r = await report(res);
    expect(r.className).toBe('EchoDO');
    expect(r.url).toBe(`https://app.test/my-do/${name}/extra/path?q=1&r=two`);
    expect(r.id).toBe(env.MY_DO.idFromName(name).toString());
    expect(res!.status).toBe(200);
    expect(res!.statusText).toBe('Fine');
  });

  it('1: method and body stream reach the DO unchanged', async () => {
    const res = await routeDORequest(new Request(`https://app.test/my-do/${unique('post')}`, { method: 'PUT', body: 'payload' }), env);
    const r = await report(res);
    expect(r.method).toBe('PUT');
    expect(r.body).toBe('payload');
  });

  it('2: a 64-hex segment reaches the DO whose id.toString() equals it', async () => {
    const id = env.MY_DO.newUniqueId().toString();
    const r = await report(await routeDORequest(new Request(`https://app.test/my-do/${id}`), env));
    expect(r.id).toBe(id);
    expect(r.headers['x-lumenize-do-instance-name-or-id']).toBe(id);
  });

  it('3: /user-session/x reaches UserSession; /MyDO/x reaches only a binding named exactly MyDO', async () => {
    expect((await report(await routeDORequest(new Request(`https://app.test/user-session/${unique('u')}`), env))).className).toBe('UserSession');
    const exactEnv = { MyDO: env.USER_SESSION, MY_DO: env.MY_DO };
    const r = await report(await routeDORequest(new Request(`https://app.test/MyDO/${unique('x')}`), exactEnv));
    expect(r.className).toBe('UserSession');
    expect(r.headers['x-lumenize-do-binding-name']).toBe('MyDO');
    expect(await routeDORequest(new Request(`https://app.test/MyDO/x`), { MY_DO: env.MY_DO })).toBeUndefined();
  });

  it('4: unknown binding segment and non-matching prefix each return undefined', async () => {
    expect(await routeDORequest(new Request('https://app.test/nope/x'), env)).toBeUndefined();
    expect(await routeDORequest(new Request('https://app.test/my-do/x'), env, { prefix: 'api' })).toBeUndefined();
    expect(await routeDORequest(new Request('https://app.test/'), env)).toBeUndefined();
  });

  it('5: binding with no instance throws MissingInstanceNameError (400), also under a prefix', async () => {
    await expect(routeDORequest(new Request('https://app.test/my-do'), env)).rejects.toBeInstanceOf(MissingInstanceNameError);
    await expect(routeDORequest(new Request('https://app.test/api/v1/my-do/'), env, { prefix: '/api/v1' })).rejects.toMatchObject({
      name: 'MissingInstanceNameError',
      code: 'MISSING_INSTANCE_NAME',
      httpErrorCode: 400,
    });
  });

  it('6: an env with MY_DO and MyDo makes /my-do/x throw MultipleBindingsFoundError listing both', async () => {
    const error = await routeDORequest(new Request('https://app.test/my-do/x'), { MY_DO: env.MY_DO, MyDo: env.USER_SESSION }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MultipleBindingsFoundError);
    expect(error).toMatchObject({ code: 'MULTIPLE_BINDINGS_FOUND', httpErrorCode: 400 });
    expect([...(error as MultipleBindingsFoundError).matchedBindings].sort()).toEqual(['MY_DO', 'MyDo']);
  });

  it('7: a 64-hex string that is not an id of the namespace throws InvalidInstanceIdError (400)', async () => {
    const error = await routeDORequest(new Request(`https://app.test/my-do/${'0'.repeat(64)}`), env).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInstanceIdError);
    expect(error).toMatchObject({ code: 'INVALID_INSTANCE_ID', httpErrorCode: 400 });
  });

  it('8: prefix do, /do and /do/ behave the same; /do does not match /dox/my-do/a', async () => {
    for (const prefix of ['do', '/do', '/do/']) {
      const name = unique('prefixed');
      const r = await report(await routeDORequest(new Request(`https://app.test/do/my-do/${name}`), env, { prefix }));
      expect(r.id).toBe(env.MY_DO.idFromName(name).toString());
      expect(await routeDORequest(new Request('https://app.test/dox/my-do/a'), env, { prefix })).toBeUndefined();
    }
  });

  it('9: non-DO env values (strings, KV-like objects) are never matched', async () => {
    const kvLike = { get: () => null, put: () => undefined, list: () => [] };
    const odd = { MY_DO: 'a string', KV: kvLike, PARTIAL: { idFromName: () => null, get: () => null } };
    expect(await routeDORequest(new Request('https://app.test/my-do/x'), odd)).toBeUndefined();
    expect(await routeDORequest(new Request('https://app.test/kv/x'), odd)).toBeUndefined();
    expect(await routeDORequest(new Request('https://app.test/PARTIAL/x'), odd)).toBeUndefined();
  });

  it('9: a real service binding (which answers every property as an RPC method) is never taken for a namespace', async () => {
    const realEnv = env as unknown as Record<string, unknown>;
    expect(await routeDORequest(new Request('https://app.test/self-service/x'), realEnv)).toBeUndefined();
    expect(() => getDOStub(realEnv.SELF_SERVICE as DurableObjectNamespace, 'x')).toThrow(/Durable Object namespace/);
  });

  it('rejects a non-Request or a non-object env with TypeError', async () => {
    await expect(routeDORequest('https://app.test/my-do/x' as unknown as Request, env)).rejects.toThrow(TypeError);
    await expect(routeDORequest(new Request('https://app.test/my-do/x'), null as unknown as object)).rejects.toThrow(/env must be/);
  });
});

describe('routing headers', () => {
  it('10: default mode adds X-Lumenize-DO-Binding-Name (resolved name) and X-Lumenize-DO-Instance-Name-Or-Id', async () => {
    const name = unique('hdr');
    const r = await report(await routeDORequest(new Request(`https://app.test/my-do/${name}`), env));
    expect(r.headers['x-lumenize-do-binding-name']).toBe('MY_DO');
    expect(r.headers['x-lumenize-do-instance-name-or-id']).toBe(name);
    expect(r.headers['x-partykit-namespace']).toBeUndefined();
    expect(r.headers['x-partykit-room']).toBeUndefined();
  });

  it('10: agent mode adds x-partykit-namespace (raw segment) and x-partykit-room, prefix defaults to agents', async () => {
    const name = unique('room');
    const r = await report(await routeAgentRequest(new Request(`https://app.test/agents/my-do/${name}`), env));
    expect(r.headers['x-partykit-namespace']).toBe('my-do');
    expect(r.headers['x-partykit-room']).toBe(name);
    expect(r.headers['x-lumenize-do-binding-name']).toBeUndefined();
    expect(await routeDORequest(new Request(`https://app.test/agents/my-do/${name}`), env, { agentCompatibility: true })).toBeDefined();
    expect(await routeAgentRequest(new Request(`https://app.test/my-do/${name}`), env)).toBeUndefined();
  });

  it('11: client-sent values of all four routing headers are replaced or removed in both modes', async () => {
    const forged = {
      'X-Lumenize-DO-Binding-Name': 'ADMIN_DO',
      'X-Lumenize-DO-Instance-Name-Or-Id': 'root',
      'x-partykit-namespace': 'admin',
      'x-partykit-room': 'root',
    };
    const name = unique('forged');
    const d = await report(await routeDORequest(new Request(`https://app.test/my-do/${name}`, { headers: forged }), env));
    expect(d.headers['x-lumenize-do-binding-name']).toBe('MY_DO');
    expect(d.headers['x-lumenize-do-instance-name-or-id']).toBe(name);
    expect(d.headers['x-partykit-namespace']).toBeUndefined();
    expect(d.headers['x-partykit-room']).toBeUndefined();
    const a = await report(await routeAgentRequest(new Request(`https://app.test/agents/my-do/${name}`, { headers: forged }), env));
    expect(a.headers['x-partykit-namespace']).toBe('my-do');
    expect(a.headers['x-partykit-room']).toBe(name);
    expect(a.headers['x-lumenize-do-binding-name']).toBeUndefined();
    expect(a.headers['x-lumenize-do-instance-name-or-id']).toBeUndefined();
  });

  it('11: a hook-returned Request cannot smuggle routing headers either', async () => {
    const name = unique('hook-forged');
    const r = await report(
      await routeDORequest(new Request(`https://app.test/my-do/${name}`), env, {
        onBeforeRequest: (req) => new Request(req, { headers: { 'X-Lumenize-DO-Binding-Name': 'ADMIN_DO' } }),
      }),
    );
    expect(r.headers['x-lumenize-do-binding-name']).toBe('MY_DO');
  });
});

describe('hooks', () => {
  it('12: onBeforeRequest runs for HTTP only and onBeforeConnect for upgrades only (incl. non-GET Upgrade: WebSocket)', async () => {
    const seen: string[] = [];
    const options = {
      onBeforeRequest: () => void seen.push('request'),
      onBeforeConnect: () => void seen.push('connect'),
    };
    await routeDORequest(new Request(`https://app.test/my-do/${unique('h')}`), env, options);
    expect(seen).toEqual(['request']);
    const ws = await routeDORequest(new Request(`https://app.test/my-do/${unique('h')}`, { headers: { Upgrade: 'websocket' } }), env, options);
    expect(seen).toEqual(['request', 'connect']);
    ws!.webSocket!.accept();
    ws!.webSocket!.close(1000);
    // A POST with `Upgrade: WebSocket` is classified as an upgrade too; the hook answers it.
    const post = await routeDORequest(new Request(`https://app.test/my-do/${unique('h')}`, { method: 'POST', headers: { Upgrade: 'WebSocket' } }), env, {
      onBeforeRequest: () => void seen.push('request'),
      onBeforeConnect: () => {
        seen.push('connect');
        return new Response('no', { status: 426 });
      },
    });
    expect(post!.status).toBe(426);
    expect(seen).toEqual(['request', 'connect', 'connect']);
  });

  it('13: a hook Response is returned and the DO is not called', async () => {
    const name = unique('blocked');
    const res = await routeDORequest(new Request(`https://app.test/my-do/${name}`), env, {
      onBeforeRequest: () => new Response('Unauthorized', { status: 401 }),
    });
    expect(res!.status).toBe(401);
    expect(await res!.text()).toBe('Unauthorized');
    expect(await calls(env.MY_DO, name)).toBe(0);
  });

  it('13: a hook Request reaches the DO with its changes; undefined continues unchanged', async () => {
    const name = unique('replaced');
    const r = await report(
      await routeDORequest(new Request(`https://app.test/my-do/${name}`, { headers: { 'X-Client': 'c' } }), env, {
        onBeforeRequest: (req) => {
          const headers = new Headers(req.headers);
          headers.set('X-User-Id', 'user-1');
          return new Request(req, { headers });
        },
      }),
    );
    expect(r.headers['x-user-id']).toBe('user-1');
    expect(r.headers['x-client']).toBe('c');
    const r2 = await report(
      await routeDORequest(new Request(`https://app.test/my-do/${name}?k=v`, { headers: { 'X-Client': 'c' } }), env, { onBeforeRequest: async () => undefined }),
    );
    expect(r2.url).toBe(`https://app.test/my-do/${name}?k=v`);
    expect(r2.headers['x-client']).toBe('c');
    expect(await calls(env.MY_DO, name)).toBe(2);
  });

  it('14: a hook receives doNamespace, doInstanceNameOrId and doBindingName; it sees no routing headers yet', async () => {
    let context: HookContext | undefined;
    let sawHeader: string | null = 'unset';
    const name = unique('ctx');
    await routeDORequest(new Request(`https://app.test/user-session/${name}`), env, {
      onBeforeRequest: (req, ctx) => {
        context = ctx;
        sawHeader = req.headers.get('X-Lumenize-DO-Binding-Name');
      },
    });
    expect(context!.doNamespace).toBe(env.USER_SESSION);
    expect(context!.doInstanceNameOrId).toBe(name);
    expect(context!.doBindingName).toBe('USER_SESSION');
    expect(sawHeader).toBeNull();
  });

  it('15: a hook returning a string rejects with TypeError naming the hook; a throwing hook propagates', async () => {
    const name = unique('bad-hook');
    const bad = (() => 'nope') as unknown as () => undefined;
    await expect(routeDORequest(new Request(`https://app.test/my-do/${name}`), env, { onBeforeRequest: bad })).rejects.toThrow(
      /onBeforeRequest must return a Response, a Request or undefined; it returned string/,
    );
    await expect(
      routeDORequest(new Request(`https://app.test/my-do/${name}`, { headers: { Upgrade: 'websocket' } }), env, { onBeforeConnect: bad }),
    ).rejects.toThrow(/onBeforeConnect/);
    const boom = new Error('auth backend down');
    await expect(routeDORequest(new Request(`https://app.test/my-do/${name}`), env, { onBeforeRequest: () => Promise.reject(boom) })).rejects.toBe(boom);
    expect(await calls(env.MY_DO, name)).toBe(0);
  });
});

describe('stub disposal does not cut off bodies or sockets (backlog `using`)', () => {
  it('16: a WebSocket upgrade through the router exchanges messages after routeDORequest returned', async () => {
    const res = await routeDORequest(new Request(`https://app.test/my-do/${unique('ws')}`, { headers: { Upgrade: 'websocket' } }), env);
    expect(res!.status).toBe(101);
    const ws = res!.webSocket!;
    ws.accept();
    const replies: string[] = [];
    const done = new Promise<void>((resolve) =>
      ws.addEventListener('message', (e) => {
        replies.push(String(e.data));
        if (replies.length === 2) resolve();
      }),
    );
    ws.send('one');
    ws.send('two');
    await done;
    expect(replies).toEqual(['echo:one', 'echo:two']);
    ws.close(1000, 'bye');
  });

  it('16: a streamed HTTP body written after the DO returned is fully readable after routing returned', async () => {
    const res = await routeDORequest(new Request(`https://app.test/my-do/${unique('stream')}/stream`), env);
    expect(await res!.text()).toBe('chunk0;chunk1;chunk2;chunk3;chunk4;');
  });

  it('17: a stub lacking a dispose method still routes', async () => {
    const ns = env.MY_DO;
    const seenStubs: unknown[] = [];
    // A hand-made namespace whose stubs are plain objects without Symbol.dispose (older runtimes).
    const plainStubNamespace = {
      idFromName: (n: string) => ns.idFromName(n),
      idFromString: (s: string) => ns.idFromString(s),
      get: (id: DurableObjectId) => {
        const real = ns.get(id);
        const stub = { id, fetch: (req: Request) => real.fetch(req) };
        seenStubs.push(stub);
        return stub;
      },
    };
    const name = unique('plain');
    const r = await report(await routeDORequest(new Request(`https://app.test/plain/${name}`), { PLAIN: plainStubNamespace }));
    expect(r.id).toBe(ns.idFromName(name).toString());
    expect(Symbol.dispose in (seenStubs[0] as object)).toBe(false);
  });
});

describe('chaining', () => {
  it('28: routeAgentRequest and routeDORequest chain with || and each declines the other paths', async () => {
    const route = async (url: string) => (await routeAgentRequest(new Request(url), env)) ?? (await routeDORequest(new Request(url), env, { prefix: 'do' }));
    const a = await report(await route(`https://app.test/agents/my-do/${unique('a')}`));
    expect(a.headers['x-partykit-room']).toBeDefined();
    const d = await report(await route(`https://app.test/do/my-do/${unique('d')}`));
    expect(d.headers['x-lumenize-do-binding-name']).toBe('MY_DO');
    expect(await routeAgentRequest(new Request('https://app.test/do/my-do/x'), env)).toBeUndefined();
    expect(await routeDORequest(new Request('https://app.test/agents/my-do/x'), env, { prefix: 'do' })).toBeUndefined();
    expect(await route('https://app.test/other/x')).toBeUndefined();
  });
});
