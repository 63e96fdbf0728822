/** Internal: reduced forms for logs. Tokens, cookies and links are never logged at all. */

/** `alice@example.com` → `a***@example.com`; anything else → `***`. */
export function redactEmail(email: unknown): string {
  if (typeof email !== 'string') return '***';
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at).slice(0, 64)}`;
}

/** An address inside free text: `local@domain.tld`, also percent-encoded (`local%40domain.tld`). */
const EMBEDDED_EMAIL = /[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** Longest free text (for example a provider's error body) that goes into a log record. */
export const MAX_LOGGED_TEXT = 300;
/** Longest text scanned for addresses (bounds the regex work). */
const MAX_SCANNED_TEXT = 1_024;

/**
 * Free text (error messages, provider answers) with every embedded email address reduced and the
 * length capped, so an address echoed by a provider never reaches a log line.
 * @example redactText('bad recipient bob@example.com') // 'bad recipient b***@example.com'
 */
export function redactText(text: unknown): string {
  let value: string;
  try {
    value = typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text);
  } catch {
    return '***';
  }
  // Bounded input keeps the regex cheap; a word cut at that bound could be half an address: dropped.
  const bounded = value.length > MAX_SCANNED_TEXT ? value.slice(0, MAX_SCANNED_TEXT).replace(/\S*$/, '…') : value;
  // Redact before cutting to length, so the final cut never leaves half an address behind.
  return bounded.replace(EMBEDDED_EMAIL, (match) => redactEmail(match.replace(/%40/i, '@'))).slice(0, MAX_LOGGED_TEXT);
}
