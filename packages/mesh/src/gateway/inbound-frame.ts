/**
 * Reads a client frame without building the object graph of its chains (bench/mesh-client "10 KB
 * echo"). The gateway forwards a compact call's chain as text, so parsing it only to read a few
 * fields around it (an `i`, a `d`) is wasted: one strict pass over the text checks it is JSON,
 * finds each call's chain text, and `parseClientFrame` then reads a copy of the frame whose chains
 * are stand-ins of the same outer shape (`[]` for operations, `[tag]` for a tagged chain), which
 * gives the same frame, the same refusals and the same error texts as parsing the whole text.
 * Anything the pass is unsure of (another frame form, invalid JSON, deep nesting) is read the
 * whole way, as before.
 */
import { parseClientFrame, type ClientToGatewayFrame, type ParseResult } from '../client/frames.ts';
import type { ElementTexts } from './member-text.ts';

/** A client frame, with the texts the gateway forwards when the one-pass read could take it. */
export interface ReadFrame {
  parsed: ParseResult<ClientToGatewayFrame>;
  /** A single frame's top-level `o`, `c` and `chain` texts (the last of each, as JSON.parse keeps). */
  members?: Map<string, string>;
  /** A batch's inner frames (each with its `o`, `c`, `chain` texts), as `batchElementTexts` gives them. */
  elements?: ElementTexts[];
}

/** Nesting the pass follows; deeper frames are read the whole way. */
const MAX_DEPTH = 64;

/** Members that hold a call's chain: stood in for (`o`, `c`) or only read (`chain`, version 1). */
const CHAIN_MEMBERS = new Set(['o', 'c', 'chain']);

/**
 * The frame `text` as `parseClientFrame(text)` reads it, and (compact frames from our client:
 * `{"t":"b","f":[…]}` or `{"t":"c",…}`) the texts of their chains, from one pass.
 * @example readClientFrame('{"t":"c","i":1,"d":1,"o":[["a",[]]]}').members!.get('o') // '[["a",[]]]'
 */
export function readClientFrame(text: unknown): ReadFrame {
  const read = typeof text === 'string' && (text.startsWith('{"t":"b","f":[') || text.startsWith('{"t":"c",')) ? new Pass(text).read() : undefined;
  if (!read) return { parsed: parseClientFrame(text) };
  return { parsed: parseClientFrame(read.skeleton), members: read.members, elements: read.elements };
}

/** One strict pass over a frame's text (JSON's grammar exactly); every scan returns -1 on a fault. */
class Pass {
  #t: string;
  /** The frame's text with each stood-in chain replaced, in pieces. */
  #parts: string[] = [];
  /** Where the text not yet in {@link #parts} starts. */
  #copied = 0;
  #members = new Map<string, string>();
  #elements: ElementTexts[] | undefined;

  constructor(t: string) {
    this.#t = t;
  }

