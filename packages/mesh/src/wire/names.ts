/**
 * Interned call targets of the compact wire (docs/mesh-clients.md "Wire format"): the first call to
 * a binding and instance sends `[id, binding, instance?]`, later calls send `id`. The table belongs
 * to one resume session: the gateway stores each definition with the session (SQLite), so a frame
 * re-sent after a cut or read by a restarted gateway resolves the same way. The client keeps
 * sending the definition until an answer to a call that carried it arrived (the gateway stored it
 * in the turn it read that call, before anything it sent in that turn left).
 */
import { WireFormatError } from './errors.ts';

/** Most interned targets per session; later targets travel with their names every time (`[0, …]`). */
export const MAX_NAMES = 256;

const BINDING = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;
const MAX_INSTANCE = 512;

/** A call's address. */
export interface Target {
  binding: string;
  instance?: string;
}

/** The client's table: renders each call's target as a reference or a definition. */
export class ClientNames {
  #ids = new Map<string, { id: number; known: boolean }>();
  #next = 1;

  /** A new session: the gateway knows none of our ids. */
  reset(): void {
    this.#ids.clear();
    this.#next = 1;
  }

  /**
   * The JSON text of a call's `d` member, and the id to {@link confirm} when its answer arrives
   * (0 when the text is a plain reference or carries no id).
   */
  render(binding: string, instance: string | undefined): { text: string; defines: number } {
    const key = instance === undefined ? binding : `${binding} ${instance}`;
    let entry = this.#ids.get(key);
    if (!entry && this.#next <= MAX_NAMES) this.#ids.set(key, (entry = { id: this.#next++, known: false }));
    if (entry?.known) return { text: String(entry.id), defines: 0 };
    const id = entry?.id ?? 0;
    return { text: JSON.stringify(instance === undefined ? [id, binding] : [id, binding, instance]), defines: id };
  }

  /** An answer arrived for a call that defined `id`: the gateway holds it from now on. */
  confirm(id: number): void {
    for (const entry of this.#ids.values()) if (entry.id === id) entry.known = true;
  }
}

/** Checks a definition's names; the reason when they are not a binding and an instance name. */
export function targetProblem(binding: unknown, instance: unknown): string | undefined {
  if (typeof binding !== 'string' || !BINDING.test(binding)) return 'call without a valid binding';
  if (instance !== undefined && (typeof instance !== 'string' || instance.length === 0 || instance.length > MAX_INSTANCE)) return 'call with an invalid instance';
  return undefined;
}

/** The gateway's table of one session. `store` persists a new definition (with the session). */
export class GatewayNames {
  #names = new Map<number, Target>();
  #store: (id: number, target: Target) => void;

  constructor(store: (id: number, target: Target) => void, stored: Iterable<[number, Target]> = []) {
    this.#store = store;
    for (const [id, t] of stored) this.#names.set(id, t);
  }

  /** Records `id` (1..{@link MAX_NAMES}) for `target`; a different target under a known id is refused. */
  define(id: number, target: Target): void {
    if (id === 0) return;
    const known = this.#names.get(id);
    if (known) {
      if (known.binding !== target.binding || known.instance !== target.instance) throw new WireFormatError(`target id ${id} is already defined for another target`);
      return;
    }
    if (this.#names.size >= MAX_NAMES) throw new WireFormatError(`more than ${MAX_NAMES} interned targets`, 'LIMIT');
    this.#names.set(id, target);
    this.#store(id, target);
  }

  /** The target of a reference; throws `UNKNOWN_NAME` for an id never defined in this session. */
  resolve(id: number): Target {
    const t = this.#names.get(id);
    if (!t) throw new WireFormatError(`unknown target id ${id} (never defined in this session)`, 'UNKNOWN_NAME');
    return t;
  }
}
