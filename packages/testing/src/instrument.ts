/**
 * `instrumentDOProject`: turns a project's source module into a test Worker whose DOs are
 * RPC-enabled with full access (spec §2.4, §3.2). Test entry points only: full access reaches
 * every DO's storage, env and methods; set `guardToken` for anything reachable over a network.
 */
import { debug } from '@lumenize/debug';
import { readCappedBody, routeDORequest } from '@lumenize/utils';
import { DEFAULT_MAX_REQUEST_BYTES } from '@lumenize/rpc';
import { withAlarmSimulation, type AlarmSimulationConfig } from './alarm-simulation.ts';
import { InstrumentationError } from './errors.ts';
import { withFieldWrites } from './field-writes.ts';
import { withRpcHandlers } from './rpc-handlers.ts';
import { assertGuardToken, checkGuard } from './guard.ts';
import { withVirtualAlarms, type DOClass } from './virtual-alarms.ts';

/** Options of {@link instrumentDOProject} (the config form). */
export interface InstrumentDOProjectConfig {
  /** The project's module (`import * as src from '../src'`). */
  sourceModule: object;
  /** DO classes to wrap; default: the single class export. */
  doClassNames?: string[];
  /** RPC path prefix (default `'__rpc'`); must match `createTestingClient`'s `prefix`. */
  prefix?: string;
  /** Deprecated timer-driven alarm simulation (default off). */
  simulateAlarms?: boolean | AlarmSimulationConfig;
  /** Virtual alarms for time travel with `runNextAlarm`/`advanceClock` (default off). */
  virtualAlarms?: boolean;
  /** When set, RPC routes require this token (spec §5). Mandatory for any deployed test Worker. */
  guardToken?: string;
}

type Handler = ExportedHandler<Record<string, unknown>>;

/** The harness: a Worker handler plus the wrapped DO classes. */
export interface InstrumentedDOProject extends Handler {
  /** The same handler, for `export default harness.worker`. */
  worker: Handler;
  /** Wrapped DO classes by export name. */
  dos: Record<string, DOClass>;
  /** Each wrapped DO class is also a direct property (wrangler finds classes on the default export). */
  [doClassName: string]: unknown;
}

const COPIED_HANDLERS = ['scheduled', 'queue', 'email', 'tail', 'trace', 'test'] as const;
const log = debug('lmz.testing.instrumentDOProject');

function isConfig(x: object): x is InstrumentDOProjectConfig {
  return 'sourceModule' in x && (x as { sourceModule?: unknown }).sourceModule !== undefined;
}

function exportNames(module: Record<string, unknown>): string {
  const names = Object.keys(module);
  return names.length ? names.join(', ') : '(none)';
}

function pickClasses(module: Record<string, unknown>, doClassNames: string[] | undefined): string[] {
  if (doClassNames && doClassNames.length) {
    for (const name of doClassNames) {
      const value = module[name];
      if (name === 'default' || typeof value !== 'function' || !(value as { prototype?: unknown }).prototype) {
        throw new InstrumentationError('CLASS_NOT_FOUND', `DO class '${name}' not found in source module. Available exports: ${exportNames(module)}`);
      }
    }
    return doClassNames;
  }
  const candidates = Object.keys(module).filter((k) => k !== 'default' && typeof module[k] === 'function' && !!(module[k] as { prototype?: unknown }).prototype);
  if (candidates.length === 0) throw new InstrumentationError('NO_CLASS_EXPORTS', `No class exports found in sourceModule. Available exports: ${exportNames(module)}`);
  if (candidates.length > 1) {
    throw new InstrumentationError(
      'MULTIPLE_CLASS_EXPORTS',
      `Found multiple class exports: ${candidates.join(', ')}. Name the Durable Object classes to instrument, e.g.\n` +
        `  instrumentDOProject({ sourceModule, doClassNames: [${candidates.map((c) => `'${c}'`).join(', ')}] })\n` +
        `(leave out non-DO classes such as WorkerEntrypoints and re-export them unchanged).`,
    );
  }
  return candidates;
}

/** DO namespace bindings on `env` (the router's allow-list: the harness reaches every DO by design). */
const bindingCache = new WeakMap<object, string[]>();
function doBindings(env: Record<string, unknown>): string[] {
  let names = bindingCache.get(env);
  if (!names) {
    names = Object.keys(env).filter((k) => {
      const v = env[k] as { idFromName?: unknown; getByName?: unknown } | null;
      return typeof v === 'object' && v !== null && typeof v.idFromName === 'function';
    });
    bindingCache.set(env, names);
  }
  return names;
}

