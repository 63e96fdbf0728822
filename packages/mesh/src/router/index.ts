/** The mesh router (re-exported by `@lumenize/mesh`). */
export { createLumenizeRouter, type LumenizeRouterOptions } from './create-lumenize-router.ts';
