/**
 * Test nodes for the durable-outbox tests (outbox.test.ts, idle.test.ts): gateways with small limits
 * or a wake-up counter, a callee that holds a call until released, and a DO that sends or returns
 * frames past the size limit.
 */
import { LumenizeDO, mesh } from '../../src/index.ts';
import { LumenizeClientGateway } from '../../src/gateway/index.ts';

/** Gateway that counts its wake-ups (webSocketMessage, alarm) in storage, so hibernation does not reset the count. */
export class CountingGateway extends LumenizeClientGateway<Cloudflare.Env> {
  static override gracePeriodMs = 60_000;

  #count(kind: string): void {
    this.ctx.storage.kv.put(`wakeups:${kind}`, (this.ctx.storage.kv.get<number>(`wakeups:${kind}`) ?? 0) + 1);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.#count('webSocketMessage');
    return super.webSocketMessage(ws, message);
  }

  override async alarm(): Promise<void> {
    this.#count('alarm');
    return super.alarm();
  }
}

/** Gateway for which every socket that ever answered a heartbeat counts as stale (threshold below zero). */
export class StaleGateway extends LumenizeClientGateway<Cloudflare.Env> {
  static override gracePeriodMs = 60_000;
  static override heartbeatStaleAfterMs = -1;
}

/** Gateway with a 4-frame outbox and a 1 MB frame limit. */
export class TinyOutboxGateway extends LumenizeClientGateway<Cloudflare.Env> {
  static override gracePeriodMs = 60_000;
  static override maxUnackedFrames = 4;
  static override maxOutboundFrameBytes = 1_000_000;
}

const held = new Map<string, () => void>();

/** A callee that holds `hold(key)` until `release(key)` (same isolate, so the test can release it). */
export class HoldDO extends LumenizeDO<Cloudflare.Env> {
  @mesh
  async hold(key: string): Promise<string> {
    this.ctx.storage.kv.put(`started:${key}`, true);
    await new Promise<void>((resolve) => held.set(key, resolve));
    this.ctx.storage.kv.put(`finished:${key}`, true);
    return `released ${key}`;
  }

  started(key: string): boolean {
    return this.ctx.storage.kv.get(`started:${key}`) === true;
  }

  finished(key: string): boolean {
    return this.ctx.storage.kv.get(`finished:${key}`) === true;
  }

  release(key: string): boolean {
    const resolve = held.get(key);
    held.delete(key);
    resolve?.();
    return resolve !== undefined;
  }
}

/** Returns large strings, and calls clients with large arguments. */
export class BigDO extends LumenizeDO<Cloudflare.Env> {
  @mesh
  big(chars: number): string {
    return 'x'.repeat(chars);
  }

  @mesh
  small(): string {
    return 'small';
  }

  /** Calls `receive(<chars x's>)` on a client; reports the error name and message, or ok. */
  async pushBig(gatewayBinding: string, instanceName: string, chars: number): Promise<{ ok: boolean; name?: string; message?: string }> {
    this.lmz.bindingName ??= 'BIG';
    try {
      await this.lmz.callRaw(gatewayBinding, instanceName, this.ctn<{ receive(v: string): unknown }>().receive('x'.repeat(chars)));
      return { ok: true };
    } catch (e) {
      return { ok: false, name: (e as Error).name, message: (e as Error).message };
    }
  }
}
