/**
 * A WebSocket subclass that counts the messages and payload bytes it sends and receives, so both
 * peers' wire cost is measured the same way, on the client side (frame headers and masks excluded).
 */

/** Counts of one socket (or several sharing a counter). */
export interface WireCounts {
  sentMessages: number;
  sentBytes: number;
  receivedMessages: number;
  receivedBytes: number;
}

/** A mutable counter with a snapshot/reset. */
export class WireCounter implements WireCounts {
  sentMessages = 0;
  sentBytes = 0;
  receivedMessages = 0;
  receivedBytes = 0;
  /** Message bodies, when `keep` is on (to show what a call looks like on the wire). */
  log: Array<{ dir: 'sent' | 'received'; text: string }> = [];
  keep = false;

  snapshot(): WireCounts {
    return { sentMessages: this.sentMessages, sentBytes: this.sentBytes, receivedMessages: this.receivedMessages, receivedBytes: this.receivedBytes };
  }

  reset(): void {
    this.sentMessages = this.sentBytes = this.receivedMessages = this.receivedBytes = 0;
    this.log = [];
  }

  record(dir: 'sent' | 'received', data: unknown): void {
    const bytes = byteLength(data);
    if (dir === 'sent') {
      this.sentMessages++;
      this.sentBytes += bytes;
    } else {
      this.receivedMessages++;
      this.receivedBytes += bytes;
    }
    if (this.keep) this.log.push({ dir, text: typeof data === 'string' ? data : `<binary ${bytes} B>` });
  }
}

function byteLength(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (data instanceof Blob) return data.size;
  return 0;
}

/** A `WebSocket` class (Node's global one) whose instances report to `counter`. */
export function countingWebSocket(counter: WireCounter): typeof WebSocket {
  return class CountingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Registered first, so it sees every message before the library's own listener.
      this.addEventListener('message', (event) => counter.record('received', event.data));
    }

    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      counter.record('sent', data);
      super.send(data);
    }
  };
}
