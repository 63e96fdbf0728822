/**
 * `TestEndpointsDO`: an httpbin-like upstream that runs in-process as a Durable Object, one
 * isolated instance per name, recording what it receives (spec testing §2.6, §3.9).
 */
import { DurableObject } from 'cloudflare:workers';
import { debug } from '@lumenize/debug';
import { RequestSync, ResponseSync } from '@lumenize/structured-clone';
import { ROUTING_HEADERS } from '@lumenize/utils';
import { answer } from './endpoints.ts';
import { HoldRegistry } from './holds.ts';
import { configuredToken, hasToken, UNAUTHORIZED_TEXT } from './token.ts';
import * as tracking from './tracking.ts';

const log = debug('lmz.testing.TestEndpointsDO');

/** Splits `/{segment}/{instance}/rest` into the instance prefix and the endpoint path. */
function splitPath(request: Request): { base: string; path: string } {
  const { pathname } = new URL(request.url);
  // Reached through routeDORequest: the instance segment is named by a routing header.
  const instance = request.headers.get(ROUTING_HEADERS.instanceNameOrId);
  if (instance !== null) {
    const marker = `/${encodeURIComponent(instance)}`;
    const at = pathname.indexOf(`${marker}/`);
    const end = at >= 0 ? at + marker.length : pathname.endsWith(marker) ? pathname.length : -1;
    if (end >= 0) return { base: pathname.slice(0, end), path: pathname.slice(end) || '/' };
  }
  return { base: '', path: pathname };
}

/**
 * Endpoints via `fetch`; tracking via RPC. Example:
 * `await env.TEST_ENDPOINTS_DO.getByName('t1').trackingSnapshot()`. Docs: docs/testing.md.
 */
export class TestEndpointsDO extends DurableObject {
  #holds = new HoldRegistry();

  override async fetch(request: Request): Promise<Response> {
    const token = configuredToken(this.env);
    if (token !== undefined && !hasToken(request, token)) {
      log.warn('refused a request without the test token', { path: new URL(request.url).pathname });
      return new Response(UNAUTHORIZED_TEXT, { status: 401, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
    const kv = this.ctx.storage.kv;
    const track = tracking.isEnabled(kv);
    if (track) tracking.countArrival(kv);
    const { base, path } = splitPath(request);
    let response: Response;
    try {
      if (track) tracking.recordRequest(kv, await RequestSync.fromRequest(withoutSecrets(request.clone())));
      response = await answer(request, { base, path, holds: this.#holds });
    } catch (error) {
      log.error('endpoint failed', { path, error });
      response = new Response('Internal Server Error', { status: 500 });
    }
    if (token === undefined) {
      response = new Response(response.body, response);
      response.headers.set('X-Test-Endpoints-Mode', 'open');
    }
    if (track) tracking.recordResponse(kv, await ResponseSync.fromResponse(response.clone()));
    log.debug('answered', { path, status: response.status });
    return response;
  }

  /** Resumes recording (the default). */
  startTracking(): void {
    this.ctx.storage.kv.put(tracking.TRACKING_KEYS.enabled, true);
    log.info('tracking started');
  }

  /** Pauses recording; requests are still answered. */
  stopTracking(): void {
    this.ctx.storage.kv.put(tracking.TRACKING_KEYS.enabled, false);
    log.info('tracking stopped');
  }

  /** Deletes every tracking key; recording returns to its default (on). */
  resetTracking(): void {
    tracking.reset(this.ctx.storage.kv);
    log.info('tracking reset');
  }

  /** Requests counted so far (0 when none). */
  requestCount(): number {
    return (this.ctx.storage.kv.get(tracking.TRACKING_KEYS.count) as number | undefined) ?? 0;
  }

  /** Plain-data tracking rows, safe over Workers RPC; decode with `decodeTracking`. */
  trackingSnapshot(): tracking.TrackingSnapshot {
    return tracking.snapshot(this.ctx.storage.kv);
  }

  /** The last request as a RequestSync (in-process or over @lumenize/rpc; not over raw Workers RPC). */
  lastRequest(): RequestSync | undefined {
    return tracking.decodeSnapshot(tracking.snapshot(this.ctx.storage.kv)).request;
  }

  /** The last response as a ResponseSync (in-process or over @lumenize/rpc). */
  lastResponse(): ResponseSync | undefined {
    return tracking.decodeSnapshot(tracking.snapshot(this.ctx.storage.kv)).response;
  }

  /** Releases `/hold/{key}` requests (current and later ones); returns how many were waiting. */
  release(key: string): number {
    return this.#holds.release(key);
  }

  /** Keys of the requests currently held by `/hold/{key}`. */
  held(): string[] {
    return this.#holds.keys();
  }
}

/** The recorded request never keeps the test token. */
function withoutSecrets(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.delete('X-Test-Token');
  return new Request(request, { headers });
}
