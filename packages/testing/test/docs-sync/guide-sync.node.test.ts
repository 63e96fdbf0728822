/**
 * docs/testing.md's examples run as test/workerd/guide.test.ts (issue 15: "the examples run as
 * tests"). Each page block holds one `it('guide: …')`; this check keeps every such `it` identical
 * in both files, so an edit to one without the other fails here instead of drifting.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../../../..');
const page = readFileSync(join(repo, 'docs/testing.md'), 'utf8');
const suite = readFileSync(join(repo, 'packages/testing/test/workerd/guide.test.ts'), 'utf8');

/** Top-level `it('guide: …', async () => { … });` blocks by title (body up to the closing `});` at column 0). */
function guideTests(source: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of source.matchAll(/^it\('(guide: [^']+)', async \(\) => \{\n([\s\S]*?)^\}\);/gm)) out.set(m[1], m[2]);
  return out;
}

/** The page's ```ts blocks that contain a guide test. */
function pageBlocks(): string[] {
  return [...page.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]).filter((b) => b.includes("it('guide: "));
}

describe('docs/testing.md ↔ guide.test.ts', () => {
  const inPage = guideTests(page);
  const inSuite = guideTests(suite);

  it('every page example is a test with the same title, and every guide test is on the page', () => {
    expect(inPage.size).toBeGreaterThan(0);
    expect([...inPage.keys()].sort()).toEqual([...inSuite.keys()].sort());
    // One test per block: a block with two (or a test split across blocks) would escape the check.
    for (const block of pageBlocks()) expect(guideTests(block).size).toBe(1);
  });

  it('each example body is the test body verbatim', () => {
    for (const [title, body] of inPage) expect(inSuite.get(title), title).toBe(body);
  });
});
