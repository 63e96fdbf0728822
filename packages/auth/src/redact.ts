/** Internal: reduced forms for logs. Tokens, cookies and links are never logged at all. */

/** `alice@example.com` → `a***@example.com`; anything else → `***`. */
export function redactEmail(email: unknown): string {
  if (typeof email !== 'string') return '***';
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at).slice(0, 64)}`;
}
