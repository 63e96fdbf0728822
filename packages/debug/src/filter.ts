/**
 * The DEBUG filter grammar: tokens separated by commas and/or whitespace, `-` for exclusions,
 * an optional `:level` suffix, and `*` wildcards. No regular expression is built from the value,
 * so a hostile DEBUG string cannot cause catastrophic backtracking.
 */
import { LEVELS, levelRank, type DebugLevel } from './types.ts';

interface FilterToken {
  exclude: boolean;
  /** Alternative patterns, each split on `*` (a single part means no wildcard). */
  patterns: string[][];
  /** Lowest level rank this token applies to (0 = debug and above). */
  minRank: number;
}

export interface DebugFilter {
  /** Whether `level` (one of debug/info/warn) is enabled for `namespace`. */
  isEnabled(namespace: string, level: DebugLevel): boolean;
}

export function parseFilter(value: string | undefined): DebugFilter {
  const tokens: FilterToken[] = [];
  for (const raw of (value ?? '').split(/[\s,]+/)) {
    let text = raw;
    if (!text) continue;
    const exclude = text.startsWith('-');
    if (exclude) text = text.slice(1);
    let minRank = 0;
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      const suffix = text.slice(colon + 1);
      // An unknown suffix keeps the whole token literal, so typos fail closed.
      if ((LEVELS as readonly string[]).includes(suffix)) {
        minRank = levelRank(suffix as DebugLevel);
        text = text.slice(0, colon);
      }
    }
    if (!text) continue;
    // `A.*` matches `A` itself as well as its descendants.
    const patterns = text.endsWith('.*') && text.length > 2 ? [text.split('*'), [text.slice(0, -2)]] : [text.split('*')];
    tokens.push({ exclude, patterns, minRank });
  }
  return {
    isEnabled(namespace, level) {
      const rank = levelRank(level);
      let included = false;
      for (const token of tokens) {
        if (rank < token.minRank || !token.patterns.some((parts) => matchesNamespace(parts, namespace))) continue;
        if (token.exclude) return false;
        included = true;
      }
      return included;
    },
  };
}

/** A pattern matches the namespace itself and every dotted descendant of it. */
function matchesNamespace(parts: string[], namespace: string): boolean {
  if (parts.length === 1) {
    const [exact] = parts;
    return namespace === exact || (namespace.startsWith(exact) && namespace.charCodeAt(exact.length) === 46);
  }
  if (globMatch(parts, namespace)) return true;
  // `A.*` and `x.*.y` also match descendants: test the pattern extended with `.*`.
  return globMatch([...parts.slice(0, -1), parts[parts.length - 1] + '.', ''], namespace);
}

/** Glob match of `*`-separated literal parts; leftmost placement of each middle part is optimal. */
function globMatch(parts: string[], text: string): boolean {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!text.startsWith(first)) return false;
  let pos = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = text.indexOf(parts[i], pos);
    if (found < 0) return false;
    pos = found + parts[i].length;
  }
  return text.length - last.length >= pos && text.endsWith(last);
}
