/**
 * The decorators with schema validation loaded: `@mesh`, `@mesh(guard)`, `@mesh.guard(guard)`,
 * `@mesh({ args, returns, guard })`, `meshFn`, `@result`, `@local` (decorators-core.ts). The server
 * entry exports these; `@lumenize/mesh/client` exports the core ones. See docs/mesh.md#security.
 */
import { useSchemaSupport } from './decorators-core.ts';
import { schemaSupport } from './validation/method-schemas.ts';

useSchemaSupport(schemaSupport);

export { mesh, meshFn, result, local, type MethodOf, type MeshMethodDecorator, type MeshOptions, type ValidatedMethodDecorator } from './decorators-core.ts';
