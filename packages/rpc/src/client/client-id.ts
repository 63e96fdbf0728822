/** Client ids travel as a subprotocol token, so only token characters are allowed. */
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/** Throws a TypeError naming the characters of `id` that are not allowed. */
export function assertClientId(id: string): void {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError('clientId must be a non-empty string');
  const bad = [...new Set([...id].filter((c) => !TOKEN_CHAR.test(c)))];
  if (bad.length) {
    throw new TypeError(`Invalid clientId ${JSON.stringify(id.slice(0, 100))}: characters ${bad.map((c) => JSON.stringify(c)).join(', ')} are not allowed (use letters, digits and !#$%&'*+-.^_\`|~)`);
  }
}
