/** Result of {@link parsePathname}. */
export interface ParsedPathname {
  doBindingNameSegment: string;
  doInstanceNameOrId: string | undefined;
}

/** Splits a path into its non-empty segments (`//a//b/` → `['a', 'b']`). */
function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/**
 * Parses `[/prefix]/<bindingSegment>/<instanceNameOrId>[/...]`. The prefix matches whole segments
 * (`/api` matches `/api/x/y`, not `/apiv2/x/y`); empty segments are ignored; nothing is decoded.
 * Returns `undefined` when the prefix does not match or no segment remains.
 * @example parsePathname('/api/my-do/lobby', { prefix: 'api' }) // { doBindingNameSegment: 'my-do', doInstanceNameOrId: 'lobby' }
 */
export function parsePathname(pathname: string, options?: { prefix?: string }): ParsedPathname | undefined {
  const parts = segments(pathname);
  const prefix = options?.prefix ? segments(options.prefix) : [];
  if (parts.length <= prefix.length) return undefined;
  for (let i = 0; i < prefix.length; i++) if (parts[i] !== prefix[i]) return undefined;
  return { doBindingNameSegment: parts[prefix.length], doInstanceNameOrId: parts[prefix.length + 1] };
}
