/**
 * URI templates of `@resource({ uriTemplate })`: RFC 6570 level 1 (`{var}`), plus `{+var}` as the one
 * way a template lets a variable span `/`. Parsed once at declaration; matching is anchored and
 * linear (each variable takes the shortest non-empty text up to the next literal, no regex built
 * from the template, no backtracking). Runtime-neutral. Guide: docs/mcp.md#resources.
 */
import { MAX_URI_LENGTH } from './subscriptions.ts';

/** Longest `uriTemplate` accepted (characters). */
export const MAX_TEMPLATE_LENGTH = 1024;
/** Most variables one template may have. */
export const MAX_TEMPLATE_VARIABLES = 16;

const VAR_NAME = /^[A-Za-z0-9_]{1,64}$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** Characters RFC 6570 does not allow in a template's literal parts. */
const BAD_LITERAL = /[\s"'<>\\^`|{}]/;

interface Variable {
  readonly name: string;
  /** `{+var}`: the value may contain `/`. */
  readonly reserved: boolean;
}

/** A parsed template: `literals[0] var[0] literals[1] var[1] … literals[n]` (`literals.length === variables.length + 1`). */
export interface UriTemplate {
  readonly source: string;
  readonly literals: readonly string[];
  readonly variables: readonly Variable[];
}

/** What matching a URI against a template gives: its variables, or the variable whose text is not valid percent-encoding. */
export type TemplateMatch = { readonly vars: Record<string, string> } | { readonly badEncoding: string };

/** Parses `source`; throws a `TypeError` saying what is wrong (`where` names the declaration). */
export function parseUriTemplate(source: unknown, where: string): UriTemplate {
  if (typeof source !== 'string' || source === '' || source.length > MAX_TEMPLATE_LENGTH) throw new TypeError(`${where}: uriTemplate must be a string of 1..${MAX_TEMPLATE_LENGTH} characters`);
  const literals: string[] = [];
  const variables: Variable[] = [];
  let pos = 0;
  for (;;) {
    const open = source.indexOf('{', pos);
    const literal = source.slice(pos, open < 0 ? source.length : open);
    if (BAD_LITERAL.test(literal)) throw new TypeError(`${where}: uriTemplate '${source}' has a character not allowed outside {…} (whitespace, quotes, <>\\^\`| or an unmatched brace)`);
    literals.push(literal);
    if (open < 0) break;
    const close = source.indexOf('}', open);
    if (close < 0) throw new TypeError(`${where}: uriTemplate '${source}' has an unclosed '{'`);
    if (open === pos && variables.length > 0) throw new TypeError(`${where}: uriTemplate '${source}' has two variables with nothing between them; put a literal between (e.g. '{a}-{b}')`);
    const body = source.slice(open + 1, close);
    const reserved = body.startsWith('+');
    const name = reserved ? body.slice(1) : body;
    if (!VAR_NAME.test(name)) throw new TypeError(`${where}: uriTemplate '${source}': '{${body}}' is not supported; use {name} or {+name} (name: letters, digits, _; 1..64)`);
    if (variables.some((v) => v.name === name)) throw new TypeError(`${where}: uriTemplate '${source}' uses variable '${name}' twice`);
    variables.push({ name, reserved });
    if (variables.length > MAX_TEMPLATE_VARIABLES) throw new TypeError(`${where}: uriTemplate '${source}' has more than ${MAX_TEMPLATE_VARIABLES} variables`);
    pos = close + 1;
  }
  if (variables.length === 0) throw new TypeError(`${where}: uriTemplate '${source}' has no {variable}; use uri for a fixed resource`);
  if (!SCHEME.test(literals[0]!)) throw new TypeError(`${where}: uriTemplate '${source}' must start with a literal scheme (e.g. 'notes://{id}')`);
  return { source, literals, variables };
}

/** The URI's variables when it matches `template` (anchored at both ends), else `undefined`. */
export function matchUriTemplate(template: UriTemplate, uri: string): TemplateMatch | undefined {
  if (uri.length > MAX_URI_LENGTH) return undefined;
  const { literals, variables } = template;
  if (!uri.startsWith(literals[0]!)) return undefined;
  let pos = literals[0]!.length;
  const vars: Array<[string, string]> = [];
  for (let i = 0; i < variables.length; i++) {
    const variable = variables[i]!;
    const next = literals[i + 1]!;
    const last = i === variables.length - 1;
    // The last variable runs to the final literal, which must end the URI; the others stop at the first occurrence of theirs.
    const end = last ? (next === '' || uri.endsWith(next) ? uri.length - next.length : -1) : uri.indexOf(next, pos + 1);
    if (end <= pos) return undefined;
    const raw = uri.slice(pos, end);
    if (!variable.reserved && raw.includes('/')) return undefined;
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      return { badEncoding: variable.name };
    }
    // An encoded '/' (%2F) is still a '/': a plain {var} never yields one.
    if (!variable.reserved && value.includes('/')) return undefined;
    vars.push([variable.name, value]);
    pos = end + next.length;
  }
  return { vars: Object.fromEntries(vars) };
}
