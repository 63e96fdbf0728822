/**
 * Text operations for collaborative editing (operational transformation, the scheme of ot.js).
 * An operation walks the whole base text: a positive number retains that many characters, a
 * negative number deletes that many, a string inserts it. Runtime-neutral: the DocumentDO, the
 * browser and Node tests share this file, so server and clients transform edits identically.
 * @example applyOp('hello', [5, ' world']) // 'hello world'
 */

/** `[retain: n > 0 | delete: n < 0 | insert: string]`, covering the whole base text. */
export type TextOp = Array<number | string>;

/** Largest text a document may hold (characters). */
export const MAX_TEXT_LENGTH = 200_000;
/** Most components one operation may have. */
export const MAX_OP_COMPONENTS = 1_000;

/** Error for a malformed operation or one that does not fit the text it is applied to. */
export class InvalidTextOpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTextOpError';
  }
}

/** Builds canonical operations: merged neighbours, inserts before deletes, no zero components. */
class OpBuilder {
  readonly ops: TextOp = [];

  retain(n: number): this {
    if (n === 0) return this;
    const last = this.ops.length - 1;
    if (typeof this.ops[last] === 'number' && (this.ops[last] as number) > 0) this.ops[last] = (this.ops[last] as number) + n;
    else this.ops.push(n);
    return this;
  }

  insert(s: string): this {
    if (s === '') return this;
    const ops = this.ops;
    const last = ops.length - 1;
    if (typeof ops[last] === 'string') {
      ops[last] = (ops[last] as string) + s;
    } else if (typeof ops[last] === 'number' && (ops[last] as number) < 0) {
      // Canonical order: insert before an adjacent delete (both orders mean the same edit).
      if (typeof ops[last - 1] === 'string') ops[last - 1] = (ops[last - 1] as string) + s;
      else ops.splice(last, 0, s);
    } else {
      ops.push(s);
    }
    return this;
  }

  delete(n: number): this {
    if (n === 0) return this;
    const last = this.ops.length - 1;
    if (typeof this.ops[last] === 'number' && (this.ops[last] as number) < 0) this.ops[last] = (this.ops[last] as number) - n;
    else this.ops.push(-n);
    return this;
  }
}

/**
 * Throws `InvalidTextOpError` unless `value` is a well-formed operation (wire input is untrusted).
 * @example assertTextOp(JSON.parse(body));
 */
export function assertTextOp(value: unknown): asserts value is TextOp {
  if (!Array.isArray(value)) throw new InvalidTextOpError('An edit must be an array of retain/delete counts and inserted strings');
  if (value.length > MAX_OP_COMPONENTS) throw new InvalidTextOpError(`An edit may have at most ${MAX_OP_COMPONENTS} components, got ${value.length}`);
  for (const c of value) {
    if (typeof c === 'string') {
      if (c === '') throw new InvalidTextOpError('An edit may not insert an empty string');
    } else if (typeof c !== 'number' || !Number.isSafeInteger(c) || c === 0) {
      throw new InvalidTextOpError('Edit components must be non-zero integers (retain > 0, delete < 0) or non-empty strings');
    }
  }
}

/** Length of the text the operation applies to. */
export function baseLength(op: TextOp): number {
  let n = 0;
  for (const c of op) if (typeof c === 'number') n += Math.abs(c);
  return n;
}

/** Length of the text the operation produces. */
export function targetLength(op: TextOp): number {
  let n = 0;
  for (const c of op) n += typeof c === 'string' ? c.length : c > 0 ? c : 0;
  return n;
}

/** True when the operation changes nothing. */
export function isNoop(op: TextOp): boolean {
  return op.every((c) => typeof c === 'number' && c > 0);
}

/**
 * Applies `op` to `text`; throws `InvalidTextOpError` when the operation was made for another length.
 * @example applyOp('abc', [1, -1, 'X', 1]) // 'aXc'
 */
export function applyOp(text: string, op: TextOp): string {
  if (baseLength(op) !== text.length) {
    throw new InvalidTextOpError(`The edit was made for a text of ${baseLength(op)} characters, but the document has ${text.length}`);
  }
  let out = '';
  let pos = 0;
  for (const c of op) {
    if (typeof c === 'string') out += c;
    else if (c > 0) {
      out += text.slice(pos, pos + c);
      pos += c;
    } else pos -= c;
  }
  return out;
}

/**
 * The operation turning `before` into `after`, as one changed region (common prefix and suffix kept).
 * @example diffOp('hello', 'help!') // [3, 'p!', -2]
 */
export function diffOp(before: string, after: string): TextOp {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  return new OpBuilder()
    .retain(start)
    .insert(after.slice(start, after.length - end))
    .delete(before.length - start - end)
    .retain(end).ops;
}

/**
 * Transforms two concurrent operations on the same text: returns `[a', b']` such that
 * `apply(apply(t, a), b') === apply(apply(t, b), a')`. When both insert at one place, `a`'s text
 * comes first, so pass the operation that was committed first as `a`.
 * @example const [committed2, mine2] = transform(committed, mine);
 */
export function transform(a: TextOp, b: TextOp): [TextOp, TextOp] {
  if (baseLength(a) !== baseLength(b)) throw new InvalidTextOpError('Both edits must be based on the same text to be transformed');
  const aPrime = new OpBuilder();
  const bPrime = new OpBuilder();
  let i = 0;
  let j = 0;
  let x: number | string | undefined = a[i++];
  let y: number | string | undefined = b[j++];
  while (x !== undefined || y !== undefined) {
    if (typeof x === 'string') {
      aPrime.insert(x);
      bPrime.retain(x.length);
      x = a[i++];
      continue;
    }
    if (typeof y === 'string') {
      aPrime.retain(y.length);
      bPrime.insert(y);
      y = b[j++];
      continue;
    }
    if (x === undefined || y === undefined) throw new InvalidTextOpError('Edits of different lengths cannot be transformed');
    if (x > 0 && y > 0) {
      const n = Math.min(x, y);
      aPrime.retain(n);
      bPrime.retain(n);
      [x, y] = next(x - n, y - n);
    } else if (x < 0 && y < 0) {
      // Both delete the same characters: nothing left to do for either.
      const n = Math.min(-x, -y);
      [x, y] = next(x + n, y + n);
    } else if (x < 0 && y > 0) {
      const n = Math.min(-x, y);
      aPrime.delete(n);
      [x, y] = next(x + n, y - n);
    } else {
      const n = Math.min(x as number, -(y as number));
      bPrime.delete(n);
      [x, y] = next((x as number) - n, (y as number) + n);
    }
  }
  return [aPrime.ops, bPrime.ops];

  function next(restX: number, restY: number): [number | string | undefined, number | string | undefined] {
    return [restX === 0 ? a[i++] : restX, restY === 0 ? b[j++] : restY];
  }
}

/**
 * Where a caret at `index` ends up after `op` (inserts at the caret push it right).
 * @example transformIndex(3, [1, 'ab', 4]) // 5
 */
export function transformIndex(index: number, op: TextOp): number {
  let remaining = index;
  let moved = index;
  for (const c of op) {
    if (typeof c === 'string') moved += c.length;
    else if (c > 0) remaining -= c;
    else {
      moved -= Math.min(remaining, -c);
      remaining += c;
    }
    if (remaining < 0) break;
  }
  return moved;
}
