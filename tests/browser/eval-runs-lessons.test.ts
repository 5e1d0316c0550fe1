/**
 * Evaluate, Lessons and Runs views and the demo loader in real Chromium on the dev server: a
 * Test@N of two loaded models (chart, table, comparison, saved as an eval run), Stop, the Runs
 * view's storage, export, failing and working import, delete with confirmation and "open";
 * lesson steps that navigate by hash; the recorded demo put on the session with no model.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
const errors: string[] = [];
const MODULES = ['/src/ui/evaluate/lab-eval-view.ts', '/src/ui/lessons/lab-lessons-view.ts', '/src/ui/runs/lab-runs-view.ts', '/src/ui/demo-loader.ts'];

async function setHash(hash: string): Promise<void> {
  await lab.page.evaluate((h) => (location.hash = h), hash);
}

/**
 * Run `body` in the page as an async function with `load(url)` = dynamic import from the dev
 * server. Passed as a string: vitest rewrites `import()` inside functions handed to evaluate().
 */
function inPage<T>(body: string): Promise<T> {
  return lab.page.evaluate(`(async () => { const load = (u) => import(u); ${body} })()`) as Promise<T>;
}

function sessionState(): Promise<{ trees: number; runId: string | null; engines: string[]; hasStore: boolean }> {
  return inPage(`const s = (await load('/src/ui/app/session.ts')).session.state;
    return { trees: s.trees.length, runId: s.runId, engines: [...s.engines.keys()], hasStore: !!s.store };`);
}

beforeAll(async () => {
  lab = await openLab('/#view=lessons');
  lab.page.on('pageerror', (e) => errors.push(e.message));
  await lab.page.waitForSelector('lab-app');
  await inPage(`for (const m of ${JSON.stringify(MODULES)}) await load(m);`);
  // The shell opens the store after it mounts (expect.poll is not available in hooks).
  for (let i = 0; i < 300 && !(await sessionState()).hasStore; i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await sessionState()).hasStore) throw new Error('the shell never opened the run store');
}, 120_000);
afterAll(async () => lab?.close());

describe('lessons view', () => {
  it('lists the steps, computes the masking numbers live and navigates by hash', async () => {
    const page = lab.page;
    expect(await page.locator('lab-lessons-view li').count()).toBe(9);
    const rows = await page.locator('lab-lessons-view #masking-metrics tbody tr').allInnerTexts();
    expect(rows.find((r) => r.startsWith('DPO loss'))).toMatch(/same$/);
    expect(rows.find((r) => r.startsWith('Joint loss'))).toMatch(/changed$/);
    await page.locator('lab-lessons-view button.go[data-step="8"]').click();
    await page.waitForFunction(() => location.hash.includes('view=evaluate'));
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toContain('lesson=8');
    expect(hash).toContain('eval.n=8');
    await expect.poll(() => page.getByLabel('N (samples per problem)').inputValue()).toBe('8');
  });

  it('the post-training steps open the Train view with a recorded run on screen (no training needed)', async () => {
    const page = lab.page;
    await page.evaluate(() => (location.hash = '#view=lessons'));
    await page.locator('lab-lessons-view button.go[data-step="5"]').click();
    await page.waitForFunction(() => location.hash.includes('view=train') && location.hash.includes('trec=train-dpo-all'));
    await page.locator('lab-train-view #train-recording').waitFor({ timeout: 20_000 });
    expect(await page.locator('lab-train-view #train-recording').textContent()).toMatch(/Recorded run: plain DPO .* lab train --model tiny-a --dpo dpo-all.jsonl/);
    expect(await page.locator('lab-train-view #train-table tbody tr').count()).toBe(24);
    expect(await page.locator('lab-train-chart svg[role=img]').count()).toBeGreaterThan(3);
  });
});

describe('recorded demo', () => {
  it('loads the demo tree onto the session with no model', async () => {
    // The shell already shows one loader on the Search view; this test drives its own.
    await lab.page.evaluate(() => document.body.append(Object.assign(document.createElement('lab-demo-loader'), { id: 'test-loader' })));
    await lab.page.locator('#test-loader #load-demo').click();
    await lab.page.locator('#test-loader', { hasText: 'Loaded the recorded demo' }).waitFor({ timeout: 20_000 });
    const s = await sessionState();
    expect(s.trees).toBe(1);
    expect(s.runId).toBeNull();
  });
});

