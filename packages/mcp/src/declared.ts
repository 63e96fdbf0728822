/**
 * The methods a DO's class chain declares, nearest class first: what `@tool`, `@prompt` and
 * `@resource` look up in their registries (each decides how an override or a name clash resolves).
 */
export function* declaredMethods(instance: object): Generator<[key: string, method: object]> {
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, key)?.value as unknown;
      // Only plain data members that are functions; accessors are never read.
      if (typeof value === 'function') yield [key, value];
    }
  }
}
