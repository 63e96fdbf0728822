/**
 * A URL as logs may show it: origin and path only. The query string and fragment may carry keys.
 * @example safeUrl('https://api.example.com/v1?key=secret') // 'https://api.example.com/v1'
 */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
