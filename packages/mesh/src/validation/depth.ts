/**
 * The nesting bound checked before any validator runs. Schema libraries recurse on the data, so an
 * argument nested thousands of levels deep (cheap to send: structured-clone decodes it without
 * recursion) would otherwise overflow the stack inside the validator. One pass, each object once.
 */
import { MAX_VALIDATED_DEPTH } from './limits.ts';

function children(value: object): Iterable<unknown> | undefined {
  if (Array.isArray(value)) return value;
  if (value instanceof Map) return [...value.keys(), ...value.values()];
  if (value instanceof Set) return value.values();
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return Object.values(value);
  return undefined;
}

/** True when `value` nests containers (arrays, plain objects, Maps, Sets) deeper than `max`. */
export function nestsDeeperThan(value: unknown, max: number = MAX_VALIDATED_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const seen = new Set<object>([value]);
  // Breadth first, so a shared object counts at its shallowest depth.
  const queue: [object, number][] = [[value, 1]];
  for (let head = 0; head < queue.length; head++) {
    const [node, depth] = queue[head];
    if (depth > max) return true;
    const kids = children(node);
    if (!kids) continue;
    for (const child of kids) {
      if (typeof child === 'object' && child !== null && !seen.has(child)) {
        seen.add(child);
        queue.push([child, depth + 1]);
      }
    }
  }
  return false;
}
