/**
 * `@lumenize/mesh/client/wire-log`: import once to see every client frame decoded in the
 * `lmz.mesh.LumenizeClient.wire` debug log (long names, chains as operations, payloads as values;
 * docs/mesh-clients.md "Wire format"). Loads the full logger too, since the wire log is a `debug`
 * level namespace that only `@lumenize/debug` can enable. Left out of the client entry so that
 * browser bundles carry neither unless asked.
 * @example import '@lumenize/mesh/client/wire-log'; // then DEBUG=lmz.mesh.LumenizeClient.wire
 */
import '@lumenize/debug';
import { describeWireFrame } from '../wire/describe.ts';
import { useWireDescriber } from './wire-describer.ts';

useWireDescriber(describeWireFrame);

export { describeWireFrame };
