/**
 * Live SSE streams of a session: the writer of each open stream (in memory; the events themselves
 * are in the {@link EventStore}, so a stream lost to a dropped connection or an eviction is
 * replayed on reconnect). Every message goes through `emit`: stored first, then written with its
 * id, so a message is either on the wire or waiting in storage for a `Last-Event-ID` replay.
 * Server notifications sent while no GET stream is open wait for the next GET, which starts with them.
 */
import { STANDALONE, type EventStore, type StoredEvent } from './event-store.ts';

/** First standalone event emitted while no GET stream was open (a fresh GET starts there). */
const UNDELIVERED_KEY = 'lmz.mcp.undeliveredFrom';

const encoder = new TextEncoder();

interface Sink {
  writer: WritableStreamDefaultWriter<Uint8Array>;
}

export const SSE_HEADERS = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' } as const;

function frame(event: StoredEvent): Uint8Array {
  return encoder.encode(`id: ${event.seq}\nevent: message\ndata: ${event.data}\n\n`);
}

export class Streams {
  readonly #events: EventStore;
  readonly #kv: SyncKvStorage;
  readonly #now: () => number;
  readonly #sinks = new Map<string, Sink>();

  constructor(events: EventStore, kv: SyncKvStorage, now: () => number) {
    this.#events = events;
    this.#kv = kv;
    this.#now = now;
  }

  /** Standalone events no GET stream has carried yet (emitted while none was open), oldest first. */
  undelivered(): StoredEvent[] {
    const from = this.#kv.get<number>(UNDELIVERED_KEY);
    return typeof from === 'number' ? this.#events.after(STANDALONE, from - 1) : [];
  }

  /** Opens a stream for `stream` (replacing a previous writer of it) and returns its body. */
  open(stream: string, replay: StoredEvent[] = []): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const previous = this.#sinks.get(stream);
    const sink: Sink = { writer };
    this.#sinks.set(stream, sink);
    if (stream === STANDALONE) this.#kv.delete(UNDELIVERED_KEY);
    if (previous) void previous.writer.close().catch(() => {});
    // Synchronous from here to the return: nothing can be emitted between replay and going live.
    for (const event of replay) void writer.write(frame(event)).catch(() => {});
    // The client went away: forget the writer; later events wait in storage for a replay.
    writer.closed.catch(() => {}).finally(() => {
      if (this.#sinks.get(stream) === sink) this.#sinks.delete(stream);
    });
    return readable;
  }

  /** A body with `replay` and then the end (a stream whose request is finished). */
  static finished(replay: StoredEvent[]): ReadableStream<Uint8Array> {
    return new ReadableStream({
      start(controller) {
        for (const event of replay) controller.enqueue(frame(event));
        controller.close();
      },
    });
  }

  isOpen(stream: string): boolean {
    return this.#sinks.has(stream);
  }

  /** Stores `message` as an event of `stream` and writes it when that stream is open. */
  emit(stream: string, message: unknown): void {
    const data = JSON.stringify(message);
    const seq = this.#events.append(stream, data, this.#now());
    const sink = this.#sinks.get(stream);
    if (sink) void sink.writer.write(frame({ seq, data })).catch(() => {});
    else if (stream === STANDALONE && this.#kv.get(UNDELIVERED_KEY) === undefined) this.#kv.put(UNDELIVERED_KEY, seq);
  }

  /** Ends `stream` (its request is answered or cancelled). */
  end(stream: string): void {
    const sink = this.#sinks.get(stream);
    if (!sink) return;
    this.#sinks.delete(stream);
    void sink.writer.close().catch(() => {});
  }

  /** Ends every stream (the session ended). */
  endAll(): void {
    for (const stream of [...this.#sinks.keys()]) this.end(stream);
    this.#kv.delete(UNDELIVERED_KEY);
  }
}
