/**
 * The benchmark's remote API, shared by the test Worker (bench/mesh-common/worker/) and the Node
 * side. Ours (a LumenizeDO with `@mesh` methods) and Cap'n Web's (an RpcTarget served by a DO)
 * implement the same methods with the same bodies, so only the transport differs.
 */

/** Methods the client-side benchmarks call. */
export interface CounterApi {
  /** Adds 1 to a counter in synchronous KV storage and returns the new value. */
  increment(): number;
  /** Returns its argument (payload round trip). */
  echo(value: unknown): unknown;
  /** `a + b` (used for pipelined/nested calls: the result of one call is an argument of the next). */
  add(a: number, b: number): number;
}

/** How a DO → DO batch is sent (see bench/mesh-do/README.md). */
export type DoToDoMode = 'mesh' | 'native' | 'native-held' | 'empty';

/** Which method a DO → DO batch calls: `increment()` or `echo(record)` (~100 B). */
export type DoToDoOp = 'increment' | 'echo';

/** Binding names in bench/mesh-common/worker/wrangler.jsonc. */
export const BINDINGS = {
  gateway: 'LUMENIZE_CLIENT_GATEWAY',
  meshCounter: 'MESH_COUNTER',
  capnCounter: 'CAPN_COUNTER',
  meshCaller: 'MESH_CALLER',
} as const;

/** A record of about 100 bytes of JSON. */
export function record(i: number): { id: number; name: string; email: string; active: boolean; score: number; tags: string[] } {
  return { id: i, name: `User ${String(i).padStart(5, '0')}`, email: `user${String(i).padStart(5, '0')}@example.com`, active: i % 2 === 0, score: 0.5, tags: ['a', 'b'] };
}

/** The echo payloads: one record (~100 B of JSON) and a list of them (~10 KB). */
export const PAYLOADS = {
  '100 B': record(1),
  '10 KB': Array.from({ length: 96 }, (_, i) => record(i)),
} as const;
