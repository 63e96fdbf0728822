/**
 * Turns caller data into JSON-safe values without ever throwing: true cycles become `[Circular]`,
 * BigInt `123n`, Errors `{ name, message, stack, cause? }`, Maps pairs, Sets arrays, Dates ISO strings.
 * It invokes nothing beyond what JSON.stringify would (getters and `toJSON`); when one of those
 * throws, the whole value becomes `[Unserializable: <reason>]`. Every result holds only primitives,
 * arrays and plain objects, so `JSON.stringify` of it cannot throw.
 */
import { describeThrown } from './safe-text.ts';

export function renderData(data: unknown): unknown {
  try {
    return render(data, '', new Set());
  } catch (error) {
    return `[Unserializable: ${describeThrown(error)}]`;
  }
}

/** Own data property, safe for the key `__proto__` (a plain assignment would set the prototype). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function render(value: unknown, key: string, ancestors: Set<object>): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function' && !(value instanceof Date)) {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'bigint':
      return `${value}n`;
    case 'function': {
      const name: unknown = value.name;
      return `[Function ${typeof name === 'string' && name ? name : '(anonymous)'}]`;
    }
    case 'symbol':
      return String(value);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (ancestors.has(value)) return '[Circular]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  ancestors.add(value);
  try {
    if (value instanceof Error) {
      // Each field is rendered too: a name or message may itself be a BigInt, a cycle or a Proxy.
      const out: Record<string, unknown> = {
        name: render(value.name, 'name', ancestors),
        message: render(value.message, 'message', ancestors),
        stack: render(value.stack, 'stack', ancestors),
      };
      if ('cause' in value && value.cause !== undefined) out.cause = render(value.cause, 'cause', ancestors);
      return out;
    }
    if (value instanceof Map) return [...value].map(([k, v], i) => [render(k, String(i), ancestors) ?? null, render(v, String(i), ancestors) ?? null]);
    if (value instanceof Set) return [...value].map((v, i) => render(v, String(i), ancestors) ?? null);
    if (Array.isArray(value)) {
      // Index reads, as JSON.stringify does (no iterator a subclass could override); holes give null.
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) out.push(render(value[i], String(i), ancestors) ?? null);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const rendered = render((value as Record<string, unknown>)[k], k, ancestors);
      if (rendered !== undefined) put(out, k, rendered);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
