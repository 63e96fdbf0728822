/**
 * Reads the raw JSON text of one top-level member of a JSON object text, so the gateway can forward
 * a client's serialized chain as text (one string over Workers RPC) instead of as the object graph
 * that `JSON.parse` built. Only used on text that `JSON.parse` already accepted.
 */

function skipWhitespace(t: string, i: number): number {
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
  }
  return i;
}

/** `i` at an opening quote; the index after the closing quote, or -1. */
function stringEnd(t: string, i: number): number {
  for (;;) {
    const q = t.indexOf('"', i + 1);
    if (q < 0) return -1;
    // A quote preceded by an odd number of backslashes is escaped.
    let slashes = 0;
    while (t.charCodeAt(q - 1 - slashes) === 92) slashes++;
    if (slashes % 2 === 0) return q + 1;
    i = q;
  }
}

/** `i` at the first character of a JSON value; the index after it, or -1. */
function valueEnd(t: string, i: number): number {
  const first = t.charCodeAt(i);
  if (first === 34) return stringEnd(t, i);
  if (first === 123 || first === 91) {
    let depth = 0;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 34) {
        const end = stringEnd(t, i);
        if (end < 0) return -1;
        i = end - 1;
      } else if (c === 123 || c === 91) depth++;
      else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
    }
    return -1;
  }
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 44 || c === 125 || c === 93 || c === 32 || c === 9 || c === 10 || c === 13) break;
  }
  return i;
}

/**
 * The text of top-level member `name` of the JSON object `text` (the last occurrence, which is the
 * one `JSON.parse` keeps), or undefined when absent or the text is not a JSON object.
 * @example memberText('{"a":1,"chain":{"root":0,"objects":[]}}', 'chain') // '{"root":0,"objects":[]}'
 */
export function memberText(text: string, name: string): string | undefined {
  let i = skipWhitespace(text, 0);
  if (text.charCodeAt(i) !== 123) return undefined;
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === 125) return undefined;
  let found: string | undefined;
  for (;;) {
    if (text.charCodeAt(i) !== 34) return undefined;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    const raw = text.slice(i + 1, keyEnd - 1);
    const key: unknown = raw.includes('\\') ? JSON.parse(text.slice(i, keyEnd)) : raw;
    i = skipWhitespace(text, keyEnd);
    if (text.charCodeAt(i) !== 58) return undefined;
    i = skipWhitespace(text, i + 1);
    const end = valueEnd(text, i);
    if (end < 0) return undefined;
    if (key === name) found = text.slice(i, end);
    i = skipWhitespace(text, end);
    const c = text.charCodeAt(i);
    if (c === 125) return found;
    if (c !== 44) return undefined;
    i = skipWhitespace(text, i + 1);
  }
}

/**
 * The raw texts of the elements of the JSON array `text` (already accepted by `JSON.parse`), in
 * order, or undefined when it is not an array. Used for the inner frames of a `batch`.
 * @example arrayElementTexts('[{"a":1},{"b":2}]') // ['{"a":1}', '{"b":2}']
 */
export function arrayElementTexts(text: string): string[] | undefined {
  let i = skipWhitespace(text, 0);
  if (text.charCodeAt(i) !== 91) return undefined;
  i = skipWhitespace(text, i + 1);
  const out: string[] = [];
  if (text.charCodeAt(i) === 93) return out;
  for (;;) {
    const end = valueEnd(text, i);
    if (end < 0) return undefined;
    out.push(text.slice(i, end));
    i = skipWhitespace(text, end);
    const c = text.charCodeAt(i);
    if (c === 93) return out;
    if (c !== 44) return undefined;
    i = skipWhitespace(text, i + 1);
  }
}
