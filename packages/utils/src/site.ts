/**
 * "Site" for SameSite decisions. Approximation (documented): the last two host labels, or the
 * exact host for IP addresses and `localhost`; the scheme is ignored. It does not consult the
 * Public Suffix List, so `a.co.uk` and `b.co.uk` count as the same site.
 */
export function siteOf(hostname: string): string {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || /^[\d.]+$/.test(host) || host.includes(':')) return host;
  return host.split('.').slice(-2).join('.');
}

/** True when both URLs (or origins) belong to the same site per {@link siteOf}. */
export function isSameSite(a: string | URL, b: string | URL): boolean {
  return siteOf(new URL(a).hostname) === siteOf(new URL(b).hostname);
}
