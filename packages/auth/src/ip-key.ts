/** Internal: the IP-tier rate-limit key (spec §3.12). IPv6 clients are keyed by their /64. */

function expandIpv6(address: string): string[] | null {
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}

/** `ip:<v4>`, `ip:<first four groups>::/64` for IPv6, `ip:unknown` when absent or unparseable. */
export function ipRateLimitKey(request: Request): string {
  const raw = (request.headers.get('CF-Connecting-IP') ?? '').trim().toLowerCase();
  if (raw === '') return 'ip:unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(raw);
  if (mapped) return `ip:${mapped[1]}`;
  if (!raw.includes(':')) return /^\d{1,3}(\.\d{1,3}){3}$/.test(raw) ? `ip:${raw}` : 'ip:unknown';
  const groups = expandIpv6(raw.replace(/%.*$/, ''));
  return groups ? `ip:${groups.slice(0, 4).join(':')}::/64` : 'ip:unknown';
}
