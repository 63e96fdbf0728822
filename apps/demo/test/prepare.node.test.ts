/**
 * scripts/prepare.mjs `buildWeb`: a rebuild with nothing changed writes nothing. `wrangler dev`
 * reloads, resetting every Durable Object, on any write under its assets directory (dist/public),
 * so a second process building (another test file, `npm start` beside the tests) must not touch
 * the files a running server serves.
 */
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildWeb } from '../scripts/prepare.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'public');
const FILES = ['app.js', 'app.js.map', 'index.html', 'app.css'];
/** Inode and modification time: a rewrite (temp file + rename) changes both. */
const identity = () => FILES.map((f) => ({ file: f, ...pick(statSync(join(out, f))) }));
const pick = (s: { ino: number; mtimeMs: number }) => ({ ino: s.ino, mtimeMs: s.mtimeMs });

describe('buildWeb', () => {
  it('leaves unchanged files alone, so a running wrangler dev is not reloaded', async () => {
    await buildWeb();
    const before = identity();
    await buildWeb();
    expect(identity()).toEqual(before);
  });
});
