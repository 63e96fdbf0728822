/** Names of the routing context headers `routeDORequest` adds (spec §3.5). */
export const ROUTING_HEADERS = {
  /** Default mode: the binding name as declared on `env` (e.g. `MY_DO`). */
  bindingName: 'X-Lumenize-DO-Binding-Name',
  /** Default mode: the instance segment from the path (a name or a 64-hex id). */
  instanceNameOrId: 'X-Lumenize-DO-Instance-Name-Or-Id',
  /** Agent compatibility: the binding segment as written in the URL. */
  partykitNamespace: 'x-partykit-namespace',
  /** Agent compatibility: the instance segment. */
  partykitRoom: 'x-partykit-room',
} as const;

const ALL = Object.values(ROUTING_HEADERS);

/** Removes client-supplied copies of all four routing headers. */
export function stripRoutingHeaders(headers: Headers): void {
  for (const name of ALL) headers.delete(name);
}
