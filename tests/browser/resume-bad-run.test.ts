/**
 * A saved search run that cannot be opened (here: a tree with a malformed node, as an older
 * version or a hand edit could leave it) never blocks the app at start-up: after a reload the
 * recorded demo is on screen with a message naming the run, the item and the field.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, type Lab } from './chromium.js';

const DEMO = JSON.parse(readFileSync('public/demos/letters-demo.json', 'utf8'));

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/');
}, 120_000);
afterAll(async () => lab?.close());

describe('start-up with a broken saved run', () => {
  it('shows the demo and says which run could not be opened', async () => {
    const page = lab.page;
    await page.waitForFunction(() => (globalThis as any).lab?.session?.state.store, null, { timeout: 120_000 });
    await page.evaluate(async (tree) => {
      const store = (globalThis as any).lab.session.state.store;
      const broken = { ...tree, nodes: tree.nodes.map((n: any, i: number) => (i === 3 ? { ...n, children: 'none' } : n)) };
      await store.createRun({ id: 'search-broken', kind: 'search', title: 'broken run', config: {} });
      await store.append('search-broken', [{ type: 'tree', payload: broken }], { status: 'done' });
    }, DEMO.tree);
    await page.reload();
    const banner = page.locator('lab-app .banner[role=alert]');
    await banner.waitFor({ timeout: 60_000 });
    expect(await banner.textContent()).toContain('could not be opened');
    expect(await banner.textContent()).toContain('run "broken run" (search-broken): items[0] (tree): field "nodes[3].children"');
    await expect.poll(() => page.evaluate(() => (globalThis as any).lab.session.state.trees.map((t: any) => t.id)), { timeout: 30_000 }).toEqual([DEMO.tree.id]);
    // The app still works: the Runs view lists the broken run, so it can be deleted.
    await page.locator('#tab-runs').click();
    await page.locator('lab-runs-view tr[data-run="search-broken"]').waitFor({ timeout: 30_000 });
  }, 240_000);
});
