/**
 * Finds the DO namespace a URL segment names. DO bindings on an `env` are listed once per env
 * object (weakly cached) so routing never rescans `env` per request.
 */
import { MultipleBindingsFoundError } from './errors.ts';

interface Binding {
  bindingName: string;
  namespace: DurableObjectNamespace;
}

const bindingsByEnv = new WeakMap<object, Binding[]>();
const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** True for objects with `idFromName`, `idFromString` and `get` functions (`getByName` optional). */
export function isDurableObjectNamespace(value: unknown): value is DurableObjectNamespace {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  // A service binding (Fetcher) answers every property read with an RPC method, so duck typing
  // alone would take it for a namespace; its brand tells them apart.
  const tag = Object.prototype.toString.call(value);
  if (tag === '[object DurableObjectNamespace]') return true;
  if (tag === '[object Fetcher]') return false;
  const v = value as Record<string, unknown>;
  return typeof v.idFromName === 'function' && typeof v.idFromString === 'function' && typeof v.get === 'function';
}

function doBindings(env: object): Binding[] {
  let list = bindingsByEnv.get(env);
  if (!list) {
    list = [];
    for (const key of Object.keys(env)) {
      const value = (env as Record<string, unknown>)[key];
      if (isDurableObjectNamespace(value)) list.push({ bindingName: key, namespace: value });
    }
    bindingsByEnv.set(env, list);
  }
  return list;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Every binding name a kebab segment may stand for: as-is, SCREAMING_SNAKE, snake, PascalCase,
 * camelCase, and for one- or two-letter parts the upper-cased acronym forms (`my-do` → `MyDO`).
 */
export function bindingNameVariants(segment: string): Set<string> {
  const parts = segment.split('-');
  const variants = new Set([segment, parts.join('_').toUpperCase(), parts.join('_')]);
  // Each short part may be written Capitalized or UPPER in Pascal/camel forms.
  let forms: string[][] = [[]];
  for (const part of parts) {
    const options = part.length <= 2 ? [capitalize(part), part.toUpperCase()] : [capitalize(part)];
    forms = forms.flatMap((f) => options.map((o) => [...f, o]));
  }
  for (const form of forms) {
    const pascal = form.join('');
    variants.add(pascal);
    variants.add(parts[0] + form.slice(1).join(''));
  }
  return variants;
}

/**
 * Resolves a URL segment to a DO binding on `env`. Kebab segments (`my-do`) match their case
 * variants (`MY_DO`, `MyDo`, `myDo`, `MyDO`); any other segment matches only the exact name.
 * Throws `MultipleBindingsFoundError` when several bindings match; `undefined` when none does.
 * @example getDONamespaceFromPathSegment('my-do', env) // { bindingName: 'MY_DO', namespace: env.MY_DO }
 */
export function getDONamespaceFromPathSegment(
  segment: string,
  env: object,
): { bindingName: string; namespace: DurableObjectNamespace } | undefined {
  return resolveBinding(segment, env, undefined);
}

/**
 * As {@link getDONamespaceFromPathSegment}, but only among the bindings `allowed` accepts, so an
 * unlisted binding is indistinguishable from a missing one (it is never named in an error either).
 */
export function resolveBinding(
  segment: string,
  env: object,
  allowed: ((bindingName: string) => boolean) | undefined,
): { bindingName: string; namespace: DurableObjectNamespace } | undefined {
  const bindings = doBindings(env);
  const matches: Binding[] = [];
  const variants = KEBAB.test(segment) ? bindingNameVariants(segment) : undefined;
  for (const b of bindings) {
    if (!(variants ? variants.has(b.bindingName) : b.bindingName === segment)) continue;
    if (allowed === undefined || allowed(b.bindingName)) matches.push(b);
  }
  if (matches.length > 1) throw new MultipleBindingsFoundError(segment, matches.map((m) => m.bindingName));
  return matches[0] ? { bindingName: matches[0].bindingName, namespace: matches[0].namespace } : undefined;
}
