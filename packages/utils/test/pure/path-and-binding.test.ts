/** Pure routing helpers (run in Node and in workerd): spec §9 items 29–32. */
import { describe, expect, it } from 'vitest';
import { getDONamespaceFromPathSegment, isDurableObjectId, isWebSocketUpgrade, MultipleBindingsFoundError, parsePathname } from '../../src/index.ts';

describe('29: parsePathname', () => {
  it('no prefix', () => {
    expect(parsePathname('/my-do/lobby')).toEqual({ doBindingNameSegment: 'my-do', doInstanceNameOrId: 'lobby' });
    expect(parsePathname('//my-do//lobby')).toEqual({ doBindingNameSegment: 'my-do', doInstanceNameOrId: 'lobby' });
  });
  it('multi-segment prefix, matched on whole segments', () => {
    expect(parsePathname('/api/v1/my-do/lobby', { prefix: 'api/v1' })).toEqual({ doBindingNameSegment: 'my-do', doInstanceNameOrId: 'lobby' });
    expect(parsePathname('/api/v1/my-do/lobby', { prefix: '/api/v1/' })).toEqual({ doBindingNameSegment: 'my-do', doInstanceNameOrId: 'lobby' });
    expect(parsePathname('/apiv2/my-do/lobby', { prefix: '/api' })).toBeUndefined();
    expect(parsePathname('/api/v2/my-do/lobby', { prefix: '/api/v1' })).toBeUndefined();
  });
  it('prefix equal to the whole path, and the empty path', () => {
    expect(parsePathname('/api', { prefix: 'api' })).toBeUndefined();
    expect(parsePathname('/api/', { prefix: '/api' })).toBeUndefined();
    expect(parsePathname('')).toBeUndefined();
    expect(parsePathname('/')).toBeUndefined();
  });
  it('binding only', () => {
    expect(parsePathname('/my-do')).toEqual({ doBindingNameSegment: 'my-do', doInstanceNameOrId: undefined });
    expect(parsePathname('/api/my-do/', { prefix: 'api' })).toEqual({ doBindingNameSegment: 'my-do', doInstanceNameOrId: undefined });
  });
  it('extra trailing segments are ignored; case and encoding preserved', () => {
    expect(parsePathname('/My-DO/Lobby%20A/x/y')).toEqual({ doBindingNameSegment: 'My-DO', doInstanceNameOrId: 'Lobby%20A' });
  });
  it('an empty or slash-only prefix means no prefix', () => {
    expect(parsePathname('/a/b', { prefix: '' })).toEqual({ doBindingNameSegment: 'a', doInstanceNameOrId: 'b' });
    expect(parsePathname('/a/b', { prefix: '/' })).toEqual({ doBindingNameSegment: 'a', doInstanceNameOrId: 'b' });
  });
});

/** A value with the namespace shape (the structural contract of §3.2). */
const ns = (label: string) => ({ label, idFromName: () => label, idFromString: () => label, get: () => label });

