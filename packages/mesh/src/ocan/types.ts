/**
 * Operation-chain types shared by every OCAN user (mesh, rpc, browsers). Plain data only, so a chain
 * can be serialized, stored and executed later. See docs/mesh.md#ocan.
 */

/** One recorded step: a property read or a call of the current value. */
export type Operation = { type: 'get'; key: string | number } | { type: 'apply'; args: unknown[] };

/** The steps recorded by a continuation, executed left to right against a target. */
export type OperationChain = Operation[];

/**
 * How a continuation passed as an argument appears inside a decoded chain: it runs first (against the
 * same target) and its value is substituted. Markers are unforgeable: only `getOperationChain` (from
 * `this.ctn()` arguments) and {@link decodeOperationChain} make them, so no data value of this shape is
 * ever executed. `__refId` exists for rpc's per-batch aliasing (the first occurrence carries the chain,
 * later ones only the id).
 */
export interface NestedOperationMarker {
  readonly __isNestedOperation: true;
  readonly __operationChain?: OperationChain;
  readonly __refId?: string;
}

/**
 * The wire and storage form of a chain (mesh envelope version 1): operations as plain data,
 * with nested continuations listed out of band in `nested` on the call that holds them. The slot a
 * nested chain fills holds `null` in `args`. Arguments are data whatever their shape, so only the chain's
 * own `nested` lists can introduce work. A chain with no nested continuations is the same as its
 * in-memory form.
 */
export type WireOperation = { type: 'get'; key: string | number } | { type: 'apply'; args: unknown[]; nested?: WireNestedOperation[] };

/** A wire chain (see {@link WireOperation}). */
export type WireOperationChain = WireOperation[];

/**
 * One nested continuation of a call: where it sits in the call's arguments (`path[0]` is the argument
 * index, later steps are array indexes or own keys of plain objects), and its chain (or, for rpc's
 * aliases, only a `refId` defined earlier in the batch).
 */
export interface WireNestedOperation {
  path: (string | number)[];
  chain?: WireOperationChain;
  refId?: string;
}

/**
 * Limits and policy for validating and executing a chain.
 * @example executeOperationChain(chain, obj, { requireMeshDecorator: false, maxDepth: 10 })
 */
export interface OcanConfig {
  /** Most operations allowed in one chain (and most nesting levels of argument chains). Default 50. */
  maxDepth?: number;
  /** Most arguments allowed in one call. Default 100. */
  maxArgs?: number;
  /** Most operations in one chain and all its nested chains together (one envelope). Default 1,000. */
  maxOperations?: number;
  /** Most distinct nested continuations in one chain and all its nested chains. Default 250. */
  maxNestedOperations?: number;
  /**
   * When true (default) every entry point (the first call of the chain and of every nested argument
   * chain) must be a `@mesh` method or a `meshFn`, and pure property reads are rejected.
   */
  requireMeshDecorator?: boolean;
  /** Extra policy run on the chain and on every nested chain before anything executes; throw to refuse. */
  checkEntry?: (chain: OperationChain) => void;
  /** Per-batch cache for `__refId` aliases (rpc). Without it, alias-only markers are rejected. */
  aliasCache?: Map<string, unknown>;
}
