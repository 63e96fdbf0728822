/**
 * A client call's frame, rendered when it is sent (docs/mesh-clients.md "Wire format"): in the form
 * the gateway agreed to on the current connection, with the target interned in the current session.
 * A call queued before a connection, or re-sent in a new session, renders afresh.
 */
import { toError } from '../envelope.ts';
import type { CompactChain } from './chain.ts';
import { compactCallRest } from './frames.ts';
import type { ClientNames } from './names.ts';
import { decodePayload, type WireIntermediate } from './payload.ts';

/** A rendered frame body (no resume fields) and the interned id it defines (0: none). */
export interface RenderedCall {
  body: string;
  defines: number;
  /** A compact body after its `{"t":"c",` (a compact batch joins it as it is). */
  rest?: string;
}

/** Renders a call for wire version `wire` (1 or 2) with the session's names. */
export type RenderCall = (wire: number, names: ClientNames) => RenderedCall;

/**
 * The renderer of one call. `legacyChain` builds the version-1 chain intermediate (only asked for
 * when the gateway speaks version 1).
 * @example const render = callRenderer(7, 'COUNTER', 'c1', compact, () => serializeChain(remote), false);
 */
export function callRenderer(id: number, binding: string, instance: string | undefined, compact: CompactChain, legacyChain: () => unknown, batch: boolean): RenderCall {
  let legacy: string | undefined;
  return (wire, names) => {
    if (wire === 2) {
      const target = names.render(binding, instance);
      const rest = compactCallRest(id, target.text, compact, batch);
      return { body: `{"t":"c",${rest}`, defines: target.defines, rest };
    }
    if (legacy === undefined) {
      const frame: Record<string, unknown> = { type: 'call', callId: String(id), binding, chain: legacyChain() };
      if (instance !== undefined) frame.instance = instance;
      if (batch) frame.batch = true;
      legacy = JSON.stringify(frame);
    }
    return { body: legacy, defines: 0 };
  };
}

/**
 * The value of a compact `call_response` (`r`), or throws its error (`e`), rebuilt with `decode`
 * (the client's `postprocessLoaded`).
 */
export function decodeTaggedResponse(frame: { success: boolean; result?: unknown; error?: unknown }, decode: (data: WireIntermediate) => unknown): unknown {
  if (!frame.success) throw toError(decodePayload(frame.error, decode));
  return decodePayload(frame.result, decode);
}
