/**
 * The `bindings` allow-list of `routeDORequest`: which DO bindings on `env` a router may reach.
 * An entry is a binding name as declared on `env` (`MY_DO`), or a kebab URL form (`my-do`) that
 * stands for the same variants the URL segment resolves to (`MY_DO`, `MyDo`, `myDo`, `MyDO`...).
 */
import { bindingNameVariants } from './binding-resolution.ts';

/** True when the binding named exactly `bindingName` on `env` may be routed to. */
export type BindingFilter = (bindingName: string) => boolean;

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// Compiled once per list object; routers build their options once, requests reuse them.
const compiled = new WeakMap<readonly string[], BindingFilter>();

/**
 * Compiles an allow-list; throws `TypeError` for anything but an array of non-empty strings.
 * The array is read once (pass a new array to change the list).
 */
export function compileBindingAllowList(list: unknown): BindingFilter {
  if (!Array.isArray(list)) {
    throw new TypeError(`routeDORequest: options.bindings must be an array of binding names (e.g. ['MY_DO']), got ${list === null ? 'null' : typeof list}`);
  }
  const cached = compiled.get(list);
  if (cached) return cached;
  const names = new Set<string>();
  for (const entry of list as unknown[]) {
    if (typeof entry !== 'string' || entry === '') {
      throw new TypeError(`routeDORequest: options.bindings entries must be non-empty binding names (e.g. 'MY_DO'), got ${entry === '' ? 'an empty string' : typeof entry}`);
    }
    names.add(entry);
    if (KEBAB.test(entry)) for (const variant of bindingNameVariants(entry)) names.add(variant);
  }
  const filter: BindingFilter = (bindingName) => names.has(bindingName);
  compiled.set(list, filter);
  return filter;
}
