/** The one error of the compact wire's decoders. */

/**
 * A frame, chain or payload of the compact wire (docs/mesh-clients.md "Wire format") that is not
 * well-formed or passes a limit. `code` names the kind: `MALFORMED`, `LIMIT`, `UNKNOWN_NAME`.
 * @example try { decodePayload(p, postprocess) } catch (e) { if (e instanceof WireFormatError) ... }
 */
export class WireFormatError extends TypeError {
  override readonly name = 'WireFormatError';
  readonly code: 'MALFORMED' | 'LIMIT' | 'UNKNOWN_NAME';
  constructor(message: string, code: 'MALFORMED' | 'LIMIT' | 'UNKNOWN_NAME' = 'MALFORMED') {
    super(message);
    this.code = code;
  }
}
