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

/** Names a tool, prompt or resource may have on the wire. */
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * The checks every MCP decorator makes on what it decorates: a method, and the name it is listed
 * under (`options.name`, else the method's). Returns both.
 */
export function declaredName(decorator: string, explicit: string | undefined, value: unknown, context: ClassMethodDecoratorContext | { kind: string; name: string | symbol }): { method: string; name: string } {
  if (context.kind !== 'method' || typeof value !== 'function') throw new TypeError(`${decorator} can only decorate methods ('${String(context.name)}')`);
  const method = String(context.name);
  const name = explicit ?? method;
  if (!NAME.test(name)) throw new TypeError(`${decorator} on '${method}': name '${name}' must match ${NAME}`);
  return { method, name };
}
