/**
 * `Unprotected<T>`: a type that exposes a DO's protected `ctx`/`env` (and `svc`) so continuations can
 * be typed against them for local use. Inbound chains rooted there are always refused.
 */

/**
 * @example this.svc.alarms.schedule(5, this.ctn<Unprotected<MyDO>>().ctx.storage.deleteAll());
 */
export type Unprotected<T, Env = unknown> = { [K in keyof T]: T[K] } & { ctx: DurableObjectState; env: Env };
