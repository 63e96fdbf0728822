/**
 * Issue 12 item 11: routeDORequest's `bindings` allow-list and `allowIdAddressing` option.
 * An unlisted binding answers exactly like a missing one (`undefined`, never an error naming it);
 * ids are refused with InstanceIdNotAllowedError when id addressing is off; omitting `bindings`
 * stays open (compatibility) with one error-level log per env object.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { debug, type DebugLogOutput } from '@lumenize/debug';
import { InstanceIdNotAllowedError, routeAgentRequest, routeDORequest, type RouteOptions } from '../src/index.ts';
import { report, unique } from './helpers.ts';
import { env } from './test-env.ts';

afterEach(() => debug.reset());

const calls = (name: string) => env.USER_SESSION.getByName(name).calls();
const get = (path: string) => new Request(`https://app.test${path}`);

describe('bindings allow-list', () => {
  it('routes a listed binding by any URL form and answers an unlisted one like a missing one', async () => {
    const only: RouteOptions = { bindings: ['MY_DO'] };
    expect((await report(await routeDORequest(get(`/my-do/${unique('a')}`), env, only))).className).toBe('EchoDO');
    expect((await report(await routeDORequest(get(`/MY_DO/${unique('a')}`), env, only))).className).toBe('EchoDO');
    const name = unique('unlisted');
    for (const path of [`/user-session/${name}`, `/USER_SESSION/${name}`, `/UserSession/${name}`]) {
      expect(await routeDORequest(get(path), env, only)).toBeUndefined();
    }
    expect(await calls(name)).toBe(0);
    // No instance: a missing binding and an unlisted one both decline; only a listed one throws.
    expect(await routeDORequest(get('/user-session'), env, only)).toBeUndefined();
    expect(await routeDORequest(get('/no-such-binding'), env, only)).toBeUndefined();
    await expect(routeDORequest(get('/my-do'), env, only)).rejects.toMatchObject({ code: 'MISSING_INSTANCE_NAME' });
  });

  it('accepts kebab entries for the same variants the URL resolves (my-do lists MY_DO)', async () => {
    expect((await report(await routeDORequest(get(`/my-do/${unique('k')}`), env, { bindings: ['my-do'] }))).className).toBe('EchoDO');
    expect(await routeDORequest(get(`/user-session/${unique('k')}`), env, { bindings: ['my-do'] })).toBeUndefined();
  });

  it('never names an unlisted binding: an ambiguity with an unlisted one does not throw', async () => {
    const twoForms = { MY_DO: env.MY_DO, MyDo: env.USER_SESSION };
    const r = await report(await routeDORequest(get(`/my-do/${unique('amb')}`), twoForms, { bindings: ['MY_DO'] }));
    expect(r.className).toBe('EchoDO');
    expect(r.headers['x-lumenize-do-binding-name']).toBe('MY_DO');
  });

  it('applies to routeAgentRequest and to WebSocket upgrades too', async () => {
    expect(await routeAgentRequest(get(`/agents/user-session/${unique('ag')}`), env, { bindings: ['MY_DO'] })).toBeUndefined();
    expect((await report(await routeAgentRequest(get(`/agents/my-do/${unique('ag')}`), env, { bindings: ['MY_DO'] }))).className).toBe('EchoDO');
    const ws = new Request(`https://app.test/user-session/${unique('ws')}`, { headers: { Upgrade: 'websocket' } });
    expect(await routeDORequest(ws, env, { bindings: ['MY_DO'] })).toBeUndefined();
  });

  it('rejects a malformed allow-list with TypeError', async () => {
    for (const bindings of ['MY_DO', [''], [42], null, {}]) {
      await expect(routeDORequest(get('/my-do/x'), env, { bindings } as unknown as RouteOptions)).rejects.toThrow(/options\.bindings/);
    }
  });
});

describe('allowIdAddressing', () => {
  it('false refuses a 64-hex id with InstanceIdNotAllowedError (400) and the DO is not called; names still route', async () => {
    const id = env.USER_SESSION.newUniqueId();
    const error = await routeDORequest(get(`/user-session/${id}`), env, { allowIdAddressing: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstanceIdNotAllowedError);
    expect(error).toMatchObject({ name: 'InstanceIdNotAllowedError', code: 'INSTANCE_ID_NOT_ALLOWED', httpErrorCode: 400 });
    expect((error as Error).message).toContain('instance names only');
    expect(await env.USER_SESSION.get(id).calls()).toBe(0);
    expect((await report(await routeDORequest(get(`/user-session/${unique('n')}`), env, { allowIdAddressing: false }))).className).toBe('UserSession');
  });

  it('defaults to true in routeDORequest (spec §3.3, item 2) and rejects a non-boolean', async () => {
    const id = env.MY_DO.newUniqueId().toString();
    expect((await report(await routeDORequest(get(`/my-do/${id}`), env, { bindings: ['MY_DO'] }))).id).toBe(id);
    await expect(routeDORequest(get('/my-do/x'), env, { allowIdAddressing: 'no' } as unknown as RouteOptions)).rejects.toThrow(/allowIdAddressing/);
  });
});

describe('omitting bindings', () => {
  it('stays open and logs one error-level record per env object, even with DEBUG unset', async () => {
    const records: DebugLogOutput[] = [];
    debug.configure({});
    debug.setOutput((r) => records.push(r));
    const openEnv = { MY_DO: env.MY_DO, USER_SESSION: env.USER_SESSION };
    expect((await report(await routeDORequest(get(`/user-session/${unique('open')}`), openEnv))).className).toBe('UserSession');
    await report(await routeDORequest(get(`/my-do/${unique('open')}`), openEnv));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: 'error', namespace: 'lmz.utils.routeDORequest' });
    expect(records[0].message).toContain('no bindings allow-list');
    // A listed router never logs it.
    await report(await routeDORequest(get(`/my-do/${unique('listed')}`), { MY_DO: env.MY_DO }, { bindings: ['MY_DO'] }));
    expect(records).toHaveLength(1);
  });
});
