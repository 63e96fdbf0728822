/**
 * OCAN core (Operation Chaining And Nesting): runtime-neutral, no mesh transport and no `cloudflare:*`
 * imports, so browsers, Node and `@lumenize/rpc` share it through `@lumenize/mesh/client`.
 */
export type { Operation, OperationChain, NestedOperationMarker, OcanConfig, WireOperation, WireOperationChain, WireNestedOperation } from './types.ts';
export type { AnyContinuation, Continuation, ResultPlaceholder } from './continuation.ts';
export { newContinuation, getOperationChain, isContinuation, isResultPlaceholder, getRawOperationChain, RESULT_PLACEHOLDER } from './continuation.ts';
export { validateOperationChain, isNestedOperationMarker, DEFAULT_MAX_ARGS, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NESTED, DEFAULT_MAX_OPERATIONS } from './validate.ts';
export { encodeOperationChain, decodeOperationChain, chainBudget, type ChainBudget } from './chain-codec.ts';
export {
  executeOperationChain,
  executeOperationChainSync,
  replaceNestedOperationMarkers,
  runValidatedChain,
  SynchronousExecutionError,
  type OcanStepHook,
} from './execute.ts';
export { getEntryPointMarks, addEntryPointMarks, type MeshGuard, type EntryPointMarks } from './entry-points.ts';
