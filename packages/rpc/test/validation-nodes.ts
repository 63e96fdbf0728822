/** An rpc DO whose `validators` come from schemas through mesh's validation mechanism (issue 20). */
import { Validator } from '@cfworker/json-schema';
import { Type } from '@sinclair/typebox';
import { useJsonSchemaValidator } from '@lumenize/mesh/client';
import * as v from 'valibot';
import { z } from 'zod';
import { lumenizeRpcDO, schemaValidators } from '../src/index.ts';
import { CounterBase } from './nodes.ts';

useJsonSchemaValidator(Validator);

class _ValidatedCounter extends CounterBase {
  /** One argument per schema kind: zod, valibot, TypeBox, raw JSON Schema. */
  saveUser(zodEmail: string, valibotName: string, typeboxAge: number, jsonTags: string[]): string {
    this.ctx.storage.kv.put('user', { zodEmail, valibotName, typeboxAge, jsonTags });
    return `${zodEmail}/${valibotName}/${typeboxAge}/${jsonTags.join(',')}`;
  }

  /** Reports what it was called with, so a test sees the schemas' outputs, not the sent values. */
  normalize(email: unknown, count: unknown, size?: unknown): unknown[] {
    this.ctx.storage.kv.put('normalized', [email, count, size]);
    return [email, count, size];
  }
}

export const ValidatedRpcDO = lumenizeRpcDO(_ValidatedCounter, {
  validators: schemaValidators({
    saveUser: [z.email(), v.pipe(v.string(), v.minLength(2)), Type.Integer({ minimum: 0 }), { type: 'array', items: { type: 'string' }, maxItems: 3 }],
    add: [z.number(), z.number()],
    // Transform, coercion and a default: the method must receive the outputs.
    normalize: [z.string().trim().toLowerCase(), z.coerce.number(), z.number().default(7)],
  }),
});
