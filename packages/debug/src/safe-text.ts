/**
 * Total conversions for values that may be hostile: a null-prototype object, a Proxy whose traps
 * throw, a `toString` that throws or returns an object. Nothing here can throw.
 */

/** `String(value)`, or a bracketed description when conversion throws. */
export function safeString(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch (error) {
    return `[unprintable ${typeof value}: ${describeThrown(error)}]`;
  }
}

/** `Name: message` of a thrown value, read defensively (its getters may throw too). */
export function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error) {
      const name: unknown = error.name;
      const message: unknown = error.message;
      return `${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? message : ''}`;
    }
    if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return String(error);
    return `a thrown ${typeof error}`;
  } catch {
    return 'an error that cannot be described';
  }
}
