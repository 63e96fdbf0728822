/**
 * A LumenizeDO's identity (spec §4.2): binding and instance name learned from envelopes, routing
 * headers or `init()`, persisted write-once in KV. Storage is the truth; fields only cache it.
 */
const BINDING_KEY = '__lmz_do_binding_name';
const INSTANCE_KEY = '__lmz_do_instance_name';
const HEX64 = /^[0-9a-f]{64}$/;

/** Persisted, write-once identity of one DO instance. */
export class DOIdentity {
  #ctx: DurableObjectState;
  // `null` caches "not stored" (a DO that never learned its name would otherwise re-read KV on
  // every outbound call); the setters replace it with the learned value.
  #binding: string | null | undefined;
  #instance: string | null | undefined;
  /** `ctx.id.toString()`, built once: an unnamed DO reads it on every outbound call. */
  #id: string | undefined;

  constructor(ctx: DurableObjectState) {
    this.#ctx = ctx;
  }

  get id(): string {
    return (this.#id ??= this.#ctx.id.toString());
  }

  get bindingName(): string | undefined {
    if (this.#binding === undefined) this.#binding = this.#ctx.storage.kv.get<string>(BINDING_KEY) ?? null;
    return this.#binding ?? undefined;
  }

  set bindingName(value: string | undefined) {
    // Every inbound envelope names the callee: the usual case is the value already known.
    if (value !== undefined && value === this.#binding) return;
    this.#binding = this.#setOnce(BINDING_KEY, 'binding name', this.bindingName, value) ?? null;
  }

  get instanceName(): string | undefined {
    if (this.#instance === undefined) this.#instance = this.#ctx.storage.kv.get<string>(INSTANCE_KEY) ?? null;
    return this.#instance ?? undefined;
  }

  set instanceName(value: string | undefined) {
    this.#instance = this.#setOnce(INSTANCE_KEY, 'instance name', this.instanceName, value) ?? null;
  }

  get instanceNameOrId(): string {
    return this.instanceName ?? this.id;
  }

  /** A 64-hex string is an id (checked, not stored); anything else is the name. */
  set instanceNameOrId(value: string | undefined) {
    if (value === undefined || value === this.#instance) return;
    if (typeof value === 'string' && HEX64.test(value)) {
      if (value !== this.id) throw new Error(`DO instance ID mismatch: this object's id is '${this.id}' but received '${echoed(value)}'`);
      return;
    }
    this.instanceName = value;
  }

  #setOnce(key: string, what: string, stored: string | undefined, value: unknown): string | undefined {
    if (value === undefined) return stored;
    if (typeof value !== 'string' || value === '') throw new TypeError(`DO ${what} must be a non-empty string, got ${JSON.stringify(value) ?? typeof value}`);
    if (stored === undefined) {
      this.#ctx.storage.kv.put(key, value);
      return value;
    }
    if (stored !== value) throw new Error(`DO ${what} mismatch: stored '${stored}' but received '${echoed(value)}'`);
    return stored;
  }
}

/** A received identity value as it may appear in an error: at most 100 characters (it came off the wire). */
export function echoed(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}… (${value.length} chars)` : value;
}
