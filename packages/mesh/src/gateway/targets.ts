/**
 * Resolves the address of a compact-wire call (docs/mesh-clients.md "Wire format"): a definition
 * `[id, binding, instance?]` is recorded in the session's table, a reference `id` is looked up.
 */
import type { CallFrame } from '../client/frames.ts';
import { WireFormatError } from '../wire/errors.ts';
import type { GatewayNames } from '../wire/names.ts';

/**
 * Fills `frame.binding`/`instance` from the session's interned targets; the refusal reason when the
 * frame names an unknown id or redefines one (the call is then answered with an error, unrun).
 * @example const problem = resolveTarget(frame, session.names()); if (problem) refuse(problem);
 */
export function resolveTarget(frame: CallFrame, names: GatewayNames | undefined): string | undefined {
  try {
    if (frame.target !== undefined) {
      if (!names) return 'interned target ids need a resume session';
      const t = names.resolve(frame.target);
      frame.binding = t.binding;
      if (t.instance !== undefined) frame.instance = t.instance;
    } else if (frame.defines !== undefined) {
      if (!names) return 'interned target ids need a resume session';
      names.define(frame.defines, frame.instance === undefined ? { binding: frame.binding } : { binding: frame.binding, instance: frame.instance });
    }
    return undefined;
  } catch (e) {
    if (e instanceof WireFormatError) return e.message;
    throw e;
  }
}
