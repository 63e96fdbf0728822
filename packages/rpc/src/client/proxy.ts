/**
 * The client proxy (spec §3.1): property reads extend the chain, calls queue it, `then` on a chain
 * ending in a read queues that read. Proxies are immutable, so a partial chain can be reused.
 */
import type { ChainNode } from './chain.ts';
import { childNode } from './chain.ts';
import type { ClientCore } from './core.ts';

const nodes = new WeakMap<object, { node: ChainNode; core: ClientCore }>();

/** The node behind a client proxy, if `value` is one. */
export function proxyNode(value: unknown): { node: ChainNode; core: ClientCore } | undefined {
  return typeof value === 'function' ? nodes.get(value) : undefined;
}

const PROMISE_KEYS = new Set(['then', 'catch', 'finally']);

export function createProxy(core: ClientCore, node: ChainNode): unknown {
  const target = function rpcProxy() {};
  const proxy: object = new Proxy(target, {
    get(_t, key) {
      const isRoot = node.parent === null;
      if (typeof key === 'symbol') {
        if (isRoot && (key === Symbol.dispose || key === Symbol.asyncDispose)) return () => core.dispose();
        return undefined;
      }
      if (isRoot) {
        if (key === 'transportInstance') return core.transport;
        if (key === '__asObject') return () => core.inspect();
        if (key === 'then') return undefined;
      }
      if (PROMISE_KEYS.has(key)) {
        const last = node.op;
        if (node.call) return core.observe(node.call, key as 'then');
        if (key === 'then' && last?.type === 'get') return core.observe(core.queue(node), 'then');
      }
      return createProxy(core, childNode(node, { type: 'get', key }));
    },
    apply(_t, _this, args: unknown[]) {
      const child = childNode(node, { type: 'apply', args: [...args] });
      core.queue(child);
      return createProxy(core, child);
    },
  });
  nodes.set(proxy, { node, core });
  return proxy;
}
