/**
 * NADIS ("Not A DI System", spec §7.1): a process-global registry of service factories;
 * `this.svc.<name>` builds a service on first access and caches it per DO instance.
 */
import { debug } from '@lumenize/debug';

declare global {
  /** Services reachable as `this.svc.<name>`; plugins add members by declaration merging. */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface LumenizeServices {}
}
type Services = LumenizeServices;
export type { Services as LumenizeServices };

/** Builds a service for one DO instance: a class (constructed with `new`) or a plain function. */
export type ServiceFactory<T> = (new (doInstance: object) => T) | ((doInstance: object) => T);

const log = debug('lmz.mesh.NadisPlugin');
const BUILT_INS = new Set(['sql', 'alarms', 'fanout']);
const REGISTRY_KEY = Symbol.for('lumenize.mesh.nadis.registry');
type Registry = Map<string, ServiceFactory<unknown>>;

function registry(): Registry {
  const g = globalThis as { [REGISTRY_KEY]?: Registry };
  return (g[REGISTRY_KEY] ??= new Map());
}

function isPluginClass(factory: ServiceFactory<unknown>): factory is new (doInstance: object) => unknown {
  return typeof factory === 'function' && factory.prototype instanceof NadisPlugin;
}

/** Registers a built-in service (package-internal). */
export function registerBuiltInService<T>(name: string, factory: ServiceFactory<T>): void {
  registry().set(name, factory as ServiceFactory<unknown>);
}

const servicesByInstance = new WeakMap<object, Services>();

/**
 * The `svc` proxy of a DO instance (shared by LumenizeDO and standalone plugins).
 * @example const { sql } = getServices(this);
 */
export function getServices(doInstance: object): Services {
  let services = servicesByInstance.get(doInstance);
  if (services) return services;
  const built = new Map<string, unknown>();
  services = new Proxy({} as Services, {
    get(_t, name) {
      // 'then': `svc` must not look like a thenable, or every `await`/continuation rooted at it breaks.
      if (typeof name !== 'string' || name === 'then') return undefined;
      if (built.has(name)) return built.get(name);
      const factory = registry().get(name);
      if (!factory) {
        const hint = `${'import'} '@lumenize/${name}';`;
        const error = new Error(`Service '${name}' not found. Did you import the NADIS package? Example: ${hint}`);
        log.error('unknown service', { service: name });
        throw error;
      }
      const service = isPluginClass(factory) ? new factory(doInstance) : (factory as (d: object) => unknown)(doInstance);
      built.set(name, service);
      return service;
    },
    set() {
      throw new TypeError('this.svc is read-only; register services with NadisPlugin.register(name, factory)');
    },
  });
  servicesByInstance.set(doInstance, services);
  return services;
}

/**
 * Base class for NADIS plugins: gives `doInstance`, `ctx` and `svc`. Validate dependencies in the
 * constructor (touch `this.svc.<dep>`) so a missing one fails at first access. Works standalone:
 * `new MyPlugin(doInstance)`.
 * @example class Counter extends NadisPlugin { n = 0; next() { return ++this.n; } }
 *          NadisPlugin.register('counter', Counter);
 */
export class NadisPlugin {
  protected readonly doInstance: object;
  protected readonly ctx: DurableObjectState;
  protected readonly svc: Services;

  constructor(doInstance: object) {
    const ctx = (doInstance as { ctx?: DurableObjectState } | null)?.ctx;
    if (!ctx || typeof ctx !== 'object') throw new TypeError(`${new.target.name} requires a Durable Object instance (with ctx)`);
    this.doInstance = doInstance;
    this.ctx = ctx;
    this.svc = getServices(doInstance);
  }

  /**
   * Registers (or replaces) a service factory under `name`. Built-in names (`sql`, `alarms`,
   * `fanout`) cannot be overridden.
   * @example NadisPlugin.register('counter', Counter);
   */
  static register<T>(name: string, factory: ServiceFactory<T>): void {
    if (typeof name !== 'string' || name === '') throw new TypeError('NadisPlugin.register(name, factory): name must be a non-empty string');
    if (typeof factory !== 'function') throw new TypeError(`NadisPlugin.register('${name}', factory): factory must be a class or a function`);
    if (BUILT_INS.has(name)) throw new Error(`NadisPlugin.register: '${name}' is a built-in service and cannot be overridden`);
    registry().set(name, factory as ServiceFactory<unknown>);
  }
}

// The `fanout` built-in lives in src/fanout/ (a plain factory, so it imports nothing from here).
import { createFanout } from '../fanout/service.ts';
registerBuiltInService('fanout', createFanout);
