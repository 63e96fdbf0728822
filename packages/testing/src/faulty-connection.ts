/**
 * One WebSocket connection through a {@link FaultyNetwork}: the test drops it, black-holes it,
 * holds, delays or reorders its frames, or closes it with a chosen code. The client side is a
 * socket object the utils WebSocket shim accepts in place of the runtime's socket.
 */
import { debug } from '@lumenize/debug';
import type { Metrics } from '@lumenize/utils';
import { HarnessError } from './errors.ts';
import { seededShuffle } from './seeded-random.ts';

/** Which way frames travel: server → client, client → server, or both. */
export type FaultDirection = 'toClient' | 'toServer' | 'both';

/** How held frames are released. */
export type ReleaseOrder = 'fifo' | 'reverse' | 'seeded';

type Frame = string | ArrayBuffer | ArrayBufferView;

/** The runtime socket the Worker answered with (workerd's client end). */
interface ServerSocket {
  accept(): void;
  send(data: Frame): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
}

const log = debug('lmz.testing.FaultyConnection');

function add(metrics: Metrics, key: string, amount = 1): void {
  metrics[key] = (metrics[key] ?? 0) + amount;
}

function closeEvent(code: number, reason: string, wasClean: boolean): Event {
  const Native = (globalThis as { CloseEvent?: new (type: string, init: object) => Event }).CloseEvent;
  if (Native) return new Native('close', { code, reason, wasClean });
  return Object.assign(new Event('close'), { code, reason, wasClean });
}

/** Close codes a socket may send (the reserved 1004-1006 and 1015 are for the runtime to report). */
function sendableCode(code: number): boolean {
  return Number.isInteger(code) && ((code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999));
}

/** The client end handed to the shim: forwards through the connection's fault state. */
class ClientEnd extends EventTarget {
  binaryType = 'arraybuffer';
  constructor(readonly connection: FaultyConnection) {
    super();
  }
  accept(): void {}
  send(data: Frame): void {
    this.connection.fromClient(data);
  }
  close(code?: number, reason?: string): void {
    this.connection.closeFromClient(code, reason);
  }
}

/** Live state of one connection; see {@link FaultyNetwork}. */
export class FaultyConnection {
  /** The upgrade URL. */
  readonly url: string;
  /** `open` → `closed` normally; `dropped` / `black-holed` by faults. */
  state: 'open' | 'black-holed' | 'dropped' | 'closed' = 'open';
  /** Frames delivered each way (after faults). */
  readonly delivered = { toClient: 0, toServer: 0 };
  /** The socket given to the client library (via the shim). */
  readonly clientEnd: ClientEnd;
  readonly #server: ServerSocket;
  readonly #metrics: Metrics;
  readonly #random: () => number;
  #holding = { toClient: false, toServer: false };
  #held: Array<{ direction: 'toClient' | 'toServer'; data: Frame }> = [];
  #autoRelease: { direction: FaultDirection; count: number; order: ReleaseOrder } | undefined;
  #pendingClose: { code: number; reason: string; wasClean: boolean } | undefined;

  constructor(server: ServerSocket, url: string, metrics: Metrics, random: () => number) {
    this.#server = server;
    this.url = url;
    this.#metrics = metrics;
    this.#random = random;
    this.clientEnd = new ClientEnd(this);
    server.accept();
    if ('binaryType' in server) (server as { binaryType: string }).binaryType = 'arraybuffer';
    server.addEventListener('message', (event) => this.#fromServer((event as MessageEvent).data as Frame));
    server.addEventListener('close', (event) => {
      const e = event as CloseEvent;
      this.#serverClosed(e.code, e.reason, e.wasClean);
    });
    server.addEventListener('error', () => {
      if (this.state === 'open') this.clientEnd.dispatchEvent(new Event('error'));
    });
  }

  /** Frames held now (by {@link hold}, {@link delay} or {@link reorder}). */
  get heldFrames(): number {
    return this.#held.length;
  }

  #fromServer(data: Frame): void {
    if (this.state !== 'open') return this.#discard();
    if (this.#holding.toClient) return this.#hold('toClient', data);
    this.#deliver('toClient', data);
  }

  /** Called by the client end's `send`. */
  fromClient(data: Frame): void {
    if (this.state === 'dropped' || this.state === 'closed') throw new HarnessError('NOT_OPEN', `send on a ${this.state} connection to ${this.url}`);
    if (this.state === 'black-holed') return this.#discard();
    if (this.#holding.toServer) return this.#hold('toServer', data);
    this.#deliver('toServer', data);
  }

  #deliver(direction: 'toClient' | 'toServer', data: Frame): void {
    this.delivered[direction]++;
    if (direction === 'toServer') {
      try {
        this.#server.send(data);
      } catch (error) {
        log.debug('frame to a closed server socket', { error: String(error) });
      }
    } else {
      this.clientEnd.dispatchEvent(new MessageEvent('message', { data }));
    }
  }

  #discard(): void {
    add(this.#metrics, 'faultDiscardedFrames');
  }

  #hold(direction: 'toClient' | 'toServer', data: Frame): void {
    this.#held.push({ direction, data });
    add(this.#metrics, 'faultHeldFrames');
    const auto = this.#autoRelease;
    if (auto && this.#held.filter((f) => auto.direction === 'both' || f.direction === auto.direction).length >= auto.count) {
      this.#autoRelease = undefined;
      this.release(auto.order);
    }
  }

  #serverClosed(code: number, reason: string, wasClean: boolean): void {
    if (this.state === 'dropped' || this.state === 'closed') return;
    if (this.state === 'black-holed') return;
    if (this.#holding.toClient && this.#held.length) {
      // In flight behind held frames: delivered after them on release.
      this.#pendingClose = { code, reason, wasClean };
      return;
    }
    this.state = 'closed';
    // Answer the peer's close, as the shim does for a runtime socket.
    this.#closeServer(sendableCode(code) ? code : 1000, reason);
    this.clientEnd.dispatchEvent(closeEvent(code, reason, wasClean));
  }

