/**
 * Operation-chain types shared by every OCAN user (mesh, rpc, browsers). Plain data only, so a chain
 * can be serialized, stored and executed later. See docs/mesh.md#ocan.
 */

/** One recorded step: a property read or a call of the current value. */
export type Operation = { type: 'get'; key: string | number } | { type: 'apply'; args: unknown[] };

/** The steps recorded by a continuation, executed left to right against a target. */
export type OperationChain = Operation[];

/**
 * How a continuation passed as an argument appears inside a chain: it runs first (against the same
 * target) and its value is substituted. Mesh always sends `__operationChain`; `__refId` exists for
 * rpc's per-batch aliasing (the first occurrence carries the chain, later ones only the id).
 */
export interface NestedOperationMarker {
  __isNestedOperation: true;
  __operationChain?: OperationChain;
  __refId?: string;
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
