/** `sendDownstream`: push a message to every socket tagged with any of the client ids (fire-and-forget). */
import { debug } from '@lumenize/debug';
import { encodeValue } from '../wire.ts';
import { DOWNSTREAM_TYPE, WIRE_VERSION } from '../limits.ts';
import { acceptedSockets } from './accepted-sockets.ts';

const log = debug('lmz.rpc.downstream');

/**
 * Sends `payload` (structured-clone fidelity) to every socket tagged with one of `clientIds`.
 * Unknown ids are ignored; a failing socket is logged and does not stop the others.
 * @example await sendDownstream('user-1', this, { type: 'notice', at: new Date() });
 */
export async function sendDownstream(clientIds: string | string[], doInstance: object, payload: unknown): Promise<void> {
  const ctx = (doInstance as { ctx?: { getWebSockets(tag?: string): WebSocket[] } }).ctx;
  if (!ctx || typeof ctx.getWebSockets !== 'function') throw new TypeError('sendDownstream: the instance has no ctx.getWebSockets (pass the Durable Object itself)');
  const text = JSON.stringify([DOWNSTREAM_TYPE, WIRE_VERSION, encodeValue(payload)]);
  const sent = new Set<{ send(text: string): void }>();
  for (const id of Array.isArray(clientIds) ? clientIds : [clientIds]) {
    for (const ws of [...ctx.getWebSockets(id), ...acceptedSockets(doInstance, id)]) {
      if (sent.has(ws)) continue;
      sent.add(ws);
      try {
        ws.send(text);
      } catch (error) {
        log.warn('downstream send failed', { clientId: id, error: String(error) });
      }
    }
  }
}
