/**
 * `FaultyNetwork`: a fetch wrapper that puts every WebSocket it upgrades behind a controllable
 * {@link FaultyConnection}. Give its `fetch` to a `Browser` (or the shim) and drive faults from
 * the test; every fault is counted in `metrics`.
 */
import { debug } from '@lumenize/debug';
import type { Metrics } from '@lumenize/utils';
import { isWorkerd, selfFetch } from './cloudflare-test.ts';
import { TestingEnvironmentError } from './errors.ts';
import { FaultyConnection } from './faulty-connection.ts';
import { seededRandom } from './seeded-random.ts';

/** Options of `new FaultyNetwork()`. */
export interface FaultyNetworkOptions {
  /** The fetch behind the network (default `SELF.fetch`). */
  fetch?: typeof fetch;
  /** Seed of the `seeded` release order (default 1). */
  seed?: number;
  /** Counter object to add fault counts to (e.g. the Browser's); default a new one. */
  metrics?: Metrics;
}

const log = debug('lmz.testing.FaultyNetwork');

/**
 * A network between clients and the test Worker that the test can break on purpose.
 * @example const net = new FaultyNetwork({ seed: 7 }); const alice = new Browser(net.fetch); … net.last!.drop();
 */
export class FaultyNetwork {
  /** Every connection opened through this network, oldest first. */
  readonly connections: FaultyConnection[] = [];
  /** Fault counters: `faultDrops`, `faultBlackHoles`, `faultCloses`, `faultHeldFrames`, `faultReorderedFrames`, `faultDelayedFrames`, `faultDiscardedFrames`. */
  readonly metrics: Metrics;
  /** Use in place of fetch: HTTP passes through; WebSocket upgrades become {@link FaultyConnection}s. */
  readonly fetch: typeof fetch;
  readonly #random: () => number;
  #waiters: Array<{ index: number; resolve(c: FaultyConnection): void }> = [];

  constructor(options: FaultyNetworkOptions = {}) {
    if (!options.fetch && !isWorkerd()) throw new TestingEnvironmentError('FaultyNetwork: pass options.fetch outside the Cloudflare Workers vitest environment');
    const inner = options.fetch ?? selfFetch;
    this.metrics = options.metrics ?? {};
    this.#random = seededRandom(options.seed ?? 1);
    this.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await inner(input, init);
      const socket = (response as Response & { webSocket?: WebSocket | null }).webSocket;
      if (response.status !== 101 || !socket) return response;
      const url = input instanceof Request ? input.url : String(input);
      const connection = new FaultyConnection(socket as never, url, this.metrics, this.#random);
      this.connections.push(connection);
      log.debug('connection', { url, index: this.connections.length - 1 });
      for (const w of this.#waiters.filter((w) => w.index < this.connections.length)) w.resolve(this.connections[w.index]);
      this.#waiters = this.#waiters.filter((w) => w.index >= this.connections.length);
      // The shim reads `webSocket`; everything else (status, headers, Set-Cookie) is the real answer.
      return new Proxy(response, {
        get(target, key) {
          if (key === 'webSocket') return connection.clientEnd;
          const value = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    }) as typeof fetch;
  }

  /** The newest connection. */
  get last(): FaultyConnection | undefined {
    return this.connections.at(-1);
  }

  /**
   * Resolves with connection number `index` (0-based) once it exists; default: the next new one.
   * @example const second = await net.connection(1);
   */
  connection(index = this.connections.length): Promise<FaultyConnection> {
    if (index < this.connections.length) return Promise.resolve(this.connections[index]);
    return new Promise((resolve) => this.#waiters.push({ index, resolve }));
  }
}
