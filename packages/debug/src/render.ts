/**
 * Turns caller data into JSON-safe values without ever throwing: true cycles become `[Circular]`,
 * BigInt `123n`, Errors `{ name, message, stack, cause? }`, Maps pairs, Sets arrays, Dates ISO strings.
 * It invokes nothing beyond what JSON.stringify would (getters and `toJSON`).
 */
export function renderData(data: unknown): unknown {
  try {
    return render(data, '', new Set());
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return `[Unserializable: ${reason}]`;
  }
}

function render(value: unknown, key: string, ancestors: Set<object>): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function' && !(value instanceof Date)) {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'bigint':
      return `${value}n`;
    case 'function':
      return `[Function ${value.name || '(anonymous)'}]`;
    case 'symbol':
      return value.toString();
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
      const out: Record<string, unknown> = { name: value.name, message: value.message, stack: value.stack };
      if ('cause' in value && value.cause !== undefined) out.cause = render(value.cause, 'cause', ancestors);
      return out;
    }
    if (value instanceof Map) return [...value].map(([k, v], i) => [render(k, String(i), ancestors), render(v, String(i), ancestors)]);
    if (value instanceof Set) return [...value].map((v, i) => render(v, String(i), ancestors));
    if (Array.isArray(value)) return value.map((v, i) => render(v, String(i), ancestors) ?? null);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const rendered = render((value as Record<string, unknown>)[k], k, ancestors);
      if (rendered !== undefined) out[k] = rendered;
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
