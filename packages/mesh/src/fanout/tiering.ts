/**
 * The tiering rule (mesh spec §9 item 11): L = 1 when n ≤ maxDirect, 2 when n ≤ maxDirect², else 3.
 * A node holding n recipients with L levels left splits them into ⌈n^(1/L)⌉ near-equal groups
 * (sizes differ by at most one); at L = 1 it delivers directly.
 */

/** Levels for a send of `n` recipients. */
export function levelsFor(n: number, maxDirect: number): 1 | 2 | 3 {
  if (n <= maxDirect) return 1;
  if (n <= maxDirect * maxDirect) return 2;
  return 3;
}

/** ⌈n^(1/levels)⌉ in integers (floating roots are off by one at exact powers). */
export function ceilRoot(n: number, levels: number): number {
  if (levels <= 1 || n <= 1) return Math.max(n, 0);
  let r = Math.max(1, Math.round(n ** (1 / levels)));
  while (r ** levels < n) r++;
  while (r > 1 && (r - 1) ** levels >= n) r--;
  return r;
}

/** `items` cut into `groups` contiguous slices whose sizes differ by at most one. */
export function splitGroups<T>(items: readonly T[], groups: number): T[][] {
  const out: T[][] = [];
  const base = Math.floor(items.length / groups);
  const extra = items.length % groups;
  let at = 0;
  for (let g = 0; g < groups; g++) {
    const size = base + (g < extra ? 1 : 0);
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}
