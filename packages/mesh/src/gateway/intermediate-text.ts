/**
 * Proof that a text may be spliced into a client frame: it must be exactly one well-formed JSON
 * value of the expected kind, a serialized structured-clone intermediate `{"root":…,"objects":[…]}`.
 * The gateway splices result texts into `call_response` frames without parsing them (the fast
 * path); a text that is not proven here would let one peer rewrite another client's frame (a
 * result like `1,"seq":999` overriding its seq) or break it (invalid JSON, then an endless
 * reconnect loop). One linear pass over the characters, bounded nesting, no allocation per value.
 */

/**
 * Deepest array/object nesting accepted in a spliced intermediate. structured-clone's output stays
 * below 10 (every object is one table entry, referenced by index), so deeper text is not an
 * intermediate; the bound also keeps the scan's recursion and the client's decoding shallow.
 */
export const MAX_INTERMEDIATE_DEPTH = 64;

export { InvalidPeerResultError } from './invalid-peer-result-error.ts';

/** Thrown inside the scan: position and what was expected there. */
class Refused {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

function refuse(t: string, i: number, what: string): never {
  throw new Refused(i >= t.length ? `${what} at the end of the text` : `${what} at position ${i}`);
}

function skipWhitespace(t: string, i: number): number {
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
  }
  return i;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** `i` at an opening quote; the index after the closing quote. */
function scanString(t: string, i: number): number {
  for (let j = i + 1; j < t.length; j++) {
    const c = t.charCodeAt(j);
    if (c === 34) return j + 1;
    if (c < 32) refuse(t, j, 'control character in a string');
    if (c === 92) {
      const e = t.charCodeAt(j + 1);
      if (e === 117) {
        if (!(isHex(t.charCodeAt(j + 2)) && isHex(t.charCodeAt(j + 3)) && isHex(t.charCodeAt(j + 4)) && isHex(t.charCodeAt(j + 5)))) refuse(t, j, 'bad \\u escape');
        j += 5;
      } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) j++;
      else refuse(t, j, 'bad escape');
    }
  }
  return refuse(t, t.length, 'unterminated string');
}

function scanDigits(t: string, i: number): number {
  const start = i;
  while (i < t.length && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i++;
  if (i === start) refuse(t, i, 'digit expected');
  return i;
}

/** JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. */
function scanNumber(t: string, i: number): number {
  if (t.charCodeAt(i) === 45) i++;
  if (t.charCodeAt(i) === 48) i++;
  else i = scanDigits(t, i);
  if (t.charCodeAt(i) === 46) i = scanDigits(t, i + 1);
  const e = t.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = t.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    i = scanDigits(t, i);
  }
  return i;
}

function scanLiteral(t: string, i: number, word: string): number {
  if (!t.startsWith(word, i)) refuse(t, i, 'JSON value expected');
  return i + word.length;
}

/** `i` at the first character of a value; the index after it. */
function scanValue(t: string, i: number, depth: number): number {
  const c = t.charCodeAt(i);
  if (c === 34) return scanString(t, i);
  if (c === 123 || c === 91) {
    if (depth >= MAX_INTERMEDIATE_DEPTH) refuse(t, i, `nesting deeper than ${MAX_INTERMEDIATE_DEPTH}`);
    const close = c === 123 ? 125 : 93;
    i = skipWhitespace(t, i + 1);
    if (t.charCodeAt(i) === close) return i + 1;
    for (;;) {
      if (c === 123) {
        if (t.charCodeAt(i) !== 34) refuse(t, i, 'member name expected');
        i = skipWhitespace(t, scanString(t, i));
        if (t.charCodeAt(i) !== 58) refuse(t, i, "':' expected");
        i = skipWhitespace(t, i + 1);
      }
      i = skipWhitespace(t, scanValue(t, i, depth + 1));
      const n = t.charCodeAt(i);
      if (n === close) return i + 1;
      if (n !== 44) refuse(t, i, `',' or '${c === 123 ? '}' : ']'}' expected`);
      i = skipWhitespace(t, i + 1);
    }
  }
  if (c === 45 || (c >= 48 && c <= 57)) return scanNumber(t, i);
  if (c === 116) return scanLiteral(t, i, 'true');
  if (c === 102) return scanLiteral(t, i, 'false');
  if (c === 110) return scanLiteral(t, i, 'null');
  return refuse(t, i, 'JSON value expected');
}

/** The top level: an object with exactly the members `root` (any value) and `objects` (an array). */
function scanIntermediate(t: string): void {
  const i = skipWhitespace(t, scanIntermediateAt(t, 0));
  if (i !== t.length) refuse(t, i, 'text after the value');
}

