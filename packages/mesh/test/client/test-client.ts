/**
 * LumenizeClient subclasses and client construction helpers for the workerd tests: every client
 * talks to the real gateway through utils' Browser (cookies for the refresh endpoint) and its
 * WebSocket shim, wrapped so a test can see and drop the client's sockets.
 */
import { Browser } from '@lumenize/utils';
import { LumenizeClient, type LumenizeClientConfig } from '../../src/client/index.ts';
import '../../src/client/pubsub.ts';
import { mesh } from '../../src/decorators.ts';
import type { ConnectionState } from '../../src/client/index.ts';
import { selfFetch, tab, until } from './helpers.ts';

/** A client with a few inbound methods and handler targets. */
export class TestClient extends LumenizeClient {
  received: number[] = [];
  handled: unknown[] = [];
  changes: Array<{ docId: string; text: string }> = [];
  findings: string[][] = [];
  lostCount = 0;

  @mesh
  ping(n: number): string {
    return `pong ${n}`;
  }

  @mesh
  receive(n: number): number {
    this.received.push(n);
    return n;
  }

  @mesh
  origin(): unknown {
    return this.lmz.callContext.callChain;
  }

  @mesh
  documentChanged(docId: string, text: string): void {
    this.changes.push({ docId, text });
  }

  @mesh
  spellingFindings(findings: string[]): void {
    this.findings.push(findings);
  }

  notMesh(): string {
    return 'never';
  }

  onResult(value: unknown): void {
    this.handled.push(value);
  }

  override onSubscriptionsLost(): void {
    this.lostCount++;
  }
}

/** Tracks the sockets a client creates so tests can inspect and drop them. */
export class SocketControl {
  readonly sockets: WebSocket[] = [];
  readonly urls: string[] = [];
  readonly protocols: string[][] = [];
  /** The client's connection state at each socket's `open` event. */
  readonly openStates: string[] = [];
  /** Reads the owning client's state (set by makeClient). */
  stateProbe: () => string = () => 'unknown';
  readonly WebSocket: typeof WebSocket;
  /** While true, every new socket is closed as soon as it opens (an unreachable network): see {@link block}. */
  #blocked = false;

  constructor(Base: typeof WebSocket) {
    const control = this;
    this.WebSocket = class extends (Base as unknown as new (url: string, protocols?: string | string[]) => WebSocket) {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        control.urls.push(String(url));
        control.protocols.push([protocols ?? []].flat());
        control.sockets.push(this);
        if (control.#blocked) {
          // Registered before the client's listeners: the client never sees this socket open or
          // carry a frame, only its close (a connection attempt that failed).
          const swallow = (event: Event) => event.stopImmediatePropagation();
          this.addEventListener('open', (event) => (swallow(event), this.close(4000, 'test: network blocked')));
          this.addEventListener('message', swallow);
          return;
        }
        this.addEventListener('open', () => {
          control.openStates.push(control.stateProbe());
        });
      }
    } as unknown as typeof WebSocket;
  }

  get current(): WebSocket | undefined {
    return this.sockets.at(-1);
  }

  /**
   * Until {@link unblock}, sockets the client opens are closed at once, so its own backoff timer
   * cannot reconnect it behind the test's back; the test reconnects it explicitly (e.g. `online`).
   */
  block(): void {
    this.#blocked = true;
  }

  unblock(): void {
    this.#blocked = false;
  }

  /** Drops the current socket from the client's side, as a network loss would (close 4000). */
  drop(): void {
    this.current?.close(4000, 'test drop');
  }
}

/** A browser-like environment for one user: cookie jar (refresh cookie set) and socket control. */
export function browserFor(userId: string): Browser {
  const browser = new Browser(selfFetch);
  browser.setCookie('sim_refresh', userId, { domain: 'test.local', path: '/' });
  return browser;
}

/** Window stub so tests can trigger the client's immediate retry (`online`) instead of waiting for backoff. */
export function installWindowStub(): EventTarget {
  const g = globalThis as { window?: EventTarget };
  g.window ??= new EventTarget();
  return g.window;
}

export interface MadeClient<C extends LumenizeClient> {
  client: C;
  sockets: SocketControl;
  browser: Browser;
  states: ConnectionState[];
  instanceName: string;
}

/** Builds a client for `userId` connected through a Browser to the test Worker. */
export function makeClient<C extends LumenizeClient>(
  Cls: new (config: LumenizeClientConfig) => C,
  userId: string,
  config: Partial<LumenizeClientConfig> = {},
  browser: Browser = browserFor(userId),
): MadeClient<C> {
  const sockets = new SocketControl(browser.WebSocket as unknown as typeof WebSocket);
  const states: ConnectionState[] = [];
  const instanceName = config.instanceName ?? `${userId}.${tab()}`;
  const client = new Cls({
    instanceName,
    baseUrl: 'http://test.local',
    WebSocket: sockets.WebSocket,
    fetch: ((input: RequestInfo | URL, init?: RequestInit) => browser.fetch(input, init)) as typeof fetch,
    ...config,
    onConnectionStateChange: (s) => {
      states.push(s);
      config.onConnectionStateChange?.(s);
    },
  });
  sockets.stateProbe = () => client.connectionState;
  return { client, sockets, browser, states, instanceName };
}

/** Waits for `connected`. */
export function connected(client: LumenizeClient): Promise<void> {
  return until(() => client.connectionState === 'connected', 'connected');
}

/** Drops the socket and brings the client back at once (window `online`), waiting for `connected`. */
export async function dropAndReconnect(made: MadeClient<LumenizeClient>, win: EventTarget): Promise<void> {
  made.sockets.drop();
  await until(() => made.client.connectionState === 'reconnecting', 'reconnecting');
  win.dispatchEvent(new Event('online'));
  await connected(made.client);
}
