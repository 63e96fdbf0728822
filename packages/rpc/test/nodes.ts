/**
 * Test Durable Objects for @lumenize/rpc. `CounterBase` holds every method the §9 matrix calls; the
 * matrix runs against it wrapped (`RpcDO`), hand-routed (`ManualDO`) and subclassed (`SubDO`).
 */
import { DurableObject, RpcTarget } from 'cloudflare:workers';
import { handleRpcMessage, handleRpcRequest, lumenizeRpcDO, schemaValidators, sendDownstream, type RpcConfig } from '../src/index.ts';
import { allAcceptedSockets } from '../src/server/accepted-sockets.ts';

export class ValidationError extends Error {
  override name = 'ValidationError';
  field: string;
  constructor(message: string, field: string) {
    super(message);
    this.field = field;
  }
}

export class Point {
  x: number;
  y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
  get sum(): number {
    return this.x + this.y;
  }
  scaled(by: number): number[] {
    return [this.x * by, this.y * by];
  }
}

export class Greeter extends RpcTarget {
  #name: string;
  constructor(name: string) {
    super();
    this.#name = name;
  }
  greet(): string {
    return `hello ${this.#name}`;
  }
}

export class CounterBase extends DurableObject<Cloudflare.Env> {
  instanceVariable = 'instance value';
  #secret = 'top secret';

  increment(by = 1): number {
    const n = (this.ctx.storage.kv.get<number>('count') ?? 0) + by;
    this.ctx.storage.kv.put('count', n);
    return n;
  }
  add(a: number, b: number): number {
    return a + b;
  }
  withDefault(a: number, b = 10): number {
    return a + b;
  }
  echo<T>(value: T): T {
    return value;
  }
  storeAndLoad<T>(value: T): T {
    this.ctx.storage.kv.put('stored', value);
    return this.ctx.storage.kv.get<T>('stored') as T;
  }
  setValue(key: string, value: string) {
    this.ctx.storage.kv.put(`v:${key}`, value);
    return { key, value, uppercaseValue: () => value.toUpperCase() };
  }
  getValue(key: string): string | undefined {
    return this.ctx.storage.kv.get<string>(`v:${key}`);
  }
  combineValues(a: unknown, b: unknown): string {
    return `${String(a)}+${String(b)}`;
  }
  throwError(): never {
    throw new Error('Test error');
  }
  throwValidation(): never {
    throw new ValidationError('bad email', 'email');
  }
  throwString(): never {
    throw 'a thrown string';
  }
  getObject() {
    this.#bump('getObject');
    return { value: 42, nested: { value: 42, getValue: (..._ignored: unknown[]) => 42 } };
  }
  getArray() {
    return [1, 'two', () => 'three', { four: 4, five: () => 5 }];
  }
  getPoint(): Point {
    return new Point(3, 4);
  }
  getGreeter(): Greeter {
    this.#bump('getGreeter');
    return new Greeter('rpc');
  }
  calls(name: string): number {
    return this.ctx.storage.kv.get<number>(`calls:${name}`) ?? 0;
  }
  async slow(ms: number): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    return `waited ${ms}`;
  }
  /** A getter that counts its reads (item 21: a consumed prefix ending in a read runs once). */
  get profile(): { name: string; nested: { value: number }; describe: () => string } {
    this.#bump('profile');
    return { name: 'profile', nested: { value: 7 }, describe: () => 'profile described' };
  }
  get secretLength(): number {
    return this.#secret.length;
  }
  revealSecret(): string {
    return this.#helperUsingPrivate();
  }
  _helper(): string {
    return 'underscore helper';
  }
  usesHelper(): string {
    return `public via ${this._helper()}`;
  }
  #helperUsingPrivate(): string {
    return this.#secret;
  }
  #bump(name: string): void {
    this.ctx.storage.kv.put(`calls:${name}`, this.calls(name) + 1);
  }
  mapIdentity() {
    const key = { id: 1 };
    const member = { id: 2 };
    return { key, member, map: new Map([[key, 'v']]), set: new Set([member]) };
  }
  checkIdentity(map: Map<unknown, unknown>, key: unknown): boolean {
    return map.has(key);
  }
  rememberKey(): void {
    this.ctx.storage.kv.put('keyed', new Map([[{ id: 1 }, 'stored']]));
  }
  lookupStored(key: unknown): unknown {
    return this.ctx.storage.kv.get<Map<unknown, unknown>>('keyed')?.get(key);
  }
  readCount(): number {
    return this.ctx.storage.kv.get<number>('count') ?? 0;
  }
  setFlag(v: number): number {
    this.ctx.storage.kv.put('flag', v);
    return v;
  }
  readFlag(): number {
    return this.ctx.storage.kv.get<number>('flag') ?? 0;
  }
  authenticate(token: string) {
    if (token !== 'good-token') throw new Error('Invalid token');
    this.#bump('authenticate');
    return { user: 'alice', getNotifications: () => ['n1', 'n2'] };
  }
  async asyncIncrement(): Promise<number> {
    return this.increment();
  }
  failAfterWrite(): never {
    this.ctx.storage.kv.put('count', 999);
    throw new Error('failed after write');
  }
  socketCount(): number {
    return this.ctx.getWebSockets().length;
  }
  closeSockets(code: number, reason: string): number {
    const all = this.ctx.getWebSockets();
    for (const ws of all) ws.close(code, reason);
    return all.length;
  }
  async push(ids: string | string[], payload: unknown): Promise<void> {
    await sendDownstream(ids, this, payload);
  }
  socketTags(): { tags: string[]; attachment: unknown }[] {
    return this.ctx.getWebSockets().map((ws) => ({ tags: this.ctx.getTags(ws), attachment: ws.deserializeAttachment() }));
  }
}

