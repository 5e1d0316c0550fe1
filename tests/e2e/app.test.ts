/**
 * End to end: the lab page in headless Chromium. WebGPU is detected before any download, the
 * embedded model loads in a worker with per-file progress, samples stream in, and model text is
 * shown as text (markup in the prompt echo never becomes HTML).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, type Lab } from '../browser/chromium.js';

const DEMO_TREE = JSON.parse(readFileSync('public/demos/letters-demo.json', 'utf8')).tree;
/** What a model could write: markup and a script in the text of its thought nodes. */
const HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold?</b>';

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

  it('renders model-like output holding markup as text: an imported run opened in the Search view', async () => {
    const page = lab.page;
    // A real search tree whose node texts carry markup, imported through the Runs view's file input.
    const tree = { ...DEMO_TREE, nodes: DEMO_TREE.nodes.map((n: any, i: number) => (i > 0 ? { ...n, text: `${HOSTILE} ${n.text}` } : n)) };
    const run = { schema: 'reasoning-lab/run@1', run: { id: 'hostile', kind: 'search', title: 'hostile text' }, items: [{ type: 'tree', payload: tree }] };
    await page.locator('#tab-runs').click();
    await page.locator('#runs-import').setInputFiles({ name: 'hostile.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(run)) });
    await page.locator('lab-runs-view tr[data-run="hostile"] button.open').click();
    await page.locator('lab-search-view li[role=treeitem][data-id="1"]').waitFor({ timeout: 30_000 });
    await page.locator('lab-search-view li[role=treeitem][data-id="1"] > .row').click();
    // The markup is on screen as characters, in the tree and in the node card …
    await page.locator('lab-search-view').getByText('<script>window.pwned=2</script>', { exact: false }).filter({ visible: true }).first().waitFor({ timeout: 10_000 });
    await page.locator('lab-node-card').getByText('<img src=x onerror="window.pwned=1">', { exact: false }).first().waitFor({ timeout: 10_000 });
    // … and never became elements, and nothing ran.
    expect(await page.locator('lab-search-view img, lab-search-view script, lab-search-view b, lab-node-card img, lab-node-card b').count()).toBe(0);
    expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
  }, 120_000);
});
