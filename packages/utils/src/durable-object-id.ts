const ID = /^[0-9a-f]{64}$/;

/**
 * True exactly for strings of 64 lowercase hexadecimal characters (the shape of a DO id).
 * @example isDurableObjectId(env.MY_DO.newUniqueId().toString()) // true
 */
export function isDurableObjectId(value: unknown): boolean {
  return typeof value === 'string' && ID.test(value);
}