export const RpcDO = lumenizeRpcDO(CounterBase, { access: 'full' });

class _SubCounter extends CounterBase {
  override add(a: number, b: number): number {
    return super.add(a, b);
  }
  subOnly(): string {
    return 'sub only';
  }
  get subGetter(): string {
    return 'sub getter';
  }
}
export const SubDO = lumenizeRpcDO(_SubCounter, { access: 'full' });
/**
 * The same counter on non-hibernating sockets (`webSocket: { hibernate: false }`). Its socket
 * helpers also see the accept()ed sockets, which ctx.getWebSockets() does not list.
 */
class _AcceptCounter extends CounterBase {
  override socketCount(): number {
    return super.socketCount() + allAcceptedSockets(this).length;
  }
  override closeSockets(code: number, reason: string): number {
    const accepted = allAcceptedSockets(this);
    for (const [ws] of accepted) ws.close(code, reason);
    return super.closeSockets(code, reason) + accepted.length;
  }
  override socketTags(): { tags: string[]; attachment: unknown }[] {
    const accepted = allAcceptedSockets(this).map(([, context]) => ({ tags: typeof context.clientId === 'string' ? [context.clientId] : [], attachment: context }));
    return [...super.socketTags(), ...accepted];
  }
}
export const AcceptDO = lumenizeRpcDO(_AcceptCounter, { access: 'full', webSocket: { hibernate: false } });
export const MethodsDO = lumenizeRpcDO(CounterBase);
export const TxDO = lumenizeRpcDO(CounterBase, { access: 'full', transactional: true });

const guardConfig: RpcConfig = {
  onBeforeConnect(request) {
    const protocols = request.headers.get('Sec-WebSocket-Protocol') ?? '';
    if (protocols.includes('auth.bad')) return new Response('Unauthorized', { status: 401 });
    if (protocols.includes('auth.server')) return { clientId: 'server-chosen', role: 'tester' };
  },
  onBeforeCall(operations, info) {
    if (operations[0]?.type === 'get' && operations[0].key === 'throwError') throw new Error('refused by onBeforeCall');
    if (info.transport === 'http' && operations[0]?.type === 'get' && operations[0].key === 'whoami' && info.headers?.get('x-api-key') !== 'secret') {
      throw new Error('x-api-key header missing');
    }
  },
  validators: {
    add(args) {
      if (typeof args[0] !== 'number' || typeof args[1] !== 'number') throw new TypeError('add expects two numbers');
    },
    // A JSON-Schema-like `type` check through the schema adapter.
    ...schemaValidators((schema: { type: string }, value) => typeof value === schema.type, { withDefault: [{ type: 'number' }, { type: 'number' }] }),
  },
};
class _GuardDO extends CounterBase {
  whoami(): string {
    return 'guarded';
  }
}
export const GuardDO = lumenizeRpcDO(_GuardDO, guardConfig);

/** Hand-routed: custom REST and WebSocket endpoints next to RPC. */
export class ManualDO extends CounterBase {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('auto-ping', 'auto-pong'));
  }
  override async fetch(request: Request): Promise<Response> {
    const rpc = await handleRpcRequest(request, this, { access: 'full' });
    if (rpc) return rpc;
    const url = new URL(request.url);
    if (url.pathname.endsWith('/health')) return new Response('ok');
    if (url.pathname.endsWith('/counter')) return Response.json({ count: this.ctx.storage.kv.get('count') ?? 0 });
    if (url.pathname.endsWith('/reset') && request.method === 'POST') {
      this.ctx.storage.kv.put('count', 0);
      return new Response('reset');
    }
    if (url.pathname.endsWith('/custom-ws')) {
      const pair = new WebSocketPair();
      this.ctx.acceptWebSocket(pair[1], ['custom']);
      return new Response(null, { status: 101, webSocket: pair[0], headers: { 'Sec-WebSocket-Protocol': 'custom.v1' } });
    }
    return new Response('manual not found', { status: 404 });
  }
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (await handleRpcMessage(ws, message, this, { access: 'full' })) return;
    if (typeof message !== 'string') return ws.send(message);
    ws.send(message === 'PING' ? 'PONG' : `echo:${message}`);
  }
}

/** Env-hop target: a plain DO (no RPC wrapper), reached as a Workers RPC stub. */
export class RoomDO extends DurableObject<Cloudflare.Env> {
  addMessage(text: string): number {
    const list = this.ctx.storage.kv.get<string[]>('messages') ?? [];
    list.push(text);
    this.ctx.storage.kv.put('messages', list);
    return list.length;
  }
  getMessages(): Map<number, string> {
    const list = this.ctx.storage.kv.get<string[]>('messages') ?? [];
    return new Map(list.map((m, i) => [i, m]));
  }
  failing(): never {
    throw new TypeError('room failure');
  }
}
export class SubRoomDO extends RoomDO {}
