/** The gateway DO bridging LumenizeClients into the mesh (re-exported by `@lumenize/mesh`). */
export { LumenizeClientGateway } from './lumenize-client-gateway.ts';
