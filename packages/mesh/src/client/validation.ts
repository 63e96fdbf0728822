/**
 * `@lumenize/mesh/client/validation`: import once to use `@mesh({ args, returns })` and
 * `meshFn(fn, { args })` on a LumenizeClient. Left out of the client entry so that browser bundles
 * whose classes declare no schemas carry no validation code. Guide: docs/mesh.md#validation.
 * @example import '@lumenize/mesh/client/validation';
 */
import { useSchemaSupport } from '../decorators-core.ts';
import { schemaSupport } from '../validation/method-schemas.ts';

useSchemaSupport(schemaSupport);

export * from '../validation/index.ts';
