/**
 * Payload shapes for the structured-clone benchmark: the five shapes plus the spec's
 * fixtures F1–F5 (§8) and the shared-subtree and linearity cases. Deterministic (no randomness).
 */

export interface Shape {
  /** Short id used in tables. */
  id: string;
  /** What it is. */
  label: string;
  make: () => unknown;
}

function record(i: number) {
  return {
    id: i,
    name: `User ${i}`,
    email: `user${i}@example.com`,
    active: i % 3 !== 0,
    score: Math.round(i * 7.3919) / 100,
    tags: ['alpha', 'beta', `tag-${i % 17}`],
  };
}

interface GraphNode {
  id: number;
  label: string;
  prev: GraphNode | null;
  next: GraphNode | null;
  parent: { name: string; kind: string };
}

/** F3: `count` nodes, each linked to previous, next (a ring: cycles) and one shared parent (aliases). */
export function cyclicGraph(count: number): GraphNode[] {
  const parent = { name: 'root', kind: 'shared parent' };
  const nodes: GraphNode[] = [];
  for (let i = 0; i < count; i++) nodes.push({ id: i, label: `n${i}`, prev: null, next: null, parent });
  for (let i = 0; i < count; i++) {
    nodes[i].prev = nodes[(i + count - 1) % count];
    nodes[i].next = nodes[(i + 1) % count];
  }
  return nodes;
}

/** F4: a chain `levels` deep. */
export function deepChain(levels: number): unknown {
  const top: Record<string, unknown> = { level: 0 };
  let node = top;
  for (let i = 1; i <= levels; i++) {
    const next: Record<string, unknown> = { level: i };
    node.child = next;
    node = next;
  }
  return top;
}

/** The §8 shared subtree: 1,000 records plus 100 tags, referenced 100 times. */
export function sharedSubtree(): unknown {
  const tags = Array.from({ length: 100 }, (_, i) => `tag-${i}`);
  const subtree = { records: Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `record ${i}`, tag: tags[i % 100] })), tags };
  return { refs: Array.from({ length: 100 }, () => subtree) };
}

export const SHAPES: Shape[] = [
  {
    id: 'small',
    label: 'small object (one record with a nested object)',
    make: () => ({ ...record(42), address: { street: '1 Main St', city: 'Springfield', zip: '12345' }, roles: ['admin', 'editor'] }),
  },
  {
    id: 'api-1k',
    label: '1,000-record API response (records with a nested object, plus paging meta)',
    make: () => ({
      data: Array.from({ length: 1000 }, (_, i) => ({ ...record(i), address: { city: `City ${i % 50}`, zip: String(10000 + i) } })),
      meta: { page: 1, pageSize: 1000, total: 52_000, next: '/api/users?page=2' },
    }),
  },
  {
    id: 'F1 plain-10k',
    label: 'F1: 10,000 records of id, name, email, boolean, float, three tags',
    make: () => Array.from({ length: 10_000 }, (_, i) => record(i)),
  },
  {
    id: 'F2 rich-1k',
    label: 'F2 (Map/Set/Date heavy): 1,000 records with a Date, a Map, a Set and a BigInt',
    make: () =>
      Array.from({ length: 1000 }, (_, i) => ({
        id: i,
        created: new Date(1_700_000_000_000 + i * 86_400_000),
        prefs: new Map<string, unknown>([
          ['theme', i % 2 ? 'dark' : 'light'],
          ['count', i],
        ]),
        tags: new Set(['a', 'b', `t${i % 10}`]),
        balance: 10n ** 20n + BigInt(i),
      })),
  },
  {
    id: 'cyclic-1k',
    label: 'the F3 graph at 1,000 nodes (peers overflow the call stack on F3 at 10,000: this is where they can be compared)',
    make: () => cyclicGraph(1_000),
  },
  {
    id: 'F3 cyclic-10k',
    label: 'F3: 10,000-node graph, each node linked to previous, next (cycles) and one shared parent (aliases)',
    make: () => cyclicGraph(10_000),
  },
  {
    id: 'F4 deep-10k',
    label: 'F4: a 10,000-level nested chain',
    make: () => deepChain(10_000),
  },
  {
    id: 'F5 binary-1MiB',
    label: 'F5: a 1 MiB Uint8Array',
    make: () => {
      const bytes = new Uint8Array(1024 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
      return bytes;
    },
  },
];
