/**
 * The demo served by real `wrangler dev`: the counter increments, and the count survives a restart
 * because it lives in Durable Object storage (persisted to disk).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findChromium, CHROMIUM_ARGS } from '../../../tools/chromium.ts';
import { startWranglerDev } from '../../../tools/wrangler-dev.ts';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('demo counter under wrangler dev', () => {
  it('serves the counter page, increments, and keeps the count across a restart', async () => {
    const persistTo = mkdtempSync(join(tmpdir(), 'lmz-demo-'));
    let dev = await startWranglerDev({ cwd: app, persistTo });
    try {
      const page = await (await fetch(dev.url)).text();
      expect(page).toContain('<output id="count">0</output>');
      for (let i = 1; i <= 3; i++) {
        const res = await fetch(`${dev.url}/api/counter/increment`, { method: 'POST' });
        expect(await res.json()).toEqual({ count: i });
      }
    } finally {
      await dev.stop();
    }
    dev = await startWranglerDev({ cwd: app, persistTo });
    try {
      expect(await (await fetch(`${dev.url}/api/counter`)).json()).toEqual({ count: 3 });
      expect(await (await fetch(dev.url)).text()).toContain('<output id="count">3</output>');
      expect((await fetch(`${dev.url}/nope`)).status).toBe(404);
    } finally {
      await dev.stop();
    }
  });

  const chromium = findChromium();
  it.skipIf(!chromium)('the button increments the count in a real browser', async () => {
    const { chromium: pw } = await import('playwright-core');
    const dev = await startWranglerDev({ cwd: app, persistTo: mkdtempSync(join(tmpdir(), 'lmz-demo-')) });
    const browser = await pw.launch({ executablePath: chromium, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(dev.url);
      await page.click('#increment');
      await page.waitForFunction(() => document.getElementById('count')?.textContent === '1', undefined, { timeout: 5_000 });
      await page.click('#increment');
      await page.waitForFunction(() => document.getElementById('count')?.textContent === '2', undefined, { timeout: 5_000 });
      await page.reload();
      expect(await page.textContent('#count')).toBe('2');
    } finally {
      await browser.close();
      await dev.stop();
    }
  });
});
