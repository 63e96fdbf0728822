/** Issue 19 item 6: docs/llms.txt and docs/llms-full.txt are generated from docs/ and current. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { render } from '../../scripts/gen-llms.mjs';
import { repo } from '../docs-check.ts';

describe('llms.txt', () => {
  it('docs/llms.txt and docs/llms-full.txt are current (regenerate: node scripts/gen-llms.mjs)', () => {
    const expected = render();
    for (const [name, text] of Object.entries(expected)) expect(readFileSync(join(repo, 'docs', name), 'utf8'), name).toBe(text);
  });

  it('lists every page with its title and first sentence, guide first, and carries each page whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmz-llms-'));
    writeFileSync(join(dir, 'zeta.md'), '# Zeta page\n\nZeta does one thing. And more.\n\n## Part\n\nBody.\n');
    writeFileSync(join(dir, 'getting-started.md'), '# Start here\n\nBuild an app.\n');
    const out = render(dir);
    expect(out['llms.txt']).toContain('- [Start here](getting-started.md): Build an app.\n- [Zeta page](zeta.md): Zeta does one thing.\n');
    expect(out['llms-full.txt']).toContain('<!-- docs/zeta.md -->\n\n# Zeta page\n\nZeta does one thing. And more.\n\n## Part\n\nBody.\n');
  });
});
