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
  const kind = leaf(value);
  return kind === LEAF_OBJECT ? walk(value as object, new Set(), 0, special) : kind === LEAF_PLAIN;
}

const LEAF_PLAIN = 1;
const LEAF_NOT_PLAIN = 0;
const LEAF_OBJECT = -1;

/** A value's kind without a call per element: plain leaf, not plain, or an object to walk. */
function leaf(v: unknown): number {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return LEAF_PLAIN;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0) ? LEAF_PLAIN : LEAF_NOT_PLAIN;
    case 'object':
      return v === null ? LEAF_PLAIN : LEAF_OBJECT;
    default:
      return LEAF_NOT_PLAIN;
  }
}

/** True when the member `x` of an object at `depth` is plain (leaves are decided here, objects walked). */
function member(x: unknown, seen: Set<object>, depth: number, special: ((v: object) => boolean) | undefined): boolean {
  const kind = leaf(x);
  return kind === LEAF_PLAIN || (kind === LEAF_OBJECT && walk(x as object, seen, depth + 1, special));
}

function walk(v: object, seen: Set<object>, depth: number, special: ((v: object) => boolean) | undefined): boolean {
  if (depth >= MAX_PLAIN_DEPTH || seen.has(v)) return false;
  seen.add(v);
  if (special !== undefined && special(v)) return false;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return false;
    for (let i = 0; i < v.length; i++) {
      // A hole would come back as null.
      if (!(i in v) || !member(v[i], seen, depth, special)) return false;
    }
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const key in v) {
    if (!Object.hasOwn(v, key)) return false; // an inherited enumerable member: not a plain record
    const d = Object.getOwnPropertyDescriptor(v, key)!;
    if (d.get !== undefined || d.set !== undefined) return false;
    if (!member(d.value, seen, depth, special)) return false;
  }
  return true;
}
