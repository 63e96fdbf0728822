/**
 * The chain executor. One generator walks the chain and yields every value that may be a promise;
 * two drivers run it: an async one (awaits each step, so async methods work) and a synchronous one
 * (for transactions and batches: any promise fails the run).
 */
import { getEntryPointMarks } from './entry-points.ts';
import { forEachMarker, isNestedOperationMarker, isPlainData, validateOperationChain } from './validate.ts';
import type { NestedOperationMarker, OcanConfig, OperationChain } from './types.ts';
import { isResultPlaceholder } from './continuation.ts';

/** Thrown when synchronous execution meets a promise (a transactional or batched handler went async). */
export class SynchronousExecutionError extends Error {
  constructor() {
    super('Transactional execution must be synchronous: a handler, guard or onBeforeCall returned a promise');
    this.name = 'SynchronousExecutionError';
  }
}

type Step = Generator<unknown, unknown, unknown>;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor;

/** True for `async` functions: refused before they run in synchronous mode, so they write nothing. */
export function isAsyncFunction(fn: unknown): boolean {
  return fn instanceof AsyncFunction || fn instanceof AsyncGeneratorFunction;
}

function notMeshCallable(name: string): TypeError {
  return new TypeError(`Method '${name}' is not mesh-callable`);
}

function* resolveMarker(marker: NestedOperationMarker, root: object, config: OcanConfig, sync: boolean): Step {
  const cache = config.aliasCache;
  const id = marker.__refId;
  if (marker.__operationChain === undefined) {
    if (id !== undefined && cache?.has(id)) return cache.get(id);
    throw new Error(`Nested operation alias '${String(id)}' encountered before its definition`);
  }
  const value = yield* run(marker.__operationChain, root, config, sync);
  if (id !== undefined && cache) cache.set(id, value);
  return value;
}

/** Substitutes nested markers in `args`; arguments without markers keep their identity. */
function* resolveArgs(args: unknown[], root: object, config: OcanConfig, sync: boolean): Step {
  let hasMarker = false;
  forEachMarker(args, () => (hasMarker = true));
  if (!hasMarker) return args;
  const copies = new Map<object, unknown>();
  function* resolve(v: unknown): Step {
    if (isNestedOperationMarker(v)) return yield* resolveMarker(v, root, config, sync);
    if (!isPlainData(v)) return v;
    const done = copies.get(v);
    if (done) return done;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      copies.set(v, out);
      for (const item of v) out.push(yield* resolve(item));
      return out;
    }
    const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
    copies.set(v, out);
    for (const key of Object.keys(v)) out[key] = yield* resolve(v[key]);
    return out;
  }
  const out: unknown[] = [];
  for (const arg of args) out.push(yield* resolve(arg));
  return out;
}

function* run(chain: OperationChain, root: object, config: OcanConfig, sync: boolean): Step {
  let entered = !(config.requireMeshDecorator ?? true);
  let current: unknown = root;
  let holder: unknown = undefined;
  let name = '(anonymous)';
  const path: string[] = [];
  for (const op of chain) {
    if (op.type === 'get') {
      const key = op.key;
      if (current === null || current === undefined) {
        if (!entered) throw notMeshCallable(String(key));
        throw new TypeError(`Cannot read '${String(key)}' of ${String(current)} at '${path.join('.')}'`);
      }
      holder = current;
      current = (current as Record<string | number, unknown>)[key];
      if (isThenable(current)) current = yield current;
      name = String(key);
      path.push(name);
      continue;
    }
    const fn = current;
    if (!entered) {
      const marks = getEntryPointMarks(fn);
      if (typeof fn !== 'function' || !marks?.mesh) throw notMeshCallable(name);
      entered = true;
      if (marks.guard) {
        if (sync && isAsyncFunction(marks.guard)) throw new SynchronousExecutionError();
        const guarded = (marks.guard as (instance: object) => unknown)(root);
        if (isThenable(guarded)) yield guarded;
      }
    } else if (typeof fn !== 'function') {
      throw new TypeError(`'${path.join('.') || name}' is not a function`);
    }
    const args = (yield* resolveArgs(op.args, root, config, sync)) as unknown[];
    if (sync && isAsyncFunction(fn)) throw new SynchronousExecutionError();
    current = Reflect.apply(fn as (...a: unknown[]) => unknown, holder, args);
    holder = undefined;
    path.push('()');
    if (isThenable(current)) current = yield current;
  }
  return current;
}

async function driveAsync(gen: Step): Promise<unknown> {
  let step = gen.next();
  while (!step.done) step = gen.next(await step.value);
  return step.value;
}

function driveSync(gen: Step): unknown {
  let step = gen.next();
  while (!step.done) {
    const pending = step.value;
    if (isThenable(pending)) {
      // The promise already started; observe it so its failure is not an unhandled rejection.
      Promise.resolve(pending).catch(() => {});
      throw new SynchronousExecutionError();
    }
    step = gen.next(pending);
  }
  const result = step.value;
  if (isThenable(result)) {
    Promise.resolve(result).catch(() => {});
    throw new SynchronousExecutionError();
  }
  return result;
}

/**
 * Validates `chain` and runs it against `target`, left to right: `get` reads a property, `apply`
 * calls the current value with `this` bound to the object it was read from. Each step's promise is
 * awaited. Nested markers in arguments run first, as entry points of their own.
 * @example await executeOperationChain(getOperationChain(c)!, myObject, { requireMeshDecorator: false })
 */
export async function executeOperationChain(chain: OperationChain, target: object, config: OcanConfig = {}): Promise<unknown> {
  validateOperationChain(chain, config);
  return driveAsync(run(chain, target, config, false));
}

/**
 * Like {@link executeOperationChain} but synchronous: an `async` method or guard is refused before it
 * runs, and any other step that returns a promise fails with {@link SynchronousExecutionError}. Used inside `transactionSync` and batches.
 * @example ctx.storage.transactionSync(() => executeOperationChainSync(chain, this, { requireMeshDecorator: false }))
 */
export function executeOperationChainSync(chain: OperationChain, target: object, config: OcanConfig = {}): unknown {
  validateOperationChain(chain, config);
  return driveSync(run(chain, target, config, true));
}

/** Runs an already-validated chain (callers that validated earlier, e.g. before `onBeforeCall`). */
export function runValidatedChain(chain: OperationChain, target: object, config: OcanConfig, synchronous: boolean): unknown {
  const gen = run(chain, target, config, synchronous);
  return synchronous ? driveSync(gen) : driveAsync(gen);
}

/**
 * The handler chain with a result substituted: every top-level argument of the final call that is a
 * `$result` placeholder becomes `value`; with no placeholder, `value` is appended as the last argument.
 * Placeholders nested inside objects or arrays are left alone.
 * @example executeOperationChain(replaceNestedOperationMarkers(handlerChain, 42), this, local)
 */
export function replaceNestedOperationMarkers(chain: OperationChain, value: unknown): OperationChain {
  let last = -1;
  for (let i = chain.length - 1; i >= 0; i--) {
    if (chain[i].type === 'apply') {
      last = i;
      break;
    }
  }
  if (last < 0) throw new TypeError('Invalid handler: the continuation must end in a method call, e.g. this.ctn().onResult()');
  const op = chain[last] as { type: 'apply'; args: unknown[] };
  const hasPlaceholder = op.args.some(isResultPlaceholder);
  const args = hasPlaceholder ? op.args.map((a) => (isResultPlaceholder(a) ? value : a)) : [...op.args, value];
  const out = chain.slice();
  out[last] = { type: 'apply', args };
  return out;
}
