/**
 * The one-time warning for `routeDORequest` without a `bindings` allow-list: such a router reaches
 * every DO binding on `env`. It logs at `error` level because that level is never filtered: an open
 * router is a configuration mistake that must be seen even with `DEBUG` unset.
 */
import { debug } from '@lumenize/debug';

const log = debug('lmz.utils.routeDORequest');
// Once per env object (routing already caches per env; a Worker's env is one object per isolate).
const warned = new WeakSet<object>();

export function warnOpenRouting(env: object): void {
  if (warned.has(env)) return;
  warned.add(env);
  log.error('routeDORequest has no bindings allow-list: every Durable Object binding on env is reachable by URL', {
    fix: "pass options.bindings, e.g. routeDORequest(request, env, { bindings: ['MY_DO'] })",
  });
}
