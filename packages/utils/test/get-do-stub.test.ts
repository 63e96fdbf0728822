/** getDOStub: name/id resolution, disposal with `using`, and its bad-input errors. */
import { env } from './test-env.ts';
import { describe, expect, it } from 'vitest';
import { getDOStub, InvalidInstanceIdError, type DisposableDurableObjectStub } from '../src/index.ts';
import type { EchoDO } from './echo-do.ts';
import { report, unique } from './helpers.ts';

describe('getDOStub', () => {
  it('reaches the instance by name (getByName) and by 64-hex id (idFromString)', async () => {
    const name = unique('stub-name');
    using byName = getDOStub(env.MY_DO, name);
    expect(await byName.hello('x')).toBe('hello x');
    const id = env.MY_DO.idFromName(name).toString();
    using byId = getDOStub(env.MY_DO, id);
    expect((await report(await byId.fetch('https://do/x'))).id).toBe(id);
    expect(byId.id.toString()).toBe(id);
  });

  it('falls back to get(idFromName(name)) when the namespace has no getByName', async () => {
    const name = unique('no-getbyname');
    const ns = env.MY_DO;
    // A namespace shape without getByName (older runtimes); each method forwards to the real binding.
    const olderNamespace = {
      idFromName: (n: string) => ns.idFromName(n),
      idFromString: (s: string) => ns.idFromString(s),
      newUniqueId: () => ns.newUniqueId(),
      get: (id: DurableObjectId) => ns.get(id),
    } as unknown as DurableObjectNamespace;
    using stub = getDOStub(olderNamespace, name);
    expect((await report(await stub.fetch('https://do/x'))).id).toBe(ns.idFromName(name).toString());
  });

  it('the stub is disposed when the `using` scope exits, and refuses use afterwards', async () => {
    let escaped: DisposableDurableObjectStub<EchoDO> | undefined;
    {
      using stub = getDOStub(env.MY_DO, unique('dispose'));
      escaped = stub;
      expect(typeof stub[Symbol.dispose]).toBe('function');
      expect(await stub.hello('inside')).toBe('hello inside');
    }
    expect(() => escaped!.hello('after')).toThrow(/used after it was disposed/);
    expect(() => escaped!.fetch('https://do/x')).toThrow(TypeError);
    // Disposing twice is harmless.
    expect(() => escaped![Symbol.dispose]()).not.toThrow();
  });

  it('a raw namespace stub has no Symbol.dispose here, which is why getDOStub adds one', () => {
    const raw = env.MY_DO.getByName(unique('raw')) as unknown as Partial<Disposable>;
    expect(raw[Symbol.dispose]).toBeUndefined();
    expect(Symbol.dispose in getDOStub(env.MY_DO, unique('wrapped'))).toBe(true);
  });

  it('7: a 64-hex string that is not an id of the namespace throws InvalidInstanceIdError (400)', () => {
    const bogus = 'a'.repeat(64);
    let error: unknown;
    try {
      getDOStub(env.MY_DO, bogus);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInstanceIdError);
    expect(error).toMatchObject({ name: 'InvalidInstanceIdError', code: 'INVALID_INSTANCE_ID', httpErrorCode: 400 });
  });

  it('throws TypeError for a non-namespace or an empty name', () => {
    expect(() => getDOStub({} as DurableObjectNamespace, 'x')).toThrow(TypeError);
    expect(() => getDOStub('MY_DO' as unknown as DurableObjectNamespace, 'x')).toThrow(/Durable Object namespace/);
    expect(() => getDOStub(env.MY_DO, '')).toThrow(/non-empty string/);
    expect(() => getDOStub(env.MY_DO, 42 as unknown as string)).toThrow(TypeError);
  });
});
