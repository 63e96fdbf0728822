/** The gateway's debug loggers, one per job (literal namespaces: scripts check them). */
import type { DebugLogger } from '@lumenize/debug';

/** Builds them from the instance's `debug(this)` factory. */
export function gatewayLogs(log: (namespace: string) => DebugLogger) {
  return {
    fetch: log('lmz.mesh.LumenizeClientGateway.fetch'),
    webSocketMessage: log('lmz.mesh.LumenizeClientGateway.webSocketMessage'),
    webSocketClose: log('lmz.mesh.LumenizeClientGateway.webSocketClose'),
    webSocketError: log('lmz.mesh.LumenizeClientGateway.webSocketError'),
    alarm: log('lmz.mesh.LumenizeClientGateway.alarm'),
    __executeOperation: log('lmz.mesh.LumenizeClientGateway.__executeOperation'),
    rateLimit: log('lmz.mesh.LumenizeClientGateway.rateLimit'),
    callResponse: log('lmz.mesh.LumenizeClientGateway.callResponse'),
    /** Every client frame, decoded (docs/mesh-clients.md "Wire format"). */
    wire: log('lmz.mesh.LumenizeClientGateway.wire'),
  };
}
