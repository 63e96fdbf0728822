/** Internal: email normalization, validation and domain rules (spec §3.3, §3.15). */

const MAX_EMAIL_LENGTH = 254;
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Trimmed, lower-cased `local@domain.tld`, or `null` for anything else (including over 254 chars). */
export function normalizeEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH) return null;
  const at = email.lastIndexOf('@');
  if (at < 1 || at > 64) return null;
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  if (!LOCAL.test(local) || labels.length < 2) return null;
  if (!labels.every((l) => LABEL.test(l)) || !/^[a-z]{2,63}$/.test(labels[labels.length - 1])) return null;
  return email;
}

/** The lower-cased domain of a normalized email. */
export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/** True when no restriction is configured or the email's domain is listed. */
export function isDomainAllowed(email: string, allowed: readonly string[] | undefined): boolean {
  return allowed === undefined || allowed.includes(domainOf(email));
}
