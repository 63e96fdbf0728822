/**
 * Numbers JSON cannot express (`NaN`, `±Infinity`, `-0`) and BigInt digits (spec §3.2, §4).
 */

/** The special-number name of `n`, or undefined when `n` is a finite number other than -0. */
export function specialNumberName(n: number): string | undefined {
  if (n !== n) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0 && 1 / n < 0) return '-0';
  return undefined;
}

/** A number from a payload: a JSON number or a special-number name; undefined when neither. */
export function numberFromPayload(p: unknown): number | undefined {
  if (typeof p === 'number') return p;
  switch (p) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    default:
      return undefined;
  }
}

const BIGINT_DIGITS = /^-?(?:0|[1-9][0-9]*)$/;

/** A BigInt from its decimal string; undefined for anything else (no hex, spaces or signs but `-`). */
export function bigintFromPayload(p: unknown): bigint | undefined {
  return typeof p === 'string' && BIGINT_DIGITS.test(p) ? BigInt(p) : undefined;
}
