/**
 * End to end on the production build in headless Chromium: open → load tiny-a (WebGPU) and
 * tiny-b (wasm) in their own workers → grow a letters tree (tiny-a thinks, tiny-b reflects) →
 * replay it → extract DPO pairs → score them on WebGPU → evaluate Test@k → export and re-import
 * the run → reload resumes the saved run → with the server gone the second visit still works
 * (service worker) and loads a model offline. Model text with markup renders as text.
 * Screenshots of every view go to test-artifacts/screenshots/.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBuiltLab, type BuiltLab } from './built-lab.js';

let lab: BuiltLab;
beforeAll(async () => {
  lab = await openBuiltLab('/');
}, 240_000);
afterAll(async () => lab?.close());

async function go(hash: string): Promise<void> {
  await lab.page.evaluate((h) => (location.hash = h), hash);
}

async function loadModel(id: string, device: 'webgpu' | 'wasm'): Promise<void> {
  const page = lab.page;
  await go('#view=models');
  await page.locator('lab-models-view #device').selectOption(device);
  const row = page.locator(`lab-models-view tr[data-model="${id}"]`);
  await row.locator('button.load').click();
  await row.locator('.phase', { hasText: `ready (${device})` }).waitFor({ timeout: 120_000 });
}

describe('the built lab, whole flow', () => {
  it('works offline-capable from the first visit: service worker precaches the app, ORT and the models', async () => {
    const page = lab.page;
    await page.waitForSelector('lab-app');
    const cached = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      const keys = await caches.keys();
      const cache = await caches.open(keys.find((k) => k.startsWith('reasoning-lab'))!);
      return { active: !!reg.active, urls: (await cache.keys()).map((r) => new URL(r.url).pathname) };
    });
    expect(cached.active).toBe(true);
    expect(cached.urls).toEqual(expect.arrayContaining(['/models/tiny-a/onnx/model.onnx', '/models/tiny-b/onnx/model.onnx', '/ort/ort-wasm-simd-threaded.asyncify.wasm']));
    // The screen is never empty: with no saved run the recorded demo is on the Search view.
    await go('#view=search');
    await page.getByRole('treeitem').first().waitFor({ timeout: 30_000 });
    await lab.shot('01-search-demo');
  });

  it('loads two models in their own workers, with per-file progress and the adapter report', async () => {
    const page = lab.page;
    await go('#view=models');
    await page.locator('lab-models-view section[aria-label="Adapter"] p', { hasText: 'shader-f16:' }).waitFor({ timeout: 30_000 });
    await loadModel('tiny-a', 'webgpu');
    const files = await page.locator('lab-models-view tr[data-model="tiny-a"] li code').allTextContents();
    expect(files).toEqual(expect.arrayContaining(['tiny-a/onnx/model.onnx', 'tiny-a/tokenizer.json']));
    await loadModel('tiny-b', 'wasm');
    await lab.shot('02-models');
  });

  it('grows a letters tree live (tiny-a thinks, tiny-b reflects) and replays it step by step', async () => {
    const page = lab.page;
    await go('#view=search&task=letters&problem=0&problemset=0&rollouts=8&seed=3&think=tiny-a&reflect=tiny-b&c=1.4');
    await page.locator('lab-search-settings #run').click();
    await page.getByText(/^Finished/).waitFor({ timeout: 400_000 });
    const items = await page.getByRole('treeitem').count();
    expect(items).toBeGreaterThan(3);
    await page.getByRole('button', { name: 'First step' }).click();
    expect(await page.getByRole('treeitem').count()).toBe(1);
    await page.locator('lab-replay-controls #play').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('lab-replay-controls li[aria-current=step]').textContent()).toMatch(/Select|Expand/);
    await page.keyboard.press('End');
    expect(await page.getByRole('treeitem').count()).toBe(items);
    await lab.shot('03-search-run');
  }, 450000);

  it('extracts DPO pairs and scores them on WebGPU; the loss table recomputes from cached log-probs', async () => {
    const page = lab.page;
    await go('#view=data');
    await page.locator('lab-length-chart svg[role="img"]').waitFor({ timeout: 30_000 });
    await lab.shot('04-data');
    const status = await page.locator('lab-pair-browser [role="status"]').textContent();
    expect(status).toMatch(/Pair 1 of \d+/);
    await go('#view=objectives&opolicy=tiny-a&oref=tiny-a');
    await page.locator('lab-objectives-view #score').click();
    await page.locator('lab-objectives-view #progress', { hasText: /Scored (\d+) of \1/ }).waitFor({ timeout: 300_000 });
    const dpo = await page.locator('lab-objectives-view td[data-objective]').first().textContent();
    expect(Number(dpo)).toBeCloseTo(Math.log(2), 3); // same model as policy and reference: log 2
    expect(await page.locator('lab-objectives-view lab-logprob-strip').count()).toBeGreaterThan(0);
    await lab.shot('05-objectives');
  }, 400000);

  it('trains tiny-a on the extracted pairs, evaluates the checkpoint beside its base, and scores it in Objectives with real rewards', async () => {
    const page = lab.page;
    await go('#view=train&tsource=session&tsteps=2&tbatch=2&tprobe=0&tdevice=wasm&tlr=0.0005&eval.count=2&eval.n=2&eval.k=1,2&eval.max=120&eval.seed=0');
    await page.locator('lab-train-view #train-start').click();
    await page.locator('lab-train-view #train-status', { hasText: 'Finished: 2 steps' }).waitFor({ timeout: 300_000 });
    expect(await page.locator('lab-train-view #train-table tbody tr').count()).toBe(2);
    await lab.shot('05b-train');
    // One click: load the checkpoint beside its base and open Evaluate with both.
    await page.locator('lab-train-view #train-compare').click();
    await page.locator('lab-eval-view #eval-model2').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => location.hash.includes('view=evaluate'));
    const ckpt = decodeURIComponent(/eval\.model2=([^&]+)/.exec(await page.evaluate(() => location.hash))![1]!);
    expect(ckpt).toMatch(/^ckpt-tiny-a-/);
    await expect.poll(() => page.locator('lab-eval-view #eval-model2').inputValue(), { timeout: 60_000 }).toBe(ckpt);
    await page.locator('lab-eval-view #eval-run').click();
    await page.locator('lab-eval-view', { hasText: 'Saved as run eval-letters-' }).waitFor({ timeout: 300_000 });
    await page.locator('lab-eval-view', { hasText: ckpt }).first().waitFor();
    // Before and after side by side: base and checkpoint columns, on the same problems and samples.
    const table = page.locator('lab-eval-view #eval-comparison');
    const heads = await table.locator('thead th').allTextContents(); // '', then each model with its decoding
    expect(heads).toHaveLength(3);
    expect(heads[1]).toMatch(/^tiny-a\b/);
    expect(heads[2]!.startsWith(ckpt), heads[2]).toBe(true);
    const row = async (name: string) => table.locator('tbody tr', { has: page.locator('th', { hasText: new RegExp(`^${name}$`) }) }).locator('td').allTextContents();
    for (const name of ['Test@1', 'Test@2', 'No answer']) {
      const cells = await row(name);
      expect(cells, name).toHaveLength(2);
      for (const c of cells) expect(c, name).toMatch(/^\d+\.\d%/);
    }
    expect(await row('Problems')).toEqual(['2', '2']);
    expect(await row('Samples per problem')).toEqual(['2', '2']);
    // Objectives defaults to policy = checkpoint, reference = its base: rewards are no longer zero.
    await go(`#view=objectives&opolicy=${encodeURIComponent(ckpt)}&oref=tiny-a`);
    await page.locator('lab-objectives-view #score').click();
    await page.locator('lab-objectives-view #progress', { hasText: /Scored (\d+) of \1/ }).waitFor({ timeout: 300_000 });
    const dpo = Number(await page.locator('lab-objectives-view td[data-objective]').first().textContent());
    expect(Number.isFinite(dpo)).toBe(true);
    expect(Math.abs(dpo - Math.log(2))).toBeGreaterThan(1e-3);
    // A checkpoint is a model like any other: the Search view grows a tree with it.
    await go(`#view=search&task=letters&problem=0&problemset=0&rollouts=2&seed=1&nodetokens=48&think=${encodeURIComponent(ckpt)}&reflect=${encodeURIComponent(ckpt)}`);
    expect(await page.locator('lab-search-settings select[name=think]').inputValue()).toBe(ckpt);
    await page.locator('lab-search-settings #run').click();
    await page.getByText(/^Finished/).waitFor({ timeout: 300_000 });
    expect(await page.locator('lab-search-view .error').count()).toBe(0);
    expect(await page.getByRole('treeitem').count()).toBeGreaterThan(1);
  }, 1200000);

  it('evaluates Test@k with a chart and saves the evaluation as a run', async () => {
    const page = lab.page;
    await go('#view=evaluate&eval.task=letters&eval.count=3&eval.seed=0&eval.n=2&eval.k=1,2&eval.decode=sample&eval.model=tiny-a&eval.max=160');
    await page.locator('lab-eval-view #eval-run').click();
    await page.locator('lab-eval-view', { hasText: 'Saved as run eval-letters-' }).waitFor({ timeout: 300_000 });
    expect(await page.locator('lab-eval-view lab-testk-chart svg[role=img]').count()).toBe(1);
    await lab.shot('06-evaluate');
  }, 400000);

  it('exports a run as one file and imports it back; lessons and runs views render', async () => {
    const page = lab.page;
    await go('#view=runs');
    const rows = page.locator('lab-runs-view #runs-table tbody tr');
    await rows.first().waitFor({ timeout: 20_000 });
    const before = await rows.count();
    const [download] = await Promise.all([page.waitForEvent('download'), rows.first().locator('.export').click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(JSON.parse(text).schema).toBe('reasoning-lab/run@1');
    await page.locator('lab-runs-view #runs-import').setInputFiles({ name: 'run.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.locator('lab-runs-view #runs-message', { hasText: /^Imported / }).waitFor({ timeout: 20_000 });
    expect(await rows.count()).toBe(before + 1);
    await lab.shot('07-runs');
    await go('#view=lessons');
    await page.locator('lab-lessons-view li').first().waitFor();
    await lab.shot('08-lessons');
  });

  it('every view passes axe-core\'s automated accessibility checks (no serious or critical violations)', async () => {
    const page = lab.page;
    const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    await page.addScriptTag({ content: readFileSync(axePath, 'utf8') });
    const found: string[] = [];
    for (const view of ['models', 'search', 'data', 'objectives', 'train', 'evaluate', 'lessons', 'runs']) {
      await go(`#view=${view}`);
      await page.waitForTimeout(500);
      const violations = await page.evaluate(async () => {
        type Axe = { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }> };
        // label-content-name-mismatch is off: tree items are named by their own row
        // (aria-labelledby), as in the ARIA tree pattern, not by the text of their whole subtree.
        const r = await (window as unknown as { axe: Axe }).axe.run(document, { rules: { 'label-content-name-mismatch': { enabled: false } } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, count: v.nodes.length }));
      });
      for (const v of violations) if (v.impact === 'serious' || v.impact === 'critical') found.push(`${view}: ${v.impact} ${v.id} (${v.count})`);
    }
    expect(found).toEqual([]);
  });

  it('renders model text with markup as text: a custom prompt with <img onerror> runs nothing', async () => {
    const page = lab.page;
    const prompt = '<img src=x onerror="window.pwned=1"> How many r\'s are in strawberry?';
    await go(`#view=search&task=letters&prompt=${encodeURIComponent(prompt)}&expected=3&rollouts=1&seed=1&think=tiny-a&reflect=tiny-a`);
    await page.locator('lab-search-settings #run').click();
    await page.getByText(/^Finished/).waitFor({ timeout: 200_000 });
    await page.getByText('<img src=x onerror="window.pwned=1">', { exact: false }).first().waitFor();
    expect(await page.locator('lab-search-view img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  }, 300000);

  it('a reload resumes the last saved search run', async () => {
    const page = lab.page;
    await page.reload();
    await go('#view=search');
    await page.getByRole('treeitem').first().waitFor({ timeout: 30_000 });
    const runId = await page.evaluate(() => (window as unknown as { lab: { session: { state: { runId: string | null } } } }).lab.session.state.runId);
    expect(runId).toMatch(/search/);
  });

  it('the second visit works with the network off and loads a model from the cache', async () => {
    const page = lab.page;
    await lab.stopServer();
    await page.reload();
    await page.waitForSelector('lab-app');
    await loadModel('tiny-a', 'wasm');
    await lab.shot('09-offline');
    expect(lab.errors).toEqual([]);
  });
});
