/** The docs' code blocks type-check against the real packages (CONVENTIONS.md, Docs). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDocs, docFiles, extractBlocks } from '../docs-check.ts';

describe('docs code blocks', () => {
  it('every ts block in docs/ and package READMEs type-checks', () => {
    const { blocks, status, output } = checkDocs();
    expect(blocks.length).toBeGreaterThan(0);
    expect(output).toBe('');
    expect(status).toBe(0);
    // A hang detector: one tsc over every block takes ~30 s idle but over 2 min on a loaded 2-core machine.
  }, 300_000);

  it('a block with a type error is caught, and no-check blocks are skipped', () => {
    const md = ['# x', '```ts', "const n: number = 'not a number';", '```', '```ts no-check', 'this is not code', '```'].join('\n');
    expect(extractBlocks(md, 'x.md')).toHaveLength(1);
    const dir = mkdtempSync(join(tmpdir(), 'lmz-docs-'));
    writeFileSync(join(dir, 'bad.md'), md);
    const { status, output } = checkDocs([join(dir, 'bad.md')]);
    expect(status).not.toBe(0);
    expect(output).toContain("Type 'string' is not assignable to type 'number'");
  }, 120_000);

  it('finds the docs pages and READMEs', () => {
    expect(docFiles().some((f) => f.endsWith('packages/debug/README.md'))).toBe(true);
  });
});