describe('30: getDONamespaceFromPathSegment', () => {
  const table: [string, string][] = [
    ['my-do', 'MY_DO'],
    ['my-do', 'MyDo'],
    ['my-do', 'myDo'],
    ['my-do', 'MyDO'],
    ['my-do', 'my-do'],
    ['my-do', 'my_do'],
    ['my-d-o', 'MyDO'],
    ['my-d-o', 'MY_D_O'],
    ['user-session', 'USER_SESSION'],
    ['user-session', 'UserSession'],
    ['user-session', 'userSession'],
    ['chat2-room', 'CHAT2_ROOM'],
    ['counter', 'COUNTER'],
    ['counter', 'Counter'],
  ];
  for (const [segment, binding] of table) {
    it(`'${segment}' matches a binding named ${binding}`, () => {
      const env = { [binding]: ns(binding), UNRELATED: ns('UNRELATED') };
      const found = getDONamespaceFromPathSegment(segment, env);
      expect(found?.bindingName).toBe(binding);
      expect(found?.namespace).toBe(env[binding]);
    });
  }
  it('long parts are not acronym-matched (user-session does not match USERSession)', () => {
    expect(getDONamespaceFromPathSegment('user-session', { USERSession: ns('x') })).toBeUndefined();
  });
  it('non-kebab segments match only the exact binding name', () => {
    const env = { MY_DO: ns('MY_DO'), MyDO: ns('MyDO') };
    expect(getDONamespaceFromPathSegment('MY_DO', env)?.bindingName).toBe('MY_DO');
    expect(getDONamespaceFromPathSegment('MyDO', env)?.bindingName).toBe('MyDO');
    expect(getDONamespaceFromPathSegment('my_do', env)).toBeUndefined();
    expect(getDONamespaceFromPathSegment('My-Do', env)).toBeUndefined();
    expect(getDONamespaceFromPathSegment('my.do', { 'my.do': ns('dot') })?.bindingName).toBe('my.do');
  });
  it('several matches throw MultipleBindingsFoundError listing every match', () => {
    const env = { MY_DO: ns('a'), MyDo: ns('b'), myDo: ns('c') };
    let error: unknown;
    try {
      getDONamespaceFromPathSegment('my-do', env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MultipleBindingsFoundError);
    expect((error as MultipleBindingsFoundError).matchedBindings).toEqual(['MY_DO', 'MyDo', 'myDo']);
    expect((error as Error).message).toContain('MY_DO, MyDo, myDo');
  });
  it('9: values without the namespace shape are never matched', () => {
    const env = { MY_DO: 'MY_DO', KV: { get: () => 1, put: () => 1 }, HALF: { idFromName: () => 1, get: () => 1 }, NULL: null };
    expect(getDONamespaceFromPathSegment('my-do', env)).toBeUndefined();
    expect(getDONamespaceFromPathSegment('kv', env)).toBeUndefined();
    expect(getDONamespaceFromPathSegment('HALF', env)).toBeUndefined();
    expect(getDONamespaceFromPathSegment('NULL', env)).toBeUndefined();
  });
});

describe('31: isDurableObjectId', () => {
  it('true for 64 lowercase hex; false for uppercase, 63/65 chars, names and non-strings', () => {
    expect(isDurableObjectId('0123456789abcdef'.repeat(4))).toBe(true);
    expect(isDurableObjectId('0123456789ABCDEF'.repeat(4))).toBe(false);
    expect(isDurableObjectId('a'.repeat(63))).toBe(false);
    expect(isDurableObjectId('a'.repeat(65))).toBe(false);
    expect(isDurableObjectId('lobby')).toBe(false);
    expect(isDurableObjectId('g'.repeat(64))).toBe(false);
    for (const v of [undefined, null, 42, {}, ['a'.repeat(64)]]) expect(isDurableObjectId(v)).toBe(false);
  });
});

describe('32: isWebSocketUpgrade', () => {
  const req = (method: string, headers: Record<string, string>) => new Request('https://a.test/x', { method, headers });
  it('true only for GET + Upgrade: websocket + Connection containing upgrade (any case)', () => {
    expect(isWebSocketUpgrade(req('GET', { Upgrade: 'websocket', Connection: 'Upgrade' }))).toBe(true);
    expect(isWebSocketUpgrade(req('GET', { Upgrade: 'WebSocket', Connection: 'keep-alive, upgrade' }))).toBe(true);
    expect(isWebSocketUpgrade(req('GET', { Upgrade: 'WEBSOCKET', Connection: 'UPGRADE' }))).toBe(true);
  });
  it('false for other methods, missing or wrong Upgrade, and missing or wrong Connection', () => {
    expect(isWebSocketUpgrade(req('POST', { Upgrade: 'websocket', Connection: 'Upgrade' }))).toBe(false);
    expect(isWebSocketUpgrade(req('GET', { Connection: 'Upgrade' }))).toBe(false);
    expect(isWebSocketUpgrade(req('GET', { Upgrade: 'h2c', Connection: 'Upgrade' }))).toBe(false);
    expect(isWebSocketUpgrade(req('GET', { Upgrade: 'websocket' }))).toBe(false);
    expect(isWebSocketUpgrade(req('GET', { Upgrade: 'websocket', Connection: 'keep-alive' }))).toBe(false);
    expect(isWebSocketUpgrade(req('GET', { Upgrade: 'websocket', Connection: 'upgraded' }))).toBe(false);
  });
});
