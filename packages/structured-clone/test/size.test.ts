/**
 * Acceptance item 60 (spec §8 size and depth checks; timing lives in bench/): a 20,000-node cyclic
 * graph keeps every link, and a shared subtree referenced 100 times is stored once.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from '../src/index.ts';
import { roundTrip } from './helpers.ts';

interface GraphNode {
  id: number;
  prev: GraphNode | null;
  next: GraphNode | null;
  parent: { name: string };
}

function cyclicGraph(count: number): GraphNode[] {
  const parent = { name: 'shared parent' };
  const nodes: GraphNode[] = [];
  for (let i = 0; i < count; i++) nodes.push({ id: i, prev: null, next: null, parent });
  for (let i = 0; i < count; i++) {
    nodes[i].prev = nodes[(i + count - 1) % count];
    nodes[i].next = nodes[(i + 1) % count];
  }
  return nodes;
}

describe('size and identity at scale', () => {
  it('60a: a 20,000-node cyclic graph round-trips with every link and the shared parent identity intact', () => {
    const count = 20_000;
    const out = roundTrip(cyclicGraph(count));
    expect(out).toHaveLength(count);
    const parent = out[0].parent;
    let broken = 0;
    for (let i = 0; i < count; i++) {
      const node = out[i];
      if (node.id !== i || node.parent !== parent || node.next !== out[(i + 1) % count] || node.prev !== out[(i + count - 1) % count]) broken++;
    }
    expect(broken).toBe(0);
    expect(parent).toEqual({ name: 'shared parent' });
  });

  it('60b: a shared subtree (1,000 records plus 100 tags) referenced 100 times is stored once', () => {
    const tags = Array.from({ length: 100 }, (_, i) => `tag-${i}`);
    const subtree = { records: Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `record ${i}`, tags: [tags[i % 100]] })), tags };
    const holder = { refs: Array.from({ length: 100 }, () => subtree) };
    const alone = stringify(subtree).length;
    const shared = stringify(holder).length;
    expect(shared).toBeLessThan(2 * alone);
    const out = roundTrip(holder);
    expect(out.refs[0]).toBe(out.refs[99]);
    expect(out.refs[42].records[999]).toEqual({ id: 999, name: 'record 999', tags: ['tag-99'] });
  });
});