/** An intermediate object starting at (whitespace before) `start`; the index after it. */
function scanIntermediateAt(t: string, start: number): number {
  let i = skipWhitespace(t, start);
  if (t.charCodeAt(i) !== 123) refuse(t, i, "'{' expected");
  i = skipWhitespace(t, i + 1);
  let root = false;
  let objects = false;
  while (t.charCodeAt(i) !== 125) {
    if (t.charCodeAt(i) !== 34) refuse(t, i, 'member name expected');
    const keyEnd = scanString(t, i);
    const raw = t.slice(i + 1, keyEnd - 1);
    // Escaped names are decoded as a JSON reader would (r\u006fot is root); names here are short.
    const key = raw.includes('\\') ? (JSON.parse(t.slice(i, keyEnd)) as string) : raw;
    i = skipWhitespace(t, keyEnd);
    if (t.charCodeAt(i) !== 58) refuse(t, i, "':' expected");
    i = skipWhitespace(t, i + 1);
    if (key === 'root') {
      if (root) refuse(t, i, "duplicate member 'root'");
      root = true;
    } else if (key === 'objects') {
      if (objects) refuse(t, i, "duplicate member 'objects'");
      if (t.charCodeAt(i) !== 91) refuse(t, i, "member 'objects' must be an array");
      objects = true;
    } else {
      throw new Refused(`unexpected member '${key.slice(0, 40)}'`);
    }
    i = skipWhitespace(t, scanValue(t, i, 1));
    const n = t.charCodeAt(i);
    if (n === 44) i = skipWhitespace(t, i + 1);
    else if (n !== 125) refuse(t, i, "',' or '}' expected");
  }
  if (!root || !objects) throw new Refused(`member '${root ? 'objects' : 'root'}' missing`);
  return i + 1;
}

/** A compact-wire payload `[0,<json>]` or `[1,<intermediate>]`; returns where the data starts and ends. */
function scanPayload(t: string): { tag: 0 | 1; start: number; end: number } {
  let i = skipWhitespace(t, 0);
  if (t.charCodeAt(i) !== 91) refuse(t, i, "'[' expected");
  i = skipWhitespace(t, i + 1);
  const c = t.charCodeAt(i);
  if ((c !== 48 && c !== 49) || !(t.charCodeAt(i + 1) === 44 || t.charCodeAt(i + 1) <= 32)) refuse(t, i, 'payload tag 0 or 1 expected');
  const tag = c === 48 ? 0 : 1;
  i = skipWhitespace(t, i + 1);
  if (t.charCodeAt(i) !== 44) refuse(t, i, "',' expected");
  const start = skipWhitespace(t, i + 1);
  const end = tag === 0 ? scanValue(t, start, 1) : scanIntermediateAt(t, start);
  i = skipWhitespace(t, end);
  if (t.charCodeAt(i) !== 93) refuse(t, i, "']' expected");
  i = skipWhitespace(t, i + 1);
  if (i !== t.length) refuse(t, i, 'text after the value');
  return { tag, start, end };
}

/**
 * Why `text` is not exactly one compact-wire payload (`[0,json]` or `[1,intermediate]`), or where its
 * data is when it is. Linear in the text's length.
 * @example payloadText('[0,{"a":1}]') // { tag: 0, data: '{"a":1}' }
 */
export function payloadText(text: string): { tag: 0 | 1; data: string } | { problem: string } {
  if (typeof text !== 'string') return { problem: 'not a text' };
  // The gateway checks a reply and then builds its frame from the same text in one synchronous
  // step: the second call is answered from this one-entry memo instead of a second scan.
  if (text === lastPayload.text) return lastPayload.result;
  let result: { tag: 0 | 1; data: string } | { problem: string };
  try {
    const { tag, start, end } = scanPayload(text);
    result = { tag, data: text.slice(start, end) };
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    result = { problem: e.reason };
  }
  lastPayload = { text, result };
  return result;
}

let lastPayload: { text: string | undefined; result: { tag: 0 | 1; data: string } | { problem: string } } = { text: undefined, result: { problem: 'none' } };

/**
 * Why `text` is not exactly one serialized structured-clone intermediate, or undefined when it is
 * (then it can be spliced into a frame as a JSON value). Linear in the text's length.
 * @example intermediateTextProblem('{"root":1,"objects":[]}') // undefined
 * @example intermediateTextProblem('1,"seq":999') // "'{' expected at position 0"
 */
export function intermediateTextProblem(text: string): string | undefined {
  if (typeof text !== 'string') return 'not a text';
  try {
    scanIntermediate(text);
    return undefined;
  } catch (e) {
    if (e instanceof Refused) return e.reason;
    throw e;
  }
}
