/**
 * rpc `validators` built from schemas with `schemaValidators({ method: [schemas] })` (mesh's
 * validation mechanism): zod, valibot, TypeBox and raw JSON Schema each refuse a bad argument with
 * ArgumentValidationError (method, index, path); only that entry fails; nothing stored. Both transports.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { makeClient, uniqueName, type Kind } from './helpers.ts';
import type { ValidatedRpcDO } from '../validation-nodes.ts';

type Api = { saveUser(...a: unknown[]): Promise<string>; add(...a: unknown[]): Promise<number>; normalize(...a: unknown[]): Promise<unknown[]> };
const rejection = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as Error & Record<string, unknown>);
const storedUser = (name: string) => runInDurableObject(env.VALIDATED_RPC_DO.getByName(name), (_i, state) => state.storage.kv.get('user'));

for (const kind of ['http', 'websocket'] as Kind[]) {
  describe(`rpc schemaValidators over ${kind}`, () => {
    it('valid arguments run the method', async () => {
      const name = uniqueName('rpc-valid');
      using c = makeClient<typeof ValidatedRpcDO>(kind, 'VALIDATED_RPC_DO', name);
      const api = c as unknown as Api;
      expect(await api.saveUser('a@example.com', 'Al', 3, ['x'])).toBe('a@example.com/Al/3/x');
      expect(await storedUser(name)).toEqual({ zodEmail: 'a@example.com', valibotName: 'Al', typeboxAge: 3, jsonTags: ['x'] });
    });

    const cases = [
      { kind: 'zod', args: ['not-an-email', 'Al', 3, []], index: 0, path: [] },
      { kind: 'valibot', args: ['a@example.com', 'A', 3, []], index: 1, path: [] },
      { kind: 'TypeBox', args: ['a@example.com', 'Al', -1, []], index: 2, path: [] },
      { kind: 'JSON Schema', args: ['a@example.com', 'Al', 3, ['ok', 7]], index: 3, path: [1] },
    ];
    for (const bad of cases) {
      it(`${bad.kind}: a bad argument is refused with ArgumentValidationError; only that entry fails; nothing stored`, async () => {
        const name = uniqueName('rpc-bad');
        using c = makeClient<typeof ValidatedRpcDO>(kind, 'VALIDATED_RPC_DO', name);
        const api = c as unknown as Api;
        const [refused, other] = await Promise.allSettled([api.saveUser(...bad.args), api.add(1, 2)]);
        expect(other).toEqual({ status: 'fulfilled', value: 3 });
        const e = await rejection(refused.status === 'rejected' ? Promise.reject(refused.reason) : Promise.resolve());
        expect(e.name).toBe('ArgumentValidationError');
        expect(e.code).toBe('INVALID_ARGUMENT');
        expect(e.method).toBe('saveUser');
        expect(e.argIndex).toBe(bad.index);
        expect(e.path).toEqual(bad.path);
        expect(e.message).toMatch(new RegExp(`^Invalid argument ${bad.index} of 'saveUser'`));
        expect(await storedUser(name)).toBeUndefined();
      });
    }

    it('the method receives the schema outputs: transforms, coercions and defaults applied', async () => {
      const name = uniqueName('rpc-transform');
      using c = makeClient<typeof ValidatedRpcDO>(kind, 'VALIDATED_RPC_DO', name);
      const api = c as unknown as Api;
      expect(await api.normalize('  A@Example.COM ', '12')).toEqual(['a@example.com', 12, 7]);
      expect(await runInDurableObject(env.VALIDATED_RPC_DO.getByName(name), (_i, state) => state.storage.kv.get('normalized'))).toEqual(['a@example.com', 12, 7]);
      expect(await api.normalize('b', 3, 4)).toEqual(['b', 3, 4]);
    });

    it('extra arguments are refused', async () => {
      using c = makeClient<typeof ValidatedRpcDO>(kind, 'VALIDATED_RPC_DO', uniqueName('rpc-extra'));
      const e = await rejection((c as unknown as Api).add(1, 2, 3));
      expect([e.name, e.argIndex]).toEqual(['ArgumentValidationError', 2]);
    });
  });
}
