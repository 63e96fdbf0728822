/** Client-side refusal of argument values that cannot travel (spec §7), naming the type and path. */
import { TRANSFORM_SKIP, type PreprocessTransform } from '@lumenize/structured-clone';

/** A call argument that cannot be sent. */
export class UnsupportedArgumentError extends TypeError {
  override name = 'UnsupportedArgumentError';
}

function renderPath(path: readonly { key?: unknown }[]): string {
  return path.map((p) => (typeof p.key === 'number' ? `[${p.key}]` : p.key === undefined ? '[entry]' : `.${String(p.key)}`)).join('') || '(argument)';
}

export const argumentTransform: PreprocessTransform = (value, context) => {
  if (typeof value === 'function') {
    throw new UnsupportedArgumentError(`Cannot send a function as an RPC argument (at ${renderPath(context.path)}): functions do not travel; use downstream messaging or @lumenize/mesh for callbacks`);
  }
  return TRANSFORM_SKIP;
};
