/**
 * Batching of reliable frames (docs/mesh-clients.md "Batching"): the frames one end produces in the
 * same tick leave as one `batch` frame under one seq, split so that no batch passes the frame size
 * limit or {@link MAX_BATCH_FRAMES}. Shared by LumenizeClient's connection and the gateway; pure code.
 */
import { MAX_BATCH_FRAMES, utf8Length } from './frames.ts';

/** Settled once; `.then` on it queues this tick's flush. */
const RESOLVED = Promise.resolve();

/** Bytes a batch adds around its frames: the type, brackets and the resume fields. */
const BATCH_OVERHEAD = 96;

/**
 * A frame about to be recorded: its text is built once, with the resume fields in place of its
 * closing `}` (so a batch of large answers becomes one string in one step, not a body that is then
 * copied again to append `seq`/`ack`).
 */
export interface FrameText {
  /** True for a compact-wire frame (`{"t":…`), whose client resume fields are `s`/`a`. */
  readonly compact: boolean;
  /** The frame's text with `tail` (e.g. `,"seq":3,"ack":2}`) in place of its closing `}`. */
  build(tail: string): string;
  /** Exact UTF-8 size of `build('}')`, when the sizes of its parts were known. */
  readonly bytes?: number;
}

/** A single frame body (a JSON object's text) as a {@link FrameText}. */
export function singleFrame(body: string, bytes?: number): FrameText {
  return { compact: body.startsWith('{"t":'), build: (tail) => `${body.slice(0, -1)}${tail}`, bytes };
}

/**
 * The list of a batch's parts, `open` + bodies (each optionally trimmed of `prefix`) + `]` + tail,
 * joined once. `rests[i]`, when given, is body i after `prefix` (so the body is not read to trim it).
 */
function batchFrame(
  open: string,
  bodies: readonly string[],
  prefix: string | undefined,
  sizes: ReadonlyArray<number | undefined> | undefined,
  compact: boolean,
  rests?: ReadonlyArray<string | undefined>,
): FrameText {
  let bytes: number | undefined = sizes ? open.length + bodies.length + 1 : undefined;
  const parts: string[] = [open];
  bodies.forEach((b, i) => {
    if (i > 0) parts.push(',');
    const rest = prefix === undefined ? undefined : rests?.[i];
    const trim = rest !== undefined || (prefix !== undefined && b.startsWith(prefix));
    if (rest !== undefined) parts.push('{', rest);
    else if (trim) parts.push('{', b.slice(prefix!.length));
    else parts.push(b);
    const size = sizes?.[i];
    if (bytes !== undefined) bytes = size === undefined ? undefined : bytes + size - (trim ? prefix!.length - 1 : 0);
  });
  return {
    compact,
    bytes,
    build: (tail) => {
      parts.push(`]${tail}`);
      const text = parts.join('');
      parts.pop();
      return text;
    },
  };
}

/** A `batch` frame's body (without resume fields) around already serialized frame bodies. */
export function batchBody(bodies: readonly string[]): string {
  return batchFrameText(bodies).build('}');
}

/** {@link batchBody} as a {@link FrameText}; `sizes`: the bodies' UTF-8 sizes when known. */
export function batchFrameText(bodies: readonly string[], sizes?: ReadonlyArray<number | undefined>): FrameText {
  return batchFrame('{"type":"batch","frames":[', bodies, undefined, sizes, false);
}

/**
 * The compact wire's batch (wire/frames.ts): `{"t":"b","f":[…]}`, where an inner frame of the
 * batch's usual kind (`call` client → gateway, `call_response` gateway → client) drops its
 * `"t":"c"`/`"t":"r"`; other frames keep their type.
 * @example compactBatchBody(['{"t":"c","i":1,"d":1,"o":[["a",[]]]}'], 'c') // '{"t":"b","f":[{"i":1,"d":1,"o":[["a",[]]]}]}'
 */
export function compactBatchBody(bodies: readonly string[], kind: 'c' | 'r'): string {
  return compactBatchFrame(bodies, kind).build('}');
}

/**
 * {@link compactBatchBody} as a {@link FrameText}; `sizes`: the bodies' UTF-8 sizes when known;
 * `rests`: a body's text after its `{"t":"<kind>",` when its producer has it apart.
 */