function onPrefix(url: URL, prefix: string): boolean {
  const p = `/${prefix.replace(/^\/+|\/+$/g, '')}`;
  return url.pathname === p || url.pathname.startsWith(`${p}/`);
}

/**
 * Wraps the project's DO classes with `@lumenize/rpc`'s RPC, `access: 'full'` (plus `__set` for field
 * writes and the chosen alarm mode) and returns a Worker
 * that answers RPC routes first, then delegates to the project's default export (else 404).
 * @example const harness = instrumentDOProject(src); export const { MyDO } = harness.dos; export default harness;
 */
export function instrumentDOProject(sourceModuleOrConfig: object | InstrumentDOProjectConfig): InstrumentedDOProject {
  if (typeof sourceModuleOrConfig !== 'object' || sourceModuleOrConfig === null) {
    throw new InstrumentationError('BAD_CONFIG', 'instrumentDOProject() expects the source module (import * as src) or { sourceModule, doClassNames?, prefix?, … }');
  }
  const config: InstrumentDOProjectConfig = isConfig(sourceModuleOrConfig) ? sourceModuleOrConfig : { sourceModule: sourceModuleOrConfig };
  const module = config.sourceModule as Record<string, unknown>;
  const prefix = config.prefix ?? '__rpc';
  if (typeof prefix !== 'string' || !prefix.replace(/\//g, '')) throw new InstrumentationError('BAD_CONFIG', `instrumentDOProject: prefix must be a non-empty path segment, got '${String(prefix)}'`);
  if (config.simulateAlarms && config.virtualAlarms) throw new InstrumentationError('BAD_CONFIG', 'instrumentDOProject: choose simulateAlarms or virtualAlarms, not both');
  if (config.guardToken !== undefined) assertGuardToken(config.guardToken, 'instrumentDOProject');
  const names = pickClasses(module, config.doClassNames);

  // Built completely before anything is returned: a bad name throws before any export exists.
  const dos: Record<string, DOClass> = {};
  for (const name of names) {
    let cls = module[name] as DOClass;
    if (config.virtualAlarms) cls = withVirtualAlarms(cls);
    else if (config.simulateAlarms) cls = withAlarmSimulation(cls, config.simulateAlarms === true ? {} : config.simulateAlarms);
    // lumenizeRpcDO's RPC (full access), installed per instance so classes that install their own
    // handlers (Agents) keep them behind RPC (rpc-handlers.ts).
    dos[name] = withRpcHandlers(withFieldWrites(cls), { access: 'full', prefix });
  }
  const original = module.default as Handler | undefined;
  const guardToken = config.guardToken;

  const handler: Handler = {
    async fetch(request, env, ctx) {
      const url = new URL(request.url);
      let forwarded: Request = request;
      if (onPrefix(url, prefix) && guardToken !== undefined) {
        const checked = checkGuard(request, guardToken);
        if (checked instanceof Response) return checked;
        forwarded = checked;
      }
      if (onPrefix(url, prefix) && forwarded.body) {
        // RPC batches are small; buffered here, a DO that answers without reading the body (a
        // wrong prefix, its own 404) leaves no half-sent stream behind.
        const body = await readCappedBody(forwarded, DEFAULT_MAX_REQUEST_BYTES);
        if (body === undefined) return new Response(`Request body larger than ${DEFAULT_MAX_REQUEST_BYTES} bytes`, { status: 413 });
        forwarded = new Request(forwarded, { body });
      }
      let routed: Response | undefined;
      try {
        routed = await routeDORequest(forwarded, env, { prefix, bindings: doBindings(env) });
      } catch (error) {
        // Routing errors (MissingInstanceNameError, InvalidInstanceIdError, …) carry their status.
        const status = (error as { httpErrorCode?: unknown }).httpErrorCode;
        if (typeof status !== 'number') throw error;
        return new Response(`${(error as Error).name}: ${(error as Error).message}`, { status });
      }
      if (routed) return routed;
      if (typeof original?.fetch === 'function') return original.fetch.call(original, request as never, env, ctx);
      return new Response('Not found', { status: 404 });
    },
  };
  for (const key of COPIED_HANDLERS) {
    const fn = (original as Record<string, unknown> | undefined)?.[key];
    if (typeof fn === 'function') (handler as Record<string, unknown>)[key] = fn.bind(original);
  }
  log.info('instrumented', { classes: names, prefix, guarded: guardToken !== undefined, alarms: config.virtualAlarms ? 'virtual' : config.simulateAlarms ? 'simulated' : 'native' });
  const result = { ...handler, ...dos, dos } as InstrumentedDOProject;
  result.worker = handler;
  return result;
}
