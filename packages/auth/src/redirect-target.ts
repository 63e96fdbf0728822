/**
 * Internal: the `redirect` allow-list (issue 12 item 7). A redirect is accepted only when it is a
 * same-origin path: the raw text uses URL characters only (no control characters, whitespace or
 * backslashes, which browsers fold into `//`), and every percent-decoding of it still parses, with
 * `new URL(value, origin)`, to the configured origin without a `//` path or userinfo.
 */

/** RFC 3986 path, query and fragment characters plus `%`: nothing a browser could fold or strip. */
const URL_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]*$/;
/** C0 controls, DEL, C1 controls, backslash: refused in every decoded form too. */
const FOLDED = /[\u0000-\u001f\u007f-\u009f\\]/;
/** How many rounds of percent-decoding are checked (`%252F` is `%2F` is `/`). */
export const MAX_REDIRECT_DECODE_ROUNDS = 4;
/** Origin used to check a path when no origin is configured (local development only). */
const PLACEHOLDER_ORIGIN = 'https://redirect-check.invalid';

function refuse(reason: string): never {
  throw new TypeError(`AuthConfig.redirect ${reason}`);
}

function sameOriginPath(value: string, origin: string): boolean {
  if (FOLDED.test(value) || value.startsWith('//') || !value.startsWith('/')) return false;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return false;
  }
  return url.origin === origin && url.username === '' && url.password === '' && !url.pathname.startsWith('//');
}

/**
 * Returns `value` when it is a safe redirect target, else throws `TypeError` naming the field.
 * `origin` is the configured origin (`magicLinkBaseUrl`), or `undefined` in local development.
 * @example redirectTarget('/app', 'https://app.example') // '/app'
 */
export function redirectTarget(value: unknown, origin: string | undefined): string {
  if (value === undefined) refuse('is required (a "/path" on your app, or a URL on magicLinkBaseUrl\'s origin)');
  if (typeof value !== 'string' || value === '') refuse('must be a "/path" on your app, or a URL on magicLinkBaseUrl\'s origin');
  if (!URL_CHARS.test(value)) {
    refuse('must contain only URL characters (no backslashes, spaces, tabs, newlines or control characters; percent-encode the rest)');
  }
  if (value.startsWith('//')) refuse('must not be protocol-relative ("//host")');
  let path: string;
  if (value.startsWith('/')) {
    path = value;
  } else {
    const lower = value.toLowerCase();
    const prefix = origin?.toLowerCase();
    if (prefix === undefined || !lower.startsWith(prefix) || !['', '/', '?', '#'].includes(lower.charAt(prefix.length))) {
      refuse(
        origin === undefined
          ? 'must be a "/path" (an absolute URL needs magicLinkBaseUrl, whose origin it must share)'
          : `must be a "/path" or a URL on ${origin} (magicLinkBaseUrl's origin)`,
      );
    }
    path = `/${value.slice(prefix.length).replace(/^\//, '')}`;
  }
  const base = origin ?? PLACEHOLDER_ORIGIN;
  let current = path;
  for (let round = 0; ; round++) {
    if (!sameOriginPath(current, base)) refuse('must stay on your app\'s origin (no "//", "/\\", encoded slashes or backslashes, or dot segments leading off-site)');
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      // A malformed escape in the raw value is refused; deeper down the text is simply literal.
      if (round === 0) refuse('has a malformed percent-encoding');
      return value;
    }
    if (decoded === current) return value;
    if (round + 1 >= MAX_REDIRECT_DECODE_ROUNDS) refuse(`is percent-encoded more than ${MAX_REDIRECT_DECODE_ROUNDS - 1} times`);
    current = decoded;
  }
}
