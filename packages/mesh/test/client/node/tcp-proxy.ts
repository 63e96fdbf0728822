/**
 * A loopback TCP proxy (node:net, 127.0.0.1 only) for the Node fault tests: it forwards bytes to a
 * target port and, on command, plays the network failures a real client meets:
 * - `cut()`: every live connection is reset (both ends see the TCP connection die);
 * - `blackhole()`: live connections stop forwarding both ways while TCP stays open (Wi-Fi switch,
 *   laptop sleep, a proxy that dropped the flow): nothing closes, frames go nowhere;
 * - `cutNextHandshake(point)`: the next new connection is reset right after the client's upgrade
 *   request (`'request'`) or after the server's first answer bytes (`'response'`).
 * New connections are forwarded normally, as a client finds a new path after a network change.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  server: Socket;
  holed: boolean;
}

export class TcpProxy {
  #target: number;
  #server: Server;
  #pairs = new Set<Pair>();
  #cutNext: 'request' | 'response' | undefined;
  /** Connections accepted so far. */
  accepted = 0;

  constructor(targetPort: number) {
    this.#target = targetPort;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Starts listening on a free loopback port; resolves with it. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve((this.#server.address() as { port: number }).port));
    });
  }

  /** Resets every live connection (black-holed ones too); returns how many. */
  cut(): number {
    const pairs = [...this.#pairs];
    for (const pair of pairs) this.#reset(pair);
    return pairs.length;
  }

  /** Stops forwarding on every live connection, leaving TCP open; returns how many. */
  blackhole(): number {
    let n = 0;
    for (const pair of this.#pairs) {
      if (!pair.holed) n++;
      pair.holed = true;
    }
    return n;
  }

  /** Resets the next new connection during its opening handshake. */
  cutNextHandshake(point: 'request' | 'response'): void {
    this.#cutNext = point;
  }

  /** Closes the listener and every connection. */
  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.accepted++;
    const server = connect(this.#target, '127.0.0.1');
    const pair: Pair = { client, server, holed: false };
    this.#pairs.add(pair);
    const cutAt = this.#cutNext;
    this.#cutNext = undefined;
    client.on('data', (chunk) => {
      if (pair.holed) return;
      server.write(chunk);
      if (cutAt === 'request') setImmediate(() => this.#reset(pair));
    });
    server.on('data', (chunk) => {
      if (pair.holed) return;
      client.write(chunk);
      if (cutAt === 'response') setImmediate(() => this.#reset(pair));
    });
    // A black hole swallows closes too: the far end never hears of them.
    const end = () => {
      if (!pair.holed) this.#reset(pair);
    };
    for (const socket of [client, server]) {
      socket.on('error', () => {});
      socket.on('close', end);
    }
  }

  #reset(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    for (const socket of [pair.client, pair.server]) {
      try {
        socket.resetAndDestroy();
      } catch {
        socket.destroy(); // not connected yet: nothing to reset
      }
    }
  }
}
