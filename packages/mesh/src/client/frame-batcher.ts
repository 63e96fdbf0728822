/**
 * Batching of reliable frames (docs/mesh-clients.md "Batching"): the frames one end produces in the
 * same tick leave as one `batch` frame under one seq, split so that no batch passes the frame size
 * limit or {@link MAX_BATCH_FRAMES}. Shared by LumenizeClient's connection and the gateway; pure code.
 */
import { MAX_BATCH_FRAMES, utf8Length } from './frames.ts';

/** Bytes a batch adds around its frames: the type, brackets and the resume fields. */
const BATCH_OVERHEAD = 96;

/** A `batch` frame's body (without resume fields) around already serialized frame bodies. */
export function batchBody(bodies: readonly string[]): string {
  return `{"type":"batch","frames":[${bodies.join(',')}]}`;
}

/**
 * The compact wire's batch (wire/frames.ts): `{"t":"b","f":[…]}`, where an inner frame of the
 * batch's usual kind (`call` client → gateway, `call_response` gateway → client) drops its
 * `"t":"c"`/`"t":"r"`; other frames keep their type.
 * @example compactBatchBody(['{"t":"c","i":1,"d":1,"o":[["a",[]]]}'], 'c') // '{"t":"b","f":[{"i":1,"d":1,"o":[["a",[]]]}]}'
 */
export function compactBatchBody(bodies: readonly string[], kind: 'c' | 'r'): string {
  const prefix = `{"t":"${kind}",`;
  return `{"t":"b","f":[${bodies.map((b) => (b.startsWith(prefix) ? `{${b.slice(prefix.length)}` : b)).join(',')}]}`;
}

/**
 * Groups items, in order, into frames to send: a group of one stays its own body, a larger group
 * becomes a `batch`. Every body must fit `maxBytes` alone; a batch never passes it.
 * @example groupFrames(bodies, (b) => b, 1_048_576) // [{ body: '{"type":"batch",...}', items: [...] }]
 */
export function groupFrames<T>(items: readonly T[], bodyOf: (item: T) => string, maxBytes: number, wrap: (bodies: string[]) => string = batchBody): Array<{ body: string; items: T[] }> {
  const out: Array<{ body: string; items: T[] }> = [];
  let group: T[] = [];
  let bytes = 0;
  const close = () => {
    if (group.length === 1) out.push({ body: bodyOf(group[0]!), items: group });
    else if (group.length > 1) out.push({ body: wrap(group.map(bodyOf)), items: group });
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
 * @example const b = new FrameBatcher<string>((body) => record(body), (s) => s, MAX_FRAME_BYTES); b.add(body);
 */
export class FrameBatcher<T> {
  #items: T[] = [];
  #queued = false;
  #send: (body: string, items: T[]) => void;
  #bodyOf: (item: T) => string;
  #maxBytes: number;
  /** Builds a batch's body (read at each flush: the compact wire is agreed per connection). */
  wrap: (bodies: string[]) => string = batchBody;

  constructor(send: (body: string, items: T[]) => void, bodyOf: (item: T) => string, maxBytes: number) {
    this.#send = send;
    this.#bodyOf = bodyOf;
    this.#maxBytes = maxBytes;
  }

  /** Number of items waiting for this tick's flush. */
  get size(): number {
    return this.#items.length;
  }

  add(item: T): void {
    this.#items.push(item);
    if (this.#queued) return;
    this.#queued = true;
    queueMicrotask(() => this.flush());
  }

  /** Sends what was collected now (also runs by itself at the end of the tick). */
  flush(): void {
    this.#queued = false;
    const items = this.#items;
    if (items.length === 0) return;
    this.#items = [];
    for (const g of groupFrames(items, this.#bodyOf, this.#maxBytes, this.wrap)) this.#send(g.body, g.items);
  }

  /** Drops what was collected (the connection was stopped). */
  clear(): void {
    this.#items = [];
  }
}
