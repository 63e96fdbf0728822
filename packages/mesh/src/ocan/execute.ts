/**
 * The chain executor. One generator walks the chain and yields every value that may be a promise;
 * two drivers run it: an async one (awaits each step, so async methods work) and a synchronous one
 * (for transactions and batches: any promise fails the run).
 */
import { getEntryPointMarks } from './entry-points.ts';
import { validateOperationChain } from './validate.ts';
import { isLiteralSlot, isNestedOperationMarker, leadsToMarker, markLiteralSlots } from './marker.ts';
import type { NestedOperationMarker, OcanConfig, OperationChain } from './types.ts';
import { isResultPlaceholder } from './continuation.ts';
import { registeredSchemas } from '../validation/registry.ts';

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

/**
 * Per-execution memory, so the work is linear in the chain: each marker runs once (an aliased marker
 * reuses its value) and each container on the way to a marker is copied once.
 */
interface RunState {
  /** Made on first use: most chains carry no nested continuation. */
  values?: Map<NestedOperationMarker, unknown>;
  copies?: Map<object, unknown>;
}

function* resolveMarker(marker: NestedOperationMarker, root: object, config: OcanConfig, sync: boolean, state: RunState): Step {
  const values = (state.values ??= new Map());
  if (values.has(marker)) return values.get(marker);
  const cache = config.aliasCache;
  const id = marker.__refId;
  if (marker.__operationChain === undefined) {
    if (id !== undefined && cache?.has(id)) return cache.get(id);
    throw new Error(`Nested operation alias '${String(id)}' encountered before its definition`);
  }
  const value = yield* run(marker.__operationChain, root, config, sync, state);
  values.set(marker, value);
  if (id !== undefined && cache) cache.set(id, value);
  return value;
}

/** Whether an argument list holds a marker (or a container on the way to one) outside its literal slots. */
function needsWork(args: unknown[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if ((isNestedOperationMarker(a) || leadsToMarker(a)) && !isLiteralSlot(args, i)) return true;
  }
  return false;
}

/**
 * Substitutes nested markers in `args`. Only real markers (never marker-shaped data) are run, and only
 * the containers recorded on the way to one are walked and copied; every other argument keeps its
 * identity. Substituted results are data, whatever they hold.
 */
function* resolveArgs(args: unknown[], root: object, config: OcanConfig, sync: boolean, state: RunState): Step {
  if (!needsWork(args)) return args;
  const copies = (state.copies ??= new Map());
  function* resolve(v: unknown): Step {
    if (isNestedOperationMarker(v)) return yield* resolveMarker(v, root, config, sync, state);
    if (!leadsToMarker(v)) return v;
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
    for (const key of Object.keys(v)) Object.defineProperty(out, key, { value: yield* resolve(v[key]), writable: true, enumerable: true, configurable: true });
    return out;
  }
  const out: unknown[] = [];
  for (let i = 0; i < args.length; i++) out.push(isLiteralSlot(args, i) ? args[i] : yield* resolve(args[i]));
  return out;
}

/**
 * Reads `key` of `holder` on the way to the entry point without running any code: own and inherited
 * data properties only. An accessor (getter/setter) is refused without being invoked, and a promise is
 * not awaited, so nothing runs before the `@mesh` check.
 */
function readBeforeEntry(holder: unknown, key: string | number): unknown {
  if (holder === null || holder === undefined) throw notMeshCallable(String(key));
  let obj: object | null = typeof holder === 'object' || typeof holder === 'function' ? (holder as object) : Object(holder);
  while (obj !== null) {
    const desc = Object.getOwnPropertyDescriptor(obj, key);
    if (desc) {
      if (!('value' in desc)) throw notMeshCallable(String(key));
      return desc.value;
    }
    obj = Object.getPrototypeOf(obj);
  }
  return undefined;
}

/** Called with each top-level step's index and settled value, reads and calls alike (rpc's consumed-prefix values). */
export type OcanStepHook = (index: number, value: unknown) => void;

/** The steps before `index`, as error messages name them (`a.b.()`); built only when one is thrown. */
function pathTo(chain: OperationChain, index: number): string {
  const names: string[] = [];
  for (let i = 0; i < index; i++) {
    const op = chain[i]!;
    names.push(op.type === 'get' ? String(op.key) : '()');
  }
  return names.join('.');
}

function* run(chain: OperationChain, root: object, config: OcanConfig, sync: boolean, state: RunState, onStep?: OcanStepHook): Step {
  let entered = !(config.requireMeshDecorator ?? true);
  let current: unknown = root;
  let holder: unknown = undefined;
  let name = '(anonymous)';
  for (let index = 0; index < chain.length; index++) {
    const op = chain[index];
    if (op.type === 'get') {
      const key = op.key;
      if (!entered) {
        holder = current;
        current = readBeforeEntry(current, key);
        name = String(key);
        continue;
      }
      if (current === null || current === undefined) {
        throw new TypeError(`Cannot read '${String(key)}' of ${String(current)} at '${pathTo(chain, index)}'`);
      }
      holder = current;
      current = (current as Record<string | number, unknown>)[key];
      // A read value that is a promise is awaited; a function is not, even a thenable one (a Workers
      // RPC stub's method is callable and thenable: the next step calls it).
      if (typeof current !== 'function' && isThenable(current)) current = yield current;
      name = String(key);
      onStep?.(index, current);
      continue;
    }
    const fn = current;
    if (!entered) {
      const marks = getEntryPointMarks(fn);
      if (typeof fn !== 'function' || !marks?.mesh) throw notMeshCallable(name);
      entered = true;
      if (marks.guard) {
        if (sync && isAsyncFunction(marks.guard)) throw new SynchronousExecutionError();
        // The guard sees the object the method was read from (the instance for a top-level method).
        const guarded = (marks.guard as (instance: unknown) => unknown)(holder ?? root);
        if (isThenable(guarded)) yield guarded;
      }
    } else if (typeof fn !== 'function') {
      throw new TypeError(`'${pathTo(chain, index) || name}' is not a function`);
    }
    const args = (yield* resolveArgs(op.args, root, config, sync, state)) as unknown[];
    if (sync && isAsyncFunction(fn)) throw new SynchronousExecutionError();
    // `@mesh({ args, returns })` (docs/mesh.md#validation), inbound only: after the guard (who may call
    // comes before what they sent) and the nested arguments (the schema sees real values), before the method.
    const checked = (config.requireMeshDecorator ?? true) ? registeredSchemas(fn) : undefined;
    current = Reflect.apply(fn as (...a: unknown[]) => unknown, holder, checked ? ((yield* checked.support.checkArgs(checked.schemas, args)) as unknown[]) : args);
    holder = undefined;
    if (isThenable(current)) current = yield current;
    if (checked) current = yield* checked.support.checkReturn(checked.schemas, current);
    onStep?.(index, current);
  }
  return current;
}

