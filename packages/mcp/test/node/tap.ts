/**
 * A `fetch` for the SDK transport that records what crosses the wire (test-only; the one fault it
 * injects is dropping a POST's SSE stream after N events, to drive resumption deterministically).
 */
interface TappedStream {
  request: string;
  messages: Array<{ id?: unknown; method?: string }>;
  ended: Promise<void>;
}

export interface Tap {
  fetch: typeof fetch;
  postStreams: TappedStream[];
  /** `Last-Event-ID`s of the GETs that resumed a stream. */
  resumedFrom: string[];
  dropped: number;
}

export function tap(options: { dropPostStreamAfter?: number } = {}): Tap {
  const state: Tap = { fetch: undefined as unknown as typeof fetch, postStreams: [], resumedFrom: [], dropped: 0 };
  state.fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const last = headers.get('last-event-id');
    if ((init?.method ?? 'GET') === 'GET' && last) state.resumedFrom.push(last);
    const response = await fetch(input, init);
    if (init?.method !== 'POST' || !response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return response;
    let done!: () => void;
    const record: TappedStream = { request: typeof init.body === 'string' ? init.body : '', messages: [], ended: new Promise((r) => (done = r)) };
    state.postStreams.push(record);
    const drop = options.dropPostStreamAfter !== undefined && record.request.includes('"progressToken"') && state.dropped === 0;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const encoder = new TextEncoder();
    let buffer = '';
    let events = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const chunk = await reader.read();
        if (chunk.done) {
          done();
          controller.close();
          return;
        }
        buffer += chunk.value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end + 2);
          buffer = buffer.slice(end + 2);
          if (drop && events === options.dropPostStreamAfter) {
            state.dropped++;
            await reader.cancel();
            done();
            controller.error(new TypeError('network connection lost (injected)'));
            return;
          }
          events++;
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (data) record.messages.push(JSON.parse(data.slice(6)) as { id?: unknown; method?: string });
          controller.enqueue(encoder.encode(frame));
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return state;
}
