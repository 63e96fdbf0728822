/**
 * The validation errors' stand-ins (src/validation/error-shells.ts): a client bundle that never
 * imports a validation error class carries only a stand-in, and an error of that name arriving
 * from another node still revives with its name, its built-in base and every field. Once the real
 * class is loaded it replaces the stand-in. This file imports the real classes only at the end
 * (vitest isolates each test file's modules).
 */
import { postprocess, preprocess } from '@lumenize/structured-clone';
import { describe, expect, it } from 'vitest';
import '../../src/validation/error-shells.ts';

/** The wire form of an ArgumentValidationError as a server sends it (built here by hand, same fields). */
function sentArgumentError(): unknown {
  const e = new TypeError("Invalid argument 0 of 'save' at 'email': Expected string");
  e.name = 'ArgumentValidationError';
  Object.assign(e, { code: 'INVALID_ARGUMENT', method: 'save', argIndex: 0, path: ['email'], issues: [{ path: ['email'], message: 'Expected string' }] });
  return preprocess(e);
}

describe('validation error stand-ins', () => {
  it('revive an ArgumentValidationError as a TypeError of that name with every field, before the class is loaded', () => {
    const e = postprocess(sentArgumentError() as never) as TypeError & Record<string, unknown>;
    expect(e).toBeInstanceOf(TypeError);
    expect(e.constructor.name).toBe('ArgumentValidationError');
    expect(e.name).toBe('ArgumentValidationError');
    expect(e.message).toBe("Invalid argument 0 of 'save' at 'email': Expected string");
    expect({ code: e.code, method: e.method, argIndex: e.argIndex, path: e.path, issues: e.issues }).toEqual({
      code: 'INVALID_ARGUMENT',
      method: 'save',
      argIndex: 0,
      path: ['email'],
      issues: [{ path: ['email'], message: 'Expected string' }],
    });
  });

  it('give way to the real classes once they are loaded', async () => {
    const { ArgumentValidationError, AsyncSchemaError, JsonSchemaValidatorMissingError, ReturnValidationError } = await import('../../src/validation/errors.ts');
    expect(postprocess(sentArgumentError() as never)).toBeInstanceOf(ArgumentValidationError);
    const real = [new ReturnValidationError('total', []), new JsonSchemaValidatorMissingError('argument 0'), new AsyncSchemaError('argument 0')];
    for (const sent of real) {
      const back = postprocess(preprocess(sent));
      expect(back).toBeInstanceOf(sent.constructor);
      expect(back).toMatchObject({ name: sent.name, message: sent.message, code: sent.code });
    }
  });
});