describe('evaluate view', () => {
  it('runs Test@N on two models, draws the curve, compares them and saves an eval run', async () => {
    const page = lab.page;
    await inPage(`const m = await load('/src/ui/app/engines.ts');
      await m.loadEngine(m.embeddedSpec('tiny-a', 'wasm'));
      await m.loadEngine(m.embeddedSpec('tiny-b', 'wasm'));`);
    expect((await sessionState()).engines.sort()).toEqual(['tiny-a', 'tiny-b']);
    await setHash('#view=evaluate&eval.task=letters&eval.count=2&eval.n=2&eval.k=1,2&eval.max=48&eval.model=tiny-a&eval.model2=tiny-b');
    await expect.poll(() => page.locator('lab-eval-view #eval-model2').inputValue()).toBe('tiny-b');
    await page.locator('lab-eval-view #eval-run').click();
    await page.locator('lab-eval-view #eval-run:not([disabled])').waitFor({ timeout: 150_000 });
    expect(await page.locator('lab-eval-view [role=alert]').count()).toBe(0);
    const label = await page.locator('lab-eval-view lab-testk-chart svg[role=img]').getAttribute('aria-label');
    expect(label).toContain('2 runs');
    expect(label).toMatch(/tiny-a sampling: Test@1 [\d.]+% \(95% CI/);
    expect(await page.locator('lab-eval-view lab-testk-chart table tbody tr').count()).toBe(4);
    const head = await page.locator('lab-eval-view #eval-comparison thead th').allInnerTexts();
    expect(head.slice(1)).toEqual(['tiny-a sampling', 'tiny-b sampling']);
    expect(await page.locator('lab-eval-view #eval-comparison').innerText()).toContain('No answer');
    await page.locator('lab-eval-view', { hasText: 'Saved as run eval-letters-' }).waitFor();
  }, 200_000);

  it('stops on request and summarises the problems finished so far', async () => {
    const page = lab.page;
    await setHash('#view=evaluate&eval.task=letters&eval.count=40&eval.n=2&eval.k=1,2&eval.max=48&eval.model=tiny-a');
    await expect.poll(() => page.locator('lab-eval-view #eval-model2').inputValue()).toBe('');
    await page.locator('lab-eval-view #eval-run').click();
    await page.locator('lab-eval-view #eval-progress', { hasText: /: [1-9]\d* of 40 problems/ }).waitFor({ timeout: 60_000 });
    await page.locator('lab-eval-view #eval-stop').click();
    await page.locator('lab-eval-view', { hasText: 'Stopped:' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('lab-eval-view #eval-comparison').innerText()).toContain('(stopped)');
  }, 120_000);
});

describe('runs view', () => {
  it('shows storage, exports, rejects a bad import, imports, deletes after confirming and opens runs', async () => {
    const page = lab.page;
    await setHash('#view=runs');
    const rows = page.locator('lab-runs-view #runs-table tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.locator('lab-runs-view #runs-usage').innerText()).toMatch(/used of/);

    const [download] = await Promise.all([page.waitForEvent('download'), rows.first().locator('.export').click()]);
    expect(download.suggestedFilename()).toMatch(/^eval-letters-.*\.run\.json$/);
    const exported = readFileSync((await download.path())!, 'utf8');
    expect(JSON.parse(exported).schema).toBe('reasoning-lab/run@1');

    await page.locator('lab-runs-view #runs-import').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{oops') });
    await expect.poll(() => page.locator('lab-runs-view #runs-error').innerText()).toMatch(/Import failed, nothing was changed: bad\.json: not valid JSON/);
    expect(await rows.count()).toBe(2);
    await page.locator('lab-runs-view #runs-import').setInputFiles({ name: 'good.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    await expect.poll(() => rows.count()).toBe(3);
    expect(await page.locator('lab-runs-view #runs-message').innerText()).toMatch(/^Imported /);

    await rows.first().locator('.delete').click();
    await page.locator('lab-runs-view .cancel-delete').click();
    expect(await rows.count()).toBe(3);
    await rows.first().locator('.delete').click();
    await page.locator('lab-runs-view .confirm-delete').click();
    await expect.poll(() => rows.count()).toBe(2);

    // A search run opens in Search with its trees on the session.
    await inPage(`const { session } = await load('/src/ui/app/session.ts');
      const demo = await (await fetch('/demos/letters-demo.json')).json();
      await session.state.store.createRun({ id: 'search-demo', kind: 'search', title: 'demo search', config: {} });
      await session.state.store.append('search-demo', [{ type: 'tree', payload: demo.tree }], { status: 'done' });`);
    await page.locator('lab-runs-view #runs-refresh').click();
    await expect.poll(() => rows.count()).toBe(3);
    await page.locator('lab-runs-view tr[data-run="search-demo"] .open').click();
    await page.waitForFunction(() => location.hash.includes('view=search'));
    const s = await sessionState();
    expect(s.runId).toBe('search-demo');
    expect(s.trees).toBe(1);

    // An eval run opens in Evaluate.
    await setHash('#view=runs');
    await page.locator('lab-runs-view tr[data-run^="eval-"] .open').first().click();
    await page.waitForFunction(() => location.hash.includes('eval.run='));
    await page.locator('lab-eval-view', { hasText: 'Showing saved run' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('lab-eval-view lab-testk-chart svg[role=img]').count()).toBe(1);
    // Page errors from any part of the app are reported here (not only these views').
    if (errors.length) console.warn('page errors:', errors);
  }, 120_000);
});
