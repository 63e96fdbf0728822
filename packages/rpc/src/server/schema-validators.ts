/**
 * Adapts any `Check(schema, value)`-style checker (TypeBox `Value.Check`, a JSON-Schema validator's
 * boolean check) into `RpcConfig.validators`, without depending on either.
 */

/** An argument refused by a validator built with {@link schemaValidators}. */
export class RpcArgumentError extends TypeError {
  override name = 'RpcArgumentError';
  readonly code = 'INVALID_ARGUMENT';
}

/**
 * One validator per method: argument `i` must pass `check(schemas[method][i], arg)`; extra arguments
 * are refused.
 * @example validators: schemaValidators((s, v) => Value.Check(s, v), { add: [Type.Number(), Type.Number()] })
 */
export function schemaValidators<S>(check: (schema: S, value: unknown) => boolean, schemas: Record<string, readonly S[]>): Record<string, (args: unknown[]) => void> {
  const out: Record<string, (args: unknown[]) => void> = {};
  for (const [method, list] of Object.entries(schemas)) {
    out[method] = (args) => {
      if (args.length > list.length) throw new RpcArgumentError(`${method}: expected at most ${list.length} arguments, got ${args.length}`);
      list.forEach((schema, i) => {
        if (!check(schema, args[i])) throw new RpcArgumentError(`${method}: argument ${i} does not match its schema`);
      });
    };
  }
  return out;
}
