/**
 * The compact wire, version 2 (docs/mesh-clients.md "Wire format"): one versioned codec for
 * operation chains, payloads and the client ↔ gateway frames, runtime-neutral so other transports
 * (rpc) can share it. Every decoder is linear in its input, bounded by the limits exported here,
 * and fails with {@link WireFormatError}.
 */
export { isPlainTree, MAX_PLAIN_DEPTH } from './plain.ts';
export { decodePayload, encodePayload, isIntermediateShape, TAG_CLONED, TAG_PLAIN, type WireIntermediate, type WirePayload } from './payload.ts';
export { CHAIN_ARGS_CLONED, CHAIN_LEGACY, CHAIN_PLAIN, decodeCompactChain, encodeCompactChain, isCompactChainShape, MAX_WIRE_NESTING, MAX_WIRE_STEPS, type CompactChain } from './chain.ts';
export { ClientNames, GatewayNames, MAX_NAMES, type Target } from './names.ts';
export { compactCallBody, isCallId, MAX_CALL_ID, parseCompactCall, parseCompactResponse, WIRE_PROTOCOL, WIRE_VERSION } from './frames.ts';
export { describeWireFrame } from './describe.ts';
export { WireFormatError } from './errors.ts';
