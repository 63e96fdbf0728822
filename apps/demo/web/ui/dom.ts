/** Tiny DOM helpers: element creation without innerHTML for anything user-provided. */

type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes and children (strings become text nodes).
 * @example h('li', { class: 'doc' }, h('span', {}, title))
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

/** The element with this id (throws when the page is missing it: a programming error). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

const PALETTE = ['#3454d1', '#d1495b', '#2a9d8f', '#e07a1f', '#7b4fd6', '#1f8fc2', '#b8487f', '#5a8f29', '#c2571a', '#e76f51', '#9d4edd', '#4361ee'];

/** A stable colour for a user, keyed by email when known (chips, names). */
export function colorFor(key: string): string {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return PALETTE[(hash >>> 0) % PALETTE.length]!;
}

/** Two letters for a chip: `alice.smith@x` → `AS`. */
export function initialsOf(name: string): string {
  const local = name.split('@')[0] ?? name;
  const parts = local.split(/[._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? parts[0]?.[1] ?? '')).toUpperCase();
}

/** `10:31:05`. */
export function timeOf(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
}

/** The short tab part of `{userId}.{tabId}`. */
export function tabOf(instanceName: string): string {
  return instanceName.slice(instanceName.indexOf('.') + 1);
}
