/**
 * The Data and Objectives views in real Chromium, on real search trees and a real embedded model
 * in a module worker. Nothing here asserts on what the model says (the embedded models are
 * retrained from time to time): only on structure, invariants (policy = reference gives loss
 * log 2), masking, keyboard use, error messages and that model text never becomes HTML.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/tests/browser/data-objectives-harness.html#view=data');
  await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
});
afterAll(async () => lab?.close());

const state = () =>
  lab.page.evaluate(() => {
    const s = (globalThis as any).viewsTest.session.state;
    return { pairs: s.pairs.map((p: any) => ({ chosen: p.chosen.text, rejected: p.rejected.text })), scores: s.scores.size, trees: s.trees.length };
  });

describe('Data view', () => {
  it('extracts pairs from the trees, charts the lengths accessibly and browses pairs with the prefix marked', async () => {
    const page = lab.page;
    const chart = page.locator('lab-length-chart svg[role="img"]');
    await chart.waitFor();
    expect(await chart.getAttribute('aria-label')).toMatch(/^Histogram of path lengths with a density curve per length bucket: \d+ path\(s\)/);
    const source = (await page.locator('lab-data-view p', { hasText: 'tree(s) →' }).textContent())!;
    const paths = Number(/→ (\d+) path/.exec(source)![1]);
    await page.locator('lab-length-chart details summary').click();
    const totals = await page.locator('lab-length-chart tbody tr td:last-child').allTextContents();
    expect(totals.reduce((a, x) => a + Number(x), 0)).toBe(paths);
    expect(await page.locator('lab-length-chart ul.legend li').count()).toBeGreaterThan(0);

    const s = await state();
    expect(s.trees).toBe(5);
    expect(s.pairs.length).toBeGreaterThan(0);
    const prefixLoc = page.locator('lab-pair-browser [data-part="prefix"]');
    const prefix = (await prefixLoc.count()) ? await prefixLoc.textContent() : '';
    const chosen = await page.locator('lab-pair-browser [data-part="chosen"]').textContent();
    const rejected = await page.locator('lab-pair-browser [data-part="rejected"]').textContent();
    expect(prefix + chosen!).toBe(s.pairs[0]!.chosen);
    expect(prefix + rejected!).toBe(s.pairs[0]!.rejected);

    // Keyboard: ArrowRight in the browser's controls moves to the next pair and into the lesson hash.
    if (s.pairs.length > 1) {
      await page.locator('lab-pair-browser button[aria-label="Next pair"]').focus();
      await page.keyboard.press('ArrowRight');
      await page.locator('lab-pair-browser [role="status"]', { hasText: `Pair 2 of ${s.pairs.length}` }).waitFor();
      expect(await page.evaluate(() => location.hash)).toMatch(/dpair=1/);
      await page.keyboard.press('Home');
      await page.locator('lab-pair-browser [role="status"]', { hasText: 'Pair 1 of' }).waitFor();
    }

    // The paper recipe fixes SFT select and buckets (controls disabled) and goes into the hash.
    await page.locator('lab-data-view select').first().selectOption('paper');
    expect(await page.locator('lab-data-view label', { hasText: 'SFT path' }).locator('select').isDisabled()).toBe(true);
    expect(await page.evaluate(() => location.hash)).toMatch(/drecipe=paper/);
    await page.locator('lab-data-view select').first().selectOption('custom');
    await page.waitForFunction((n) => (globalThis as any).viewsTest.session.state.pairs.length === n, s.pairs.length);
    expect(await page.evaluate(() => (globalThis as any).viewsTest.unlabeledControls())).toEqual([]);
  });
});

describe('Objectives view', () => {
  it('scores pairs with a real model, shows masked strips and recomputes losses from the cache', async () => {
    const page = lab.page;
    const info = await page.evaluate(() => (globalThis as any).viewsTest.loadEngine('tiny-a', 'wasm'));
    expect(info.can.score).toBe(true);
    // One engine: policy = reference, which is allowed and explained.
    await page.locator('lab-objectives-view p[role="status"]', { hasText: 'same model' }).waitFor({ timeout: 30_000 });
    const n = (await state()).pairs.length;
    // Every in-use state the session goes through while scoring (the Models view asks before
    // unloading a model in use).
    await page.evaluate(() => {
      const g = globalThis as any;
      g.inUseSeen = [];
      g.viewsTest.session.addEventListener('change', () => g.inUseSeen.push(JSON.stringify([...g.viewsTest.session.state.inUse])));
    });
    await page.locator('lab-objectives-view #score').click();
    await page.locator('lab-objectives-view #progress', { hasText: `Scored ${n} of ${n}` }).waitFor({ timeout: 240_000 });
    expect((await state()).scores).toBe(n);
    const seen: string[] = await page.evaluate(() => (globalThis as any).inUseSeen);
    expect(seen).toContain(JSON.stringify([['tiny-a', ['scoring in the Objectives view']]]));
    expect(seen.at(-1)).toBe('[]');
    const calls = await page.evaluate(() => (globalThis as any).viewsTest.scoreCalls());
    expect(calls).toBe(n); // the same model scores each pair once

    // Same policy and reference: every implicit reward is 0 and the sigmoid loss is log 2.
    const cell = (obj: string, metric: string) => page.locator(`lab-objectives-view td[data-objective="${obj}"][data-metric="${metric}"]`).textContent();
    expect(await cell('dpo', 'loss')).toBe('0.6931');
    expect(await cell('masked', 'loss')).toBe('0.6931');
    expect(Number(await cell('dpo', 'rewards/margins'))).toBe(0);
    expect(await page.locator('lab-objectives-view thead th[data-objective]').count()).toBe(5);

    // Sliders recompute from cached log-probs: α changes the joint loss, no model call happens.
    const before = await cell('joint', 'loss');
    await page.locator('lab-objectives-view #s-alpha').focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction((b) => {
      const host = document.querySelector('lab-objectives-view')!.shadowRoot!;
      return host.querySelector('td[data-objective="joint"][data-metric="loss"]')?.textContent !== b;
    }, before);
    expect(await page.evaluate(() => (globalThis as any).viewsTest.scoreCalls())).toBe(calls);
    expect(await page.evaluate(() => location.hash)).toMatch(/oalpha=1\.2/);

    // Strips: four sequences; the shared prefix is boxed, labelled and zeroed when masking is on.
    const strips = page.locator('lab-objectives-view lab-logprob-strip');
    expect(await strips.count()).toBe(4);
    const group = strips.first().locator('[data-part="prefix"]');
    if (await group.count()) {
      expect(await group.locator('.badge').textContent()).toMatch(/^masked shared prefix: \d+ token\(s\) → 0$/);
      const values = await group.locator('.tok .v').allTextContents();
      expect(values.every((v) => v === '0')).toBe(true);
      await page.locator('lab-objectives-view #mask').uncheck();
      expect(await strips.first().locator('[data-part="prefix"] .badge').textContent()).toMatch(/not masked/);
      await page.locator('lab-objectives-view #mask').check();
    }
    expect(await strips.first().locator('.strip').getAttribute('role')).toBe('img');
    expect(await page.evaluate(() => (globalThis as any).viewsTest.unlabeledControls())).toEqual([]);

    // A lesson link opened while the views are mounted sets the sliders.
    await page.evaluate(() => (location.hash = '#view=objectives&obeta=0.5&oalpha=1.2'));
    await page.locator('lab-objectives-view output[for="s-beta"]', { hasText: '0.50' }).waitFor();
  });
});

describe('Import', () => {
  it('names file, line and field for a bad file and imports nothing; model text in a good file stays text', async () => {
    const page = lab.page;
    const before = await state();
    const bad = ['{"prompt":"Q","chosen":"a","rejected":"b"}', '{"prompt":"Q","chosen":"a"}'].join('\n');
    await page.locator('lab-data-view #import').setInputFiles({ name: 'bad.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(bad) });
    const alert = page.locator('lab-data-view [role="alert"]', { hasText: 'Nothing was imported' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('bad.jsonl:2: field "rejected": is missing');
    expect((await state()).pairs).toEqual(before.pairs);
    expect((await state()).scores).toBe(before.scores);

    const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const rows = [
      { prompt: [{ role: 'user', content: `Q ${evil}` }], chosen: [{ role: 'assistant', content: `<Thinking>same</Thinking>${evil} yes` }], rejected: [{ role: 'assistant', content: `<Thinking>same</Thinking>no ${evil}` }] },
      { prompt: 'Q2', chosen: 'a', rejected: 'b', meta: { length_bucket: 'short' } },
    ];
    await page.locator('lab-data-view #import').setInputFiles({ name: 'evil.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n')) });
    await page.locator('lab-data-view [role="status"]', { hasText: 'Imported 2 DPO pair(s) from evil.jsonl' }).waitFor();
    const after = await state();
    expect(after.pairs).toHaveLength(2);
    expect(after.scores).toBe(0); // scores belonged to the old pairs
    expect(await page.locator('lab-pair-browser [data-part="chosen"]').textContent()).toBe(`${evil} yes`);
    expect(await page.locator('lab-pair-browser [data-part="prefix"]').textContent()).toBe('<Thinking>same</Thinking>');
    expect(await page.locator('lab-pair-browser img, lab-data-view img, lab-objectives-view img').count()).toBe(0);
    // Score the imported pairs: token texts in the strips are text too.
    await page.locator('lab-objectives-view #score').click();
    await page.locator('lab-objectives-view #progress', { hasText: 'Scored 2 of 2' }).waitFor({ timeout: 120_000 });
    expect(await page.locator('lab-objectives-view lab-logprob-strip').count()).toBe(4);
    expect(await page.locator('lab-logprob-strip img').count()).toBe(0);
    expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
  });
});