  /** The frame with stand-ins and the texts found, or undefined when the text is not one JSON object. */
  read(): { skeleton: string; members: Map<string, string>; elements: ElementTexts[] | undefined } | undefined {
    const end = this.#object(0, 0, 1);
    if (end < 0 || this.#ws(end) !== this.#t.length) return undefined;
    this.#parts.push(this.#t.slice(this.#copied));
    return { skeleton: this.#parts.join(''), members: this.#members, elements: this.#elements };
  }

  #ws(i: number): number {
    const t = this.#t;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    }
    return i;
  }

  /** `i` at `"`: the index after the closing quote. */
  #string(i: number): number {
    const t = this.#t;
    for (let j = i + 1; j < t.length; j++) {
      const c = t.charCodeAt(j);
      if (c === 34) return j + 1;
      if (c === 92) {
        const e = t.charCodeAt(j + 1);
        if (e === 117) {
          if (!(hex(t.charCodeAt(j + 2)) && hex(t.charCodeAt(j + 3)) && hex(t.charCodeAt(j + 4)) && hex(t.charCodeAt(j + 5)))) return -1;
          j += 5;
        } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) j++;
        else return -1;
      } else if (c < 32) return -1;
    }
    return -1;
  }

  #digits(i: number): number {
    const t = this.#t;
    const start = i;
    while (i < t.length && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i++;
    return i === start ? -1 : i;
  }

  /** `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` */
  #number(i: number): number {
    const t = this.#t;
    if (t.charCodeAt(i) === 45) i++;
    if (t.charCodeAt(i) === 48) i++;
    else if ((i = this.#digits(i)) < 0) return -1;
    if (t.charCodeAt(i) === 46 && (i = this.#digits(i + 1)) < 0) return -1;
    const e = t.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      const sign = t.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      i = this.#digits(i);
    }
    return i;
  }

  /** `i` at a value's first character: the index after it. */
  #value(i: number, depth: number): number {
    const t = this.#t;
    const c = t.charCodeAt(i);
    if (c === 34) return this.#string(i);
    if (c === 123) return this.#object(i, depth, 0);
    if (c === 91) return this.#array(i, depth, false);
    if (c === 45 || (c >= 48 && c <= 57)) return this.#number(i);
    if (c === 116) return t.startsWith('true', i) ? i + 4 : -1;
    if (c === 102) return t.startsWith('false', i) ? i + 5 : -1;
    if (c === 110) return t.startsWith('null', i) ? i + 4 : -1;
    return -1;
  }

  /**
   * `i` at `[`. `elements`: the top-level `f` list, whose inner frames are recorded and read for
   * their chains.
   */
  #array(i: number, depth: number, elements: boolean): number {
    if (depth >= MAX_DEPTH) return -1;
    const t = this.#t;
    const list: ElementTexts[] | undefined = elements ? [] : undefined;
    i = this.#ws(i + 1);
    if (t.charCodeAt(i) !== 93) {
      for (;;) {
        let members: Map<string, string> | undefined;
        let end: number;
        if (list && t.charCodeAt(i) === 123) {
          members = new Map();
          end = this.#object(i, depth + 1, 2, members);
        } else end = this.#value(i, depth + 1);
        if (end < 0) return -1;
        list?.push({ text: t.slice(i, end), members: members ?? new Map() });
        i = this.#ws(end);
        const n = t.charCodeAt(i);
        if (n === 93) break;
        if (n !== 44) return -1;
        i = this.#ws(i + 1);
      }
    }
    if (list) this.#elements = list;
    return i + 1;
  }

  /**
   * `i` at (whitespace before) `{`. `role` 1: the frame itself (its `f` list is read and its chains
   * stood in for); 2: an inner frame of that list (chains stood in for, texts put in `members`);
   * 0: any other object.
   */
  #object(i: number, depth: number, role: 0 | 1 | 2, members?: Map<string, string>): number {
    if (depth >= MAX_DEPTH) return -1;
    const t = this.#t;
    i = this.#ws(i);
    if (t.charCodeAt(i) !== 123) return -1;
    i = this.#ws(i + 1);
    if (t.charCodeAt(i) === 125) return i + 1;
    for (;;) {
      if (t.charCodeAt(i) !== 34) return -1;
      const keyEnd = this.#string(i);
      if (keyEnd < 0) return -1;
      let key: string | undefined;
      if (role !== 0) {
        const raw = t.slice(i + 1, keyEnd - 1);
        key = raw.includes('\\') ? (JSON.parse(t.slice(i, keyEnd)) as string) : raw;
      }
      i = this.#ws(keyEnd);
      if (t.charCodeAt(i) !== 58) return -1;
      i = this.#ws(i + 1);
      // The frame's list (`f`, the last one as JSON.parse keeps) is read for its inner frames.
      const list = role === 1 && key === 'f';
      const end = list && t.charCodeAt(i) === 91 ? this.#array(i, depth + 1, true) : this.#value(i, depth + 1);
      if (end < 0) return -1;
      if (list && t.charCodeAt(i) !== 91) this.#elements = undefined;
      else if (!list && key !== undefined && CHAIN_MEMBERS.has(key)) {
        (members ?? this.#members).set(key, t.slice(i, end));
        if (key !== 'chain') this.#standIn(key, i, end);
      }
      i = this.#ws(end);
      const c = t.charCodeAt(i);
      if (c === 125) return i + 1;
      if (c !== 44) return -1;
      i = this.#ws(i + 1);
    }
  }

  /**
   * Replaces the chain value at `start`..`end` by a stand-in the frame parser judges the same way:
   * operations (`o`) by being an array, a tagged chain (`c`) by being an array with that first
   * element. Any other value is left in place (it is parsed, and refused there).
   */
  #standIn(key: string, start: number, end: number): void {
    const t = this.#t;
    if (t.charCodeAt(start) !== 91) return;
    let stand: string;
    if (key === 'o') stand = '[]';
    else {
      const first = this.#ws(start + 1);
      const tag = t.charCodeAt(first);
      const after = this.#ws(first + 1);
      const next = t.charCodeAt(after);
      if (tag < 48 || tag > 50 || (next !== 44 && next !== 93)) return;
      stand = `[${t[first]}]`;
    }
    this.#parts.push(t.slice(this.#copied, start), stand);
    this.#copied = end;
  }
}

function hex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
