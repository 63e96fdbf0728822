import { DurableObject } from 'cloudflare:workers';

/**
 * A DO that learns its own identity from the headers routeDORequest adds, stores it once, and
 * uses it later where no request (and so no header) exists: in an alarm or an RPC call.
 */
export class IdentityDO extends DurableObject {
  override async fetch(request: Request): Promise<Response> {
    const kv = this.ctx.storage.kv;
    // routeDORequest strips client copies of these headers, so behind it they can be trusted.
    const bindingName = request.headers.get('X-Lumenize-DO-Binding-Name');
    const instanceNameOrId = request.headers.get('X-Lumenize-DO-Instance-Name-Or-Id');
    if (kv.get('bindingName') === undefined && bindingName && instanceNameOrId) {
      kv.put('bindingName', bindingName);
      kv.put('instanceNameOrId', instanceNameOrId);
    }
    await this.ctx.storage.setAlarm(Date.now() + 60_000);
    return new Response('ok');
  }

  override async alarm(): Promise<void> {
    const kv = this.ctx.storage.kv;
    // No request here: read the identity stored on the first fetch.
    const bindingName = kv.get<string>('bindingName');
    const instanceNameOrId = kv.get<string>('instanceNameOrId');
    kv.put('lastAlarmRanAs', `${bindingName}/${instanceNameOrId}`);
  }

  identity(): { bindingName?: string; instanceNameOrId?: string; lastAlarmRanAs?: string } {
    const kv = this.ctx.storage.kv;
    return {
      bindingName: kv.get<string>('bindingName'),
      instanceNameOrId: kv.get<string>('instanceNameOrId'),
      lastAlarmRanAs: kv.get<string>('lastAlarmRanAs'),
    };
  }
}