export function compactBatchFrame(bodies: readonly string[], kind: 'c' | 'r', sizes?: ReadonlyArray<number | undefined>, rests?: ReadonlyArray<string | undefined>): FrameText {
  return batchFrame('{"t":"b","f":[', bodies, `{"t":"${kind}",`, sizes, true, rests);
}

/**
 * Groups items, in order, into frames to send: a group of one stays its own body, a larger group
 * becomes a `batch`. Every body must fit `maxBytes` alone; a batch never passes it.
 * @example groupFrames(bodies, (b) => b, 1_048_576) // [{ frame: FrameText of a batch, items: [...] }]
 */
export function groupFrames<T>(
  items: readonly T[],
  bodyOf: (item: T) => string,
  maxBytes: number,
  wrap: (bodies: string[], sizes?: Array<number | undefined>, rests?: Array<string | undefined>) => FrameText = batchFrameText,
  bytesOf?: (item: T) => number | undefined,
  restOf?: (item: T) => string | undefined,
): Array<{ frame: FrameText; items: T[] }> {
  const out: Array<{ frame: FrameText; items: T[] }> = [];
  let group: T[] = [];
  let bytes = 0;
  const close = () => {
    if (group.length === 1) out.push({ frame: singleFrame(bodyOf(group[0]!), bytesOf?.(group[0]!)), items: group });
    else if (group.length > 1) out.push({ frame: wrap(group.map(bodyOf), bytesOf ? group.map(bytesOf) : undefined, restOf ? group.map(restOf) : undefined), items: group });
    group = [];
    bytes = 0;
  };
  for (const item of items) {
    const body = bodyOf(item);
    // A UTF-16 code unit is at most 3 UTF-8 bytes: short bodies need no byte count.
    const size = body.length * 3 < maxBytes ? body.length * 3 : utf8Length(body);
    if (group.length > 0 && (bytes + size + BATCH_OVERHEAD > maxBytes || group.length >= MAX_BATCH_FRAMES)) close();
    group.push(item);
    bytes += size + 1;
  }
  close();
  return out;
}

/**
 * Collects the items added in one tick and hands each grouped frame to `send` in a microtask.
 * @example const b = new FrameBatcher<string>((frame) => record(frame.build('}')), (s) => s, MAX_FRAME_BYTES); b.add(body);
 */
export class FrameBatcher<T> {
  #items: T[] = [];
  #queued = false;
  #send: (frame: FrameText, items: T[]) => void;
  #bodyOf: (item: T) => string;
  #maxBytes: number;
  /** Builds a batch's frame (read at each flush: the compact wire is agreed per connection). */
  wrap: (bodies: string[], sizes?: Array<number | undefined>, rests?: Array<string | undefined>) => FrameText = batchFrameText;
  /** The exact UTF-8 size of an item's body, when its producer already counted it. */
  bytesOf: ((item: T) => number | undefined) | undefined;
  /** A compact item's body after its `{"t":"<kind>",`, when its producer has it apart (see compactBatchFrame). */
  restOf: ((item: T) => string | undefined) | undefined;

  constructor(send: (frame: FrameText, items: T[]) => void, bodyOf: (item: T) => string, maxBytes: number) {
    this.#send = send;
    this.#bodyOf = bodyOf;
    this.#maxBytes = maxBytes;
  }

  /** Number of items waiting for this tick's flush. */
  get size(): number {
    return this.#items.length;
  }

  /** {@link flush} bound once (the microtask of each tick that adds). */
  #flushNow = (): void => this.flush();

  add(item: T): void {
    this.#items.push(item);
    if (this.#queued) return;
    this.#queued = true;
    // A promise job, not queueMicrotask: same queue, without workerd's per-callback wrapper.
    void RESOLVED.then(this.#flushNow);
  }

  /** Sends what was collected now (also runs by itself at the end of the tick). */
  flush(): void {
    this.#queued = false;
    const items = this.#items;
    if (items.length === 0) return;
    this.#items = [];
    for (const g of groupFrames(items, this.#bodyOf, this.#maxBytes, this.wrap, this.bytesOf, this.restOf)) this.#send(g.frame, g.items);
  }

  /** Drops what was collected (the connection was stopped). */
  clear(): void {
    this.#items = [];
  }
}
