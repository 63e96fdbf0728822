/**
 * Structural equality of two value graphs up to identity: the mapping original → decoded must be
 * one-to-one (aliases stay aliases, cycles stay cycles). Iterative, so 10,000-deep chains are fine.
 * Used to mark a peer "n/a" for a shape it cannot represent faithfully.
 */
const tagOf = (v: object) => Object.prototype.toString.call(v);

export function sameGraph(a: unknown, b: unknown): boolean {
  const forward = new Map<object, object>();
  const backward = new Map<object, object>();
  const stack: Array<[unknown, unknown]> = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (typeof x !== 'object' || x === null) {
      if (!Object.is(x, y)) return false;
      continue;
    }
    if (typeof y !== 'object' || y === null) return false;
    const seen = forward.get(x);
    if (seen !== undefined) {
      if (seen !== y) return false;
      continue;
    }
    if (backward.has(y)) return false; // two originals collapsed into one, or identity not kept
    forward.set(x, y);
    backward.set(y, x);
    if (tagOf(x) !== tagOf(y) || Array.isArray(x) !== Array.isArray(y)) return false;
    if (x instanceof Date) {
      if (!(y instanceof Date) || x.getTime() !== y.getTime()) return false;
    } else if (ArrayBuffer.isView(x)) {
      const xb = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
      const yv = y as ArrayBufferView;
      const yb = new Uint8Array(yv.buffer, yv.byteOffset, yv.byteLength);
      if (xb.length !== yb.length) return false;
      for (let i = 0; i < xb.length; i++) if (xb[i] !== yb[i]) return false;
    } else if (x instanceof Map) {
      if (!(y instanceof Map) || x.size !== y.size) return false;
      const xs = [...x];
      const ys = [...y];
      for (let i = 0; i < xs.length; i++) stack.push([xs[i][0], ys[i][0]], [xs[i][1], ys[i][1]]);
    } else if (x instanceof Set) {
      if (!(y instanceof Set) || x.size !== y.size) return false;
      const xs = [...x];
      const ys = [...y];
      for (let i = 0; i < xs.length; i++) stack.push([xs[i], ys[i]]);
    } else {
      const xk = Object.keys(x);
      const yk = Object.keys(y);
      if (xk.length !== yk.length) return false;
      for (const k of xk) {
        if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
        stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
      }
    }
  }
  return true;
}
