/**
 * The transform hook's pieces (spec §3.10): the `TRANSFORM_SKIP` sentinel and a context whose
 * `path` is computed only when read.
 */
import type { PathElement, PreprocessContext } from './types.ts';

/**
 * Returned by a transform hook to decline a value (default encoding applies).
 *
 * @example preprocess(v, { transform: (x) => (typeof x === 'function' ? { fn: true } : TRANSFORM_SKIP) })
 */
export const TRANSFORM_SKIP: unique symbol = Symbol('lmz.TRANSFORM_SKIP');

/** A step from a container to one of its values; `step` is undefined for Map/Set members. */
export interface PathNode {
  readonly parent: PathNode | null;
  readonly step: PathElement | undefined;
}

/** The path from the root through `node`. */
export function pathOf(node: PathNode | null): PathElement[] {
  const steps: PathElement[] = [];
  for (let n = node; n !== null; n = n.parent) if (n.step !== undefined) steps.push(n.step);
  return steps.reverse();
}

/** Renders a path as `.user.tags[2]` (the root is ''). */
export function renderPath(path: readonly PathElement[]): string {
  let out = '';
  for (const { type, key } of path) {
    if (type === 'index') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key).slice(0, 50))}]`;
  }
  return out;
}

/** The step to a value under `key`: an array position, a property name, or none (Map/Set members). */
export function stepOf(key: string | number | undefined): PathElement | undefined {
  if (key === undefined) return undefined;
  return typeof key === 'number' ? { type: 'index', key } : { type: 'get', key };
}

/** The context handed to a hook; nothing about the path is built unless `path` is read. */
export class HookContext implements PreprocessContext {
  #node: PathNode | null;
  #key: string | number | undefined;
  #path: PathElement[] | undefined;
  constructor(node: PathNode | null, key: string | number | undefined) {
    this.#node = node;
    this.#key = key;
  }
  get path(): PathElement[] {
    if (this.#path === undefined) {
      const path = pathOf(this.#node);
      const step = stepOf(this.#key);
      if (step !== undefined) path.push(step);
      this.#path = path;
    }
    return this.#path.slice();
  }
}
