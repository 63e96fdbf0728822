/**
 * Internal: the per-recipient rate-limit key (issue 12 item 6). Addresses that reach the same
 * mailbox share one bucket: `+tags` are dropped for every domain, and dots are dropped where the
 * provider ignores them. The key is only for rate limiting; accounts keep the exact address.
 */

/** Domains whose mailboxes ignore dots in the local part, mapped to their canonical domain. */
export const DOT_INSENSITIVE_DOMAINS: Readonly<Record<string, string>> = Object.freeze({
  'gmail.com': 'gmail.com',
  'googlemail.com': 'gmail.com',
});

/**
 * `magic-link:<canonical address>` for a normalized (lower-cased, validated) email.
 * @example recipientRateKey('a.b+news@googlemail.com') // 'magic-link:ab@gmail.com'
 */
export function recipientRateKey(email: string): string {
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at);
  let domain = email.slice(at + 1);
  const plus = local.indexOf('+');
  // `+tag` only: a local part that starts with `+` keeps it (there is no base mailbox to fold to).
  if (plus > 0) local = local.slice(0, plus);
  const canonicalDomain = DOT_INSENSITIVE_DOMAINS[domain];
  if (canonicalDomain !== undefined) {
    domain = canonicalDomain;
    local = local.replaceAll('.', '') || local;
  }
  return `magic-link:${local}@${domain}`;
}
