/**
 * End to end: the lab page in headless Chromium. WebGPU is detected before any download, the
 * embedded model loads in a worker with per-file progress, samples stream in, and model text is
 * shown as text (markup in the prompt echo never becomes HTML).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, type Lab } from '../browser/chromium.js';

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/');
});
afterAll(async () => lab?.close());

describe('lab app', () => {
  it('detects WebGPU, loads tiny-a with per-file progress and generates streamed samples', async () => {
    const page = lab.page;
    await page.waitForSelector('lab-app');
    await page.locator('lab-models-view section[aria-label="Adapter"] p', { hasText: 'shader-f16:' }).waitFor({ timeout: 30_000 });
    const row = page.locator('tr[data-model="tiny-a"]');
    await row.locator('button.load').click();
    await row.locator('.phase', { hasText: 'ready' }).waitFor({ timeout: 90_000 });
    const files = await row.locator('li code').allTextContents();
    expect(files).toEqual(expect.arrayContaining(['tiny-a/onnx/model.onnx', 'tiny-a/tokenizer.json']));
    await page.locator('#prompt').fill('<img src=x onerror="window.pwned=1"> How many r\'s are in strawberry?');
    const inputs = page.locator('lab-playground input[type=number]');
    for (const [i, v] of [[0, '2'], [3, '24']] as const) {
      await inputs.nth(i).fill(v);
      await inputs.nth(i).dispatchEvent('change');
    }
    await page.locator('#generate').click();
    await page.locator('#generate:not([disabled])').waitFor({ timeout: 90_000 });
    const samples = await page.locator('pre.sample').allTextContents();
    expect(samples).toHaveLength(2);
    expect(samples.join('').length).toBeGreaterThan(0);
    // Model output renders as text: no element was created from it.
    expect(await page.locator('lab-playground img').count()).toBe(0);
    expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
  });
});
