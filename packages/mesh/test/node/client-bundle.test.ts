/**
 * What the browser bundle of "a client that calls and is called" holds (issue 18 item 3), built
 * with bench/bundle's esbuild settings: the pub/sub client, the schema compiler and the full
 * logger are left out unless the application imports them, and the validation error classes
 * unless it uses one (received ones revive through stand-ins). Module presence is read from
 * esbuild's metafile; sizes are measured in bench/bundle, never asserted here.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_SETTINGS } from '../../../../tools/bundle-settings.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..', '..');

/** The repository-relative source files the bundle of `source` is built from (bytes > 0 only). */
async function bundledModules(source: string): Promise<string[]> {
  const result = await build({
    ...BUNDLE_SETTINGS,
    stdin: { contents: source, resolveDir: here, sourcefile: 'entry.ts', loader: 'ts' },
    absWorkingDir: repoRoot,
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  return Object.entries(output.inputs)
    .filter(([, info]) => info.bytesInOutput > 0)
    .map(([input]) => input);
}

/** The minified text of the bundle of `source`. */
async function bundledCode(source: string): Promise<string> {
  const result = await build({
    ...BUNDLE_SETTINGS,
    stdin: { contents: source, resolveDir: here, sourcefile: 'entry.ts', loader: 'ts' },
    absWorkingDir: repoRoot,
  });
  return result.outputFiles[0]!.text;
}

const CALLS_AND_IS_CALLED = "export { LumenizeClient, mesh } from '@lumenize/mesh/client';";

const PUBSUB_CLIENT = 'packages/mesh/src/pubsub/client-subscriptions.ts';
const SCHEMA_CODE = ['packages/mesh/src/validation/compile.ts', 'packages/mesh/src/validation/method-schemas.ts', 'packages/mesh/src/validation/json-schema.ts', 'packages/mesh/src/validation/depth.ts'];
const FULL_LOGGER = ['packages/debug/src/debug.ts', 'packages/debug/src/filter.ts', 'packages/debug/src/render.ts', 'packages/debug/src/config.ts', 'packages/debug/src/sink.ts'];
const SYNC_CODECS = ['packages/structured-clone/src/request-sync.ts', 'packages/structured-clone/src/response-sync.ts', 'packages/structured-clone/src/fetch-sync-shared.ts'];
const WIRE_DESCRIBER = 'packages/mesh/src/wire/describe.ts';
/** The validation error classes; a client that only receives them carries their stand-ins (error-shells.ts). */
const VALIDATION_ERROR_CLASSES = 'packages/mesh/src/validation/error-classes.ts';
const VALIDATION_ERROR_SHELLS = 'packages/mesh/src/validation/error-shells.ts';
/** The opt-in wire log, by path (its package subpath `@lumenize/mesh/client/wire-log` points here). */
const WIRE_LOG_ENTRY = join(repoRoot, 'packages/mesh/src/client/wire-log.ts');

describe('the "calls and is called" client bundle', () => {
  it('holds the client, the OCAN executor and the codec, and none of pub/sub, schema code, the full logger, RequestSync/ResponseSync or the gateway', async () => {
    const modules = await bundledModules(CALLS_AND_IS_CALLED);
    expect(modules).toEqual(expect.arrayContaining(['packages/mesh/src/client/lumenize-client.ts', 'packages/mesh/src/ocan/execute.ts', 'packages/structured-clone/src/decode.ts', 'packages/debug/src/lite.ts']));
    const leftOut = [PUBSUB_CLIENT, 'packages/mesh/src/pubsub/protocol.ts', ...SCHEMA_CODE, ...FULL_LOGGER, ...SYNC_CODECS, WIRE_DESCRIBER, VALIDATION_ERROR_CLASSES];
    expect(modules.filter((m) => leftOut.includes(m))).toEqual([]);
    // Of the gateway only its errors' registering modules and stand-ins; the classes stay out until used.
    expect(modules.filter((m) => m.startsWith('packages/mesh/src/gateway/') && !/gateway\/(outbox-errors|invalid-peer-result-error|error-shells)\.ts$/.test(m))).toEqual([]);
  });

  it('carries stand-ins for the validation and gateway errors, and a class itself only when the application uses it', async () => {
    expect(await bundledModules(CALLS_AND_IS_CALLED)).toContain(VALIDATION_ERROR_SHELLS);
    const code = await bundledCode(CALLS_AND_IS_CALLED);
    // The four constructors' messages.
    for (const text of ['Invalid argument ', 'Invalid return value of', 'is a JSON Schema, but', 'validates asynchronously']) expect(code).not.toContain(text);
    // The gateway's error classes the same way (their stand-ins: src/gateway/error-shells.ts).
    expect(await bundledModules(CALLS_AND_IS_CALLED)).toContain('packages/mesh/src/gateway/error-shells.ts');
    for (const text of ['is unknown: the gateway restarted', 'unacknowledged frames']) expect(code).not.toContain(text);
    const withClass = `${CALLS_AND_IS_CALLED}\nexport { ArgumentValidationError } from '@lumenize/mesh/client';`;
    expect(await bundledModules(withClass)).toContain(VALIDATION_ERROR_CLASSES);
    expect(await bundledCode(withClass)).toContain('Invalid argument ');
    const withGatewayClass = `${CALLS_AND_IS_CALLED}\nexport { CallOutcomeUnknownError } from '@lumenize/mesh/client';`;
    expect(await bundledCode(withGatewayClass)).toContain('is unknown: the gateway restarted');
  });

  it('gains the pub/sub client with @lumenize/mesh/client/pubsub', async () => {
    const modules = await bundledModules(`${CALLS_AND_IS_CALLED}\nimport '@lumenize/mesh/client/pubsub';`);
    expect(modules).toContain(PUBSUB_CLIENT);
    expect(modules.filter((m) => SCHEMA_CODE.includes(m))).toEqual([]);
  });

  it('gains the schema code with @lumenize/mesh/client/validation', async () => {
    const modules = await bundledModules(`${CALLS_AND_IS_CALLED}\nimport '@lumenize/mesh/client/validation';`);
    expect(modules).toEqual(expect.arrayContaining(SCHEMA_CODE.slice(0, 2)));
    expect(modules).not.toContain(PUBSUB_CLIENT);
  });

  it('gains the full logger when the application imports @lumenize/debug', async () => {
    const modules = await bundledModules(`${CALLS_AND_IS_CALLED}\nexport { debug } from '@lumenize/debug';`);
    expect(modules).toEqual(expect.arrayContaining(FULL_LOGGER));
    // The wire log's frame decoder stays out: it comes with the wire-log import only.
    expect(modules).not.toContain(WIRE_DESCRIBER);
  });

  it('leaves out the compact chain decoder (only the wire log reads compact chains on a client)', async () => {
    const code = await bundledCode(CALLS_AND_IS_CALLED);
    expect(code).not.toContain('Invalid compact chain');
    expect(code).toContain('Invalid operation chain'); // the version-1 decoder incoming calls use
  });

  it('gains the frame decoder and the full logger with the wire-log import', async () => {
    const modules = await bundledModules(`${CALLS_AND_IS_CALLED}\nimport ${JSON.stringify(WIRE_LOG_ENTRY)};`);
    expect(modules).toEqual(expect.arrayContaining([WIRE_DESCRIBER, 'packages/mesh/src/client/wire-log.ts', ...FULL_LOGGER]));
    expect(await bundledCode(`${CALLS_AND_IS_CALLED}\nimport ${JSON.stringify(WIRE_LOG_ENTRY)};`)).toContain('Invalid compact chain');
  });
});
