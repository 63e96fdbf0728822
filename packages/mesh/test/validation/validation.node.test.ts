/**
 * The runtime-neutral validation core in plain Node: schema auto-detection, definition-time errors,
 * the missing JSON Schema validator, a validator's stack overflow as a refusal, and inferred types.
 */
import { Type } from '@sinclair/typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import * as v from 'valibot';
import { mesh, meshFn } from '../../src/decorators.ts';
import { getMethodSchemas, checkArgs, runSync, runAsync } from '../../src/validation/method-schemas.ts';
import { compileSchema, isJsonSchema, isStandardSchema } from '../../src/validation/compile.ts';
import { ArgumentValidationError, AsyncSchemaError, JsonSchemaValidatorMissingError, type SchemaOutput } from '../../src/validation/index.ts';
import type { StandardSchemaV1 } from '@standard-schema/spec';

describe('schema detection', () => {
  it('zod and valibot are Standard Schemas; TypeBox and plain objects are JSON Schema; others are refused at declaration', () => {
    expect(isStandardSchema(z.string())).toBe(true);
    expect(isStandardSchema(v.string())).toBe(true);
    expect(isStandardSchema(Type.String())).toBe(false);
    expect(isJsonSchema(Type.String())).toBe(true);
    expect(isJsonSchema({ type: 'string' })).toBe(true);
    expect(isJsonSchema(true)).toBe(true);
    for (const bad of [42, 'string', null, [], new Date(), () => 1]) {
      expect(() => compileSchema(bad, "argument 0 of 'm'")).toThrow(TypeError);
    }
    expect(() => compileSchema([], "argument 0 of 'm'")).toThrow("argument 0 of 'm': expected a Standard Schema (zod, valibot, arktype …) or a JSON Schema object, got an array");
  });

  it('a bad schema, a bad args value or an unknown option fails the class definition', () => {
    expect(() => {
      class Bad {
        @mesh({ args: [42 as never] })
        m(_x: unknown) {}
      }
      return Bad;
    }).toThrow("argument 0 of 'm': expected a Standard Schema (zod, valibot, arktype …) or a JSON Schema object, got number");
    expect(() => {
      class Bad {
        @mesh({ args: z.string() as never })
        m(_x: unknown) {}
      }
      return Bad;
    }).toThrow("@mesh on 'm': args must be an array with one schema per argument");
    expect(() => {
      class Bad {
        @mesh({ argz: [] } as never)
        m() {}
      }
      return Bad;
    }).toThrow('@mesh({ argz }): unknown option; expected args, returns or guard');
  });

  it('a JSON Schema without an installed validator fails with JsonSchemaValidatorMissingError naming the argument', () => {
    class Needs {
      @mesh({ args: [{ type: 'number' }] })
      m(_n: number) {}
    }
    const schemas = getMethodSchemas(Needs.prototype.m)!;
    expect(() => runSync(checkArgs(schemas, [1]), 'm')).toThrow(JsonSchemaValidatorMissingError);
    expect(() => runSync(checkArgs(schemas, [1]), 'm')).toThrow("argument 0 of 'm' is a JSON Schema, but no JSON Schema validator is installed");
  });

  it('a validator that overflows the stack is a refusal, not a crash; an async schema in a synchronous check throws AsyncSchemaError', async () => {
    const recursing: StandardSchemaV1 = {
      '~standard': { version: 1, vendor: 'test', validate: function deep(v: unknown): never { return deep(v); } },
    };
    const f = meshFn((_x: unknown) => 1, { args: [recursing] });
    const e = (() => { try { runSync(checkArgs(getMethodSchemas(f)!, [{}]), 'f'); } catch (err) { return err; } })();
    expect(e).toBeInstanceOf(ArgumentValidationError);
    expect((e as Error).message).toMatch(/too deeply nested or cyclic/);

    const g = meshFn((_s: string) => 1, { args: [z.string().refine(async () => true)] });
    expect(() => runSync(checkArgs(getMethodSchemas(g)!, ['x']), "argument 0 of 'g'")).toThrow(AsyncSchemaError);
    expect(await runAsync(checkArgs(getMethodSchemas(g)!, ['x']))).toEqual(['x']);
  });
});

describe('inferred types', () => {
  it('schema outputs type the method parameters; a mismatch is a compile error', () => {
    expectTypeOf<SchemaOutput<typeof schema>>().toEqualTypeOf<{ n: number }>();
    expectTypeOf<SchemaOutput<ReturnType<typeof Type.Number>>>().toEqualTypeOf<number>();
    expectTypeOf<SchemaOutput<ReturnType<typeof v.string>>>().toEqualTypeOf<string>();
    class Typed {
      @mesh({ args: [z.string(), Type.Number(), { type: 'boolean' }] })
      ok(_s: string, _n: number, _b: boolean) {}

      // @ts-expect-error the zod schema says string, the parameter says number
      @mesh({ args: [z.string()] })
      wrong(_n: number) {}

      @mesh({ returns: z.number() })
      total(): number {
        return 1;
      }

      // @ts-expect-error returns a string where the schema wants a number
      @mesh({ returns: z.number() })
      badTotal(): string {
        return '';
      }
    }
    expect(typeof Typed).toBe('function');
  });
});
const schema = z.object({ n: z.number() });
