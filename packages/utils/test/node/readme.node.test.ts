/** The README's identity example is the tested class itself (spec §9 item 56, backlog 3). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

it('56: README embeds test/identity-do.ts verbatim, so the documented example is the tested one', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const source = readFileSync(join(root, 'test', 'identity-do.ts'), 'utf8').trimEnd();
  expect(readme).toContain('```ts\n' + source + '\n```');
});

it('README documents the four routing headers', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const h of ['X-Lumenize-DO-Binding-Name', 'X-Lumenize-DO-Instance-Name-Or-Id', 'x-partykit-namespace', 'x-partykit-room']) {
    expect(readme).toContain(`\`${h}\``);
  }
});
