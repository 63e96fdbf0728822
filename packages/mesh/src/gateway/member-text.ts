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
 * Walks the members of the JSON object starting at `i` (after whitespace), calling `member` with
 * each key and its value's span; the index after the object, or -1 when it is not an object.
 */
function objectMembers(text: string, i: number, member: (key: unknown, start: number, end: number) => void): number {
  i = skipWhitespace(text, i);
  if (text.charCodeAt(i) !== 123) return -1;
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === 125) return i + 1;
  for (;;) {
    if (text.charCodeAt(i) !== 34) return -1;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return -1;
    const raw = text.slice(i + 1, keyEnd - 1);
    const key: unknown = raw.includes('\\') ? JSON.parse(text.slice(i, keyEnd)) : raw;
    i = skipWhitespace(text, keyEnd);
    if (text.charCodeAt(i) !== 58) return -1;
    i = skipWhitespace(text, i + 1);
    const end = valueEnd(text, i);
    if (end < 0) return -1;
    member(key, i, end);
    i = skipWhitespace(text, end);
    const c = text.charCodeAt(i);
    if (c === 125) return i + 1;
    if (c !== 44) return -1;
    i = skipWhitespace(text, i + 1);
  }
}

/**
 * The text of top-level member `name` of the JSON object `text` (the last occurrence, which is the
 * one `JSON.parse` keeps), or undefined when absent or the text is not a JSON object.
 * @example memberText('{"a":1,"chain":{"root":0,"objects":[]}}', 'chain') // '{"root":0,"objects":[]}'
 */
export function memberText(text: string, name: string): string | undefined {
  let found: string | undefined;
  const end = objectMembers(text, 0, (key, start, stop) => {
    if (key === name) found = text.slice(start, stop);
  });
  return end < 0 ? undefined : found;
}

/** `i` at `[`: calls `element` with each element's start; the index after the array, or -1. */
function arrayElements(text: string, i: number, element: (start: number) => number): number {
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === 93) return i + 1;
  for (;;) {
    const end = element(i);
    if (end < 0) return -1;
    i = skipWhitespace(text, end);
    const c = text.charCodeAt(i);
    if (c === 93) return i + 1;
    if (c !== 44) return -1;
    i = skipWhitespace(text, i + 1);
  }
}

/** One element of a batch's list: its text, and the texts of the members asked for (when it is an object). */
export interface ElementTexts {
  text: string;
  members: Map<string, string>;
}

/**
 * The raw texts of the elements of the array that is member `list` of the JSON object `text` (the
 * inner frames of a `batch`), each with the texts of its members named in `names` (the last
 * occurrence of each, as `JSON.parse` keeps), all in one pass. Undefined when `text` is
 * not an object or that member is absent or not an array.
 * @example batchElementTexts('{"t":"b","f":[{"i":1,"o":[]}]}', 'f', ['o'])![0]!.members.get('o') // '[]'
 */
export function batchElementTexts(text: string, list: string, names: readonly string[]): ElementTexts[] | undefined {
  let found: ElementTexts[] | undefined;
  const end = objectMembers(text, 0, (key, start, stop) => {
    if (key !== list) return;
    if (text.charCodeAt(start) !== 91) {
      found = undefined;
      return;
    }
    const out: ElementTexts[] = [];
    const arrayEnd = arrayElements(text, start, (i) => {
      const members = new Map<string, string>();
      let elementEnd: number;
      if (text.charCodeAt(i) === 123) {
        elementEnd = objectMembers(text, i, (name, s, e) => {
          if (typeof name === 'string' && names.includes(name)) members.set(name, text.slice(s, e));
        });
      } else elementEnd = valueEnd(text, i);
      if (elementEnd >= 0) out.push({ text: text.slice(i, elementEnd), members });
      return elementEnd;
    });
    found = arrayEnd === stop ? out : undefined;
  });
  return end < 0 ? undefined : found;
}