function newRunState(): RunState {
  return {};
}

async function driveAsync(gen: Step): Promise<unknown> {
  let step = gen.next();
  while (!step.done) step = gen.next(await step.value);
  return step.value;
}

/** Resumes `gen` after its first pending step, awaiting each step as {@link driveAsync} does. */
async function driveAsyncFrom(gen: Step, pending: unknown): Promise<unknown> {
  let step = gen.next(await pending);
  while (!step.done) step = gen.next(await step.value);
  return step.value;
}

/**
 * Runs synchronously until a step yields a promise, then continues like {@link driveAsync}: a chain
 * that never waits returns its value (or throws) at once, without a promise per call.
 */
function driveEager(gen: Step): unknown {
  let step = gen.next();
  while (!step.done) {
    if (isThenable(step.value)) return driveAsyncFrom(gen, step.value);
    step = gen.next(step.value);
  }
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
  return driveAsync(run(chain, target, config, false, newRunState()));
}

/**
 * Like {@link executeOperationChain} but synchronous: an `async` method or guard is refused before it
 * runs, and any other step that returns a promise fails with {@link SynchronousExecutionError}. Used inside `transactionSync` and batches.
 * @example ctx.storage.transactionSync(() => executeOperationChainSync(chain, this, { requireMeshDecorator: false }))
 */
export function executeOperationChainSync(chain: OperationChain, target: object, config: OcanConfig = {}): unknown {
  validateOperationChain(chain, config);
  return driveSync(run(chain, target, config, true, newRunState()));
}

/**
 * Runs an already-validated chain (callers that validated earlier, e.g. before `onBeforeCall`);
 * `onStep` sees every top-level call's settled value, so a caller can hand back intermediate values
 * without running a prefix twice.
 */
export function runValidatedChain(chain: OperationChain, target: object, config: OcanConfig, synchronous: boolean, onStep?: OcanStepHook): unknown {
  const gen = run(chain, target, config, synchronous, newRunState(), onStep);
  return synchronous ? driveSync(gen) : driveAsync(gen);
}

/**
 * Like {@link runValidatedChain} (not synchronous): steps that return promises are awaited, but a
 * chain that never meets one returns its value, or throws, synchronously (the mesh callee's hot path).
 */
export function runValidatedChainEager(chain: OperationChain, target: object, config: OcanConfig): unknown {
  const direct = directCall(chain, target, config);
  if (direct !== INDIRECT) return direct;
  return driveEager(run(chain, target, config, false, newRunState()));
}

/** {@link directCall}'s answer for a chain it leaves to the generator. */
const INDIRECT: unique symbol = Symbol('indirect');

/** What {@link driveAsyncFrom} gives for a method's promise: its settled value, in the same turns. */
async function settledValue(pending: unknown): Promise<unknown> {
  return await pending;
}

/**
 * The usual inbound chain, `[get name, apply args]` on a `@mesh` method with no guard, no schemas
 * and no nested continuation, as one plain call instead of a generator: the same reads, checks and
 * call as {@link run}, in the same order. Anything else is left to {@link run} before anything ran
 * (the reads here run no code), so its errors are the ones {@link run} gives.
 */
function directCall(chain: OperationChain, root: object, config: OcanConfig): unknown {
  if (chain.length !== 2 || !(config.requireMeshDecorator ?? true)) return INDIRECT;
  const get = chain[0]!;
  const apply = chain[1]!;
  if (get.type !== 'get' || apply.type !== 'apply') return INDIRECT;
  const fn = readBeforeEntry(root, get.key);
  const marks = getEntryPointMarks(fn);
  if (!marks?.mesh || marks.guard) return INDIRECT;
  if (needsWork(apply.args) || registeredSchemas(fn) !== undefined) return INDIRECT;
  const value: unknown = Reflect.apply(fn as (...a: unknown[]) => unknown, root, apply.args);
  return isThenable(value) ? settledValue(value) : value;
}

/**
 * The handler chain with a result substituted: every top-level argument of the final call that is a
 * `$result` placeholder becomes `value`; with no placeholder, `value` is appended as the last argument.
 * Placeholders nested inside objects or arrays are left alone. The substituted value is data: even a
 * marker-shaped value (or a real marker) in that slot is passed as it is, never run.
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
  const slots = new Set<number>();
  const args = op.args.map((a, i) => (isResultPlaceholder(a) ? (slots.add(i), value) : a));
  if (slots.size === 0) {
    slots.add(args.length);
    args.push(value);
  }
  markLiteralSlots(args, slots);
  const out = chain.slice();
  out[last] = { type: 'apply', args };
  return out;
}
