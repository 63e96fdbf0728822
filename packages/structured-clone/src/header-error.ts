/**
 * Describes a header the platform refused without quoting its value (values may hold tokens or
 * cookies) and without the platform's own message (which quotes the value). Names are quoted,
 * capped like every other echo.
 */
import { snippet } from './errors.ts';

// RFC 9110 §5.1: a field name is a token. A valid name that was refused means the value was bad.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The problem with a refused `[name, value]` header, value not shown. */
export function headerProblem(name: string): string {
  return TOKEN.test(name)
    ? `header ${snippet(name)} has a value with characters a header cannot hold (values are never shown)`
    : `${snippet(name)} is not a valid header name`;
}

/** Finds the first refused pair of a headers init, for {@link headerProblem}; undefined if none is found. */
export function firstRefusedHeader(init: unknown): string | undefined {
  let pairs: unknown[];
  try {
    if (Array.isArray(init)) pairs = init;
    else if (typeof init === 'object' && init !== null && !(init instanceof Headers)) pairs = Object.entries(init);
    else return undefined;
  } catch {
    return undefined;
  }
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') continue;
    try {
      new Headers().append(pair[0], pair[1]);
    } catch {
      return headerProblem(pair[0]);
    }
  }
  return undefined;
}
