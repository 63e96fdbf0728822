/**
 * The plain-tree test of the compact wire (docs/mesh-clients.md "Wire format"): a value that JSON
 * carries exactly, so it can skip structured-clone's table. One linear pass; anything it is unsure
 * of is "not plain" and goes through structured-clone, which is always correct.
 */

/** Deepest nesting the fast path takes; deeper values go through structured-clone (its table is flat). */
export const MAX_PLAIN_DEPTH = 32;

/**
 * True when `value` is an acyclic, alias-free tree of plain objects (prototype `Object.prototype`),
 * dense arrays, strings, finite numbers (not `-0`), booleans and `null`: `JSON.parse(JSON.stringify(v))`
 * rebuilds it exactly. `special` may force "not plain" for values that need the slow path's checks.
 * @example isPlainTree({ a: [1, 'x', null] }) // true
 * @example isPlainTree(new Date()) // false
 */
export function isPlainTree(value: unknown, special?: (v: object) => boolean): boolean {
  return walk(value, new Set(), 0, special);
}

function walk(v: unknown, seen: Set<object>, depth: number, special: ((v: object) => boolean) | undefined): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object':
      break;
    default:
      return false;
  }
  if (v === null) return true;
  if (depth >= MAX_PLAIN_DEPTH || seen.has(v)) return false;
  seen.add(v);
  if (special?.(v)) return false;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return false;
    for (let i = 0; i < v.length; i++) {
      // A hole would come back as null.
      if (!(i in v) || !walk(v[i], seen, depth + 1, special)) return false;
    }
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const key in v) {
    if (!Object.hasOwn(v, key)) return false; // an inherited enumerable member: not a plain record
    const d = Object.getOwnPropertyDescriptor(v, key)!;
    if (d.get !== undefined || d.set !== undefined) return false;
    if (!walk(d.value, seen, depth + 1, special)) return false;
  }
  return true;
}