  /** Called by the client end's `close`. */
  closeFromClient(code = 1000, reason = ''): void {
    if (this.state === 'dropped' || this.state === 'closed') return;
    if (this.state === 'black-holed') {
      // Nothing gets through: the close handshake times out as a browser's would.
      this.state = 'closed';
      this.#closeServer(1001, 'connection lost');
      this.clientEnd.dispatchEvent(closeEvent(1006, '', false));
      return;
    }
    this.#closeServer(code, reason);
  }

  #closeServer(code: number, reason: string): void {
    try {
      this.#server.close(code, reason);
    } catch (error) {
      log.debug('server socket already closed', { error: String(error) });
    }
  }

  /**
   * Drops the connection abruptly: held frames are lost, the client sees `error` then `close`
   * 1006 (`wasClean: false`), the server sees a close 1001 `connection dropped`.
   * @example network.last!.drop();
   */
  drop(): void {
    if (this.state === 'dropped' || this.state === 'closed') return;
    this.state = 'dropped';
    add(this.#metrics, 'faultDrops');
    for (const _ of this.#held) this.#discard();
    this.#held = [];
    this.#closeServer(1001, 'connection dropped');
    this.clientEnd.dispatchEvent(new Event('error'));
    this.clientEnd.dispatchEvent(closeEvent(1006, '', false));
    log.debug('dropped', { url: this.url });
  }

  /**
   * Black-holes the connection: from now on nothing is delivered either way and nobody is told.
   * Frames are discarded and counted (`faultDiscardedFrames`). {@link heal} ends it.
   * @example network.last!.blackHole(); // the client's heartbeat must notice
   */
  blackHole(): void {
    if (this.state !== 'open') return;
    this.state = 'black-holed';
    add(this.#metrics, 'faultBlackHoles');
    for (const _ of this.#held) this.#discard();
    this.#held = [];
  }

  /** Ends a black hole: later frames flow again (the discarded ones stay lost). */
  heal(): void {
    if (this.state === 'black-holed') this.state = 'open';
  }

  /**
   * Closes the connection as the network or server would, with a chosen code: the client sees
   * `close(code, reason)` at once; the server is closed with the same code when it is sendable
   * (else 1001).
   * @example network.last!.closeWith(1012, 'service restart');
   */
  closeWith(code: number, reason = ''): void {
    if (!Number.isInteger(code) || code < 1000 || code > 4999) throw new HarnessError('BAD_ARGUMENT', `closeWith(code): expected an integer close code 1000-4999, got ${String(code)}`);
    if (this.state === 'dropped' || this.state === 'closed') return;
    this.state = 'closed';
    add(this.#metrics, 'faultCloses');
    this.#held = [];
    this.#closeServer(sendableCode(code) ? code : 1001, reason);
    this.clientEnd.dispatchEvent(closeEvent(code, reason, code !== 1006));
  }

  /**
   * Holds frames going `direction` (default both) until {@link release}: a delay the test controls.
   * @example conn.hold('toClient'); await client.call(); conn.release();
   */
  hold(direction: FaultDirection = 'both'): void {
    if (direction === 'both' || direction === 'toClient') this.#holding.toClient = true;
    if (direction === 'both' || direction === 'toServer') this.#holding.toServer = true;
  }

  /**
   * Delivers the held frames (`fifo`, `reverse`, or `seeded`: shuffled by the network's seed) and
   * stops holding. Returns how many were released.
   */
  release(order: ReleaseOrder = 'fifo'): number {
    this.#holding = { toClient: false, toServer: false };
    const frames = this.#held;
    this.#held = [];
    const ordered = order === 'fifo' ? frames : order === 'reverse' ? [...frames].reverse() : seededShuffle(frames, this.#random);
    const moved = ordered.filter((f, i) => f !== frames[i]).length;
    if (moved) add(this.#metrics, 'faultReorderedFrames', moved);
    for (const frame of ordered) {
      if (this.state === 'open') this.#deliver(frame.direction, frame.data);
      else this.#discard();
    }
    const close = this.#pendingClose;
    this.#pendingClose = undefined;
    if (close) this.#serverClosed(close.code, close.reason, close.wasClean);
    return ordered.length;
  }

  /**
   * Holds frames going `direction` and releases them in order after `ms` (a timer, not a wait the
   * test depends on). Counted in `faultDelayedFrames`.
   */
  delay(ms: number, direction: FaultDirection = 'both'): void {
    if (!Number.isFinite(ms) || ms < 0) throw new HarnessError('BAD_ARGUMENT', `delay(ms): expected a finite number >= 0, got ${String(ms)}`);
    this.hold(direction);
    setTimeout(() => {
      add(this.#metrics, 'faultDelayedFrames', this.#held.length);
      this.release('fifo');
    }, ms);
  }

  /**
   * Holds the next `count` frames going `direction`, then releases them shuffled by the seed.
   * @example conn.reorder('toServer', 3); // three calls arrive at the gateway in a seeded order
   */
  reorder(direction: 'toClient' | 'toServer', count: number): void {
    if (!Number.isInteger(count) || count < 2) throw new HarnessError('BAD_ARGUMENT', `reorder(direction, count): count must be an integer >= 2, got ${String(count)}`);
    this.hold(direction);
    this.#autoRelease = { direction, count, order: 'seeded' };
  }
}
