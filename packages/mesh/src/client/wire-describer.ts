/**
 * The seam between the client's wire log (`lmz.mesh.LumenizeClient.wire`) and the documented
 * frame decoder (wire/describe.ts): the decoder, with the chain and payload decoders it needs,
 * ships only once `@lumenize/mesh/client/wire-log` is imported. Without it an enabled wire log
 * records each frame's text as it is (compact JSON, still readable).
 */

let describer: ((text: string) => unknown) | undefined;

/** Called by `@lumenize/mesh/client/wire-log` when it loads. */
export function useWireDescriber(describe: (text: string) => unknown): void {
  describer = describe;
}

/** What the wire log records for one frame: the decoded frame, or `{ text }` without the decoder. */
export function wireLogData(text: string): unknown {
  return describer ? describer(text) : { text };
}
