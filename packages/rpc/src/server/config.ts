/** `RpcConfig` with defaults applied once per call site. */
import type { RpcConfig } from '../types.ts';
import { DEFAULT_MAX_ARGS, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_DEPTH, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_PREFIX, prefixType } from '../limits.ts';

export interface ResolvedConfig extends Required<Pick<RpcConfig, 'maxDepth' | 'maxArgs' | 'maxBatchSize' | 'maxRequestBytes' | 'access' | 'transactional'>> {
  prefix: string;
  type: string;
  /** Sockets use the hibernation API (default) rather than `accept()`. */
  hibernate: boolean;
  raw: RpcConfig;
}

const cache = new WeakMap<RpcConfig, ResolvedConfig>();
const EMPTY: RpcConfig = {};

export function resolveConfig(config: RpcConfig = EMPTY): ResolvedConfig {
  const hit = cache.get(config);
  if (hit) return hit;
  const type = prefixType(config.prefix ?? DEFAULT_PREFIX);
  const resolved: ResolvedConfig = {
    prefix: `/${type}`,
    type,
    maxDepth: config.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxArgs: config.maxArgs ?? DEFAULT_MAX_ARGS,
    maxBatchSize: config.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    maxRequestBytes: config.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    access: config.access ?? 'methods',
    transactional: config.transactional ?? false,
    hibernate: config.webSocket?.hibernate ?? true,
    raw: config,
  };
  cache.set(config, resolved);
  return resolved;
}
