/**
 * The Train view in headless Chromium on the dev server: import pairs, train in the worker on
 * wasm with live rows and probe answers, checkpoints saved to IndexedDB survive a reload and load
 * as a model; step-by-step mode, Stop and Resume; Resume training on a saved checkpoint after a
 * reload continues its step numbers with the record's settings and rows; End now (offered after
 * Stop) ends a run mid-step and keeps the last checkpoint; a diverging learning
 * rate, an empty file, pairs counted by another tokenizer and a worker crash each show one
 * message in #train-error (naming the kept checkpoint where there is one); DPO pairs imported
 * under the SFT objective are kept, and choosing a DPO objective trains on them; axe finds no
 * serious violations in the view.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAIR_ROWS } from '../unit/train-fixtures.js';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/#view=train&tsource=file&tsteps=2&tbatch=2&tprobe=1&tdevice=wasm');
  await lab.page.waitForSelector('lab-train-view');
});
afterAll(async () => lab?.close());

const jsonl = PAIR_ROWS.map((r) => JSON.stringify({ prompt: [{ role: 'user', content: r.prompt }], chosen: [{ role: 'assistant', content: r.chosen }], rejected: [{ role: 'assistant', content: r.rejected }] })).join('\n') + '\n';

async function importPairs(): Promise<void> {
  await lab.page.locator('lab-train-view #train-file').setInputFiles({ name: 'pairs.jsonl', mimeType: 'text/plain', buffer: Buffer.from(jsonl) });
  await lab.page.locator('lab-train-view #train-status', { hasText: 'pairs.jsonl: 4 rows' }).waitFor();
}

/** A fresh page load of the Train view with these `t*` settings (no state from earlier tests). */
async function openTrain(hash: string): Promise<void> {
  await lab.page.goto('about:blank');
  await lab.page.goto(`${lab.url}/#view=train&${hash}`);
  await lab.page.waitForSelector('lab-train-view');
}

/** Wait until the Train view's button `id` is enabled. */
async function enabled(id: string): Promise<void> {
  await lab.page.waitForFunction((sel) => !document.querySelector('lab-app')!.shadowRoot!.querySelector('lab-train-view')!.shadowRoot!.querySelector<HTMLButtonElement>(sel)!.disabled, `#${id}`, { timeout: 120_000 });
}

const trainError = () => lab.page.locator('lab-train-view #train-error');

describe('Train view', () => {
  it('trains in the worker with live metrics and probes; the checkpoint survives a reload and loads as a model', async () => {
    const page = lab.page;
    await importPairs();
    await page.locator('lab-train-view #train-start').click();
    await page.locator('lab-train-view #train-status', { hasText: 'Finished: 2 steps' }).waitFor({ timeout: 240_000 });
    const rows = page.locator('lab-train-view #train-table tbody tr');
    expect(await rows.count()).toBe(2);
    // Step 1 of DPO: loss ln 2 in the table twin of the chart.
    expect(await rows.first().locator('td').first().textContent()).toBe('0.693');
    expect(await page.locator('lab-train-view #train-probes tbody tr').count()).toBe(3);
    expect(await page.locator('lab-train-chart svg[role=img]').count()).toBeGreaterThan(3);
    await page.reload();
    await page.waitForSelector('lab-train-view');
    await page.locator('lab-train-view #train-checkpoints li').first().waitFor();
    expect(await page.locator('lab-train-view #train-checkpoints li').first().textContent()).toMatch(/step 2\/2/);
    await page.locator('lab-train-view #train-checkpoints li button', { hasText: 'Load checkpoint' }).first().click();
    await page.locator('lab-train-view #train-status', { hasText: 'Loaded as' }).waitFor({ timeout: 120_000 });
    const out = await page.evaluate(async () => {
      const lab = (window as unknown as { lab: { session: { state: { engines: Map<string, { generate(r: unknown): Promise<{ text: string }[]> }> } } } }).lab;
      const ids = [...lab.session.state.engines.keys()];
      const ck = ids.find((i) => i.startsWith('ckpt-'))!;
      const [c] = await lab.session.state.engines.get(ck)!.generate({ messages: [{ role: 'user', content: 'How many times does the letter "s" appear in "address"?' }], n: 1, temperature: 0, maxTokens: 40 });
      return { ids, text: c!.text, hash: location.hash };
    });
    expect(out.ids).toContain('tiny-a');
    expect(out.text.length).toBeGreaterThan(0);
    expect(out.hash).toMatch(/opolicy=ckpt-/);
    expect(out.hash).toMatch(/oref=tiny-a/);
  });

  it('step by step, Stop, then Resume continues the same checkpoint', async () => {
    const page = lab.page;
    await page.evaluate(() => (location.hash = '#view=train&tsource=file&tsteps=3&tbatch=2&tprobe=0&tdevice=wasm&tstep=1'));
    await importPairs();
    await page.locator('lab-train-view #train-start').click();
    const step = page.locator('lab-train-view #train-step');
    await step.waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.querySelector('lab-app')!.shadowRoot!.querySelector('lab-train-view')!.shadowRoot!.querySelector<HTMLButtonElement>('#train-step')!.disabled, null, { timeout: 120_000 });
    await step.click();
    const rows = page.locator('lab-train-view #train-table tbody tr');
    await rows.nth(0).waitFor({ timeout: 120_000 });
    await page.waitForTimeout(300);
    expect(await rows.count()).toBe(1); // paused again after exactly one step
    await page.locator('lab-train-view #train-stop').click();
    await page.locator('lab-train-view #train-status', { hasText: 'Stopped at step 1' }).waitFor({ timeout: 120_000 });
    await page.locator('lab-train-view #train-resume').click();
    await page.locator('lab-train-view #train-resume').waitFor();
    // Resumed runs start paused in step mode: release them.
    await page.waitForFunction(() => !document.querySelector('lab-app')!.shadowRoot!.querySelector('lab-train-view')!.shadowRoot!.querySelector<HTMLButtonElement>('#train-resume')!.disabled, null, { timeout: 120_000 });
    await page.locator('lab-train-view #train-resume').click();
    await page.locator('lab-train-view #train-status', { hasText: 'Finished: 3 steps' }).waitFor({ timeout: 240_000 });
    const steps = await rows.locator('th').allTextContents();
    expect(steps).toEqual(['1', '2', '3']);
  });

  it('Stop waits for the step; End now ends the run at once and keeps the last checkpoint', async () => {
    const page = lab.page;
    await openTrain('tsource=file&tsteps=5&tbatch=2&tprobe=1&tdevice=wasm');
    await importPairs();
    await page.locator('lab-train-view #train-start').click();
    // After step 1 the worker saves, then answers the probes for seconds: Stop has to wait for them.
    await page.locator('lab-train-view #train-status', { hasText: 'probe: step 1' }).waitFor({ timeout: 120_000 });
    expect(await page.locator('lab-train-view #train-kill').count()).toBe(0); // offered only after Stop
    await page.locator('lab-train-view #train-stop').click();
    await page.locator('lab-train-view #train-status', { hasText: 'Stopping after this step' }).waitFor();
    const t0 = Date.now();
    await page.locator('lab-train-view #train-kill').click();
    await trainError().waitFor({ timeout: 5_000 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await trainError().textContent()).toBe('Training was ended at once, without finishing its step. The checkpoint saved at step 1 is kept: Resume continues from it.');
    await enabled('train-start');
    expect(await page.locator('lab-train-view #train-kill').count()).toBe(0);
    expect(await page.locator('lab-train-view #train-probes tbody tr').count()).toBe(0); // the probes never finished
    await page.locator('lab-train-view #train-checkpoints li', { hasText: 'step 1/5' }).first().waitFor({ timeout: 20_000 });
  });

  it('exports a checkpoint as a .tar that lab loads, and imports it back', async () => {
    const page = lab.page;
    const list = page.locator('lab-train-view lab-checkpoint-list');
    const before = await list.locator('li').count();
    expect(before).toBeGreaterThan(0);
    const [download] = await Promise.all([page.waitForEvent('download'), list.locator('li button', { hasText: 'Export' }).first().click()]);
    const path = join(mkdtempSync(join(tmpdir(), 'lab-export-')), download.suggestedFilename());
    await download.saveAs(path);
    expect(path).toMatch(/\.tar$/);
    // The exported file is a checkpoint `lab` runs.
    const out = execFileSync('node', ['bin/lab.js', 'generate', '--model', path, '--prompt', 'How many r in "rare"?', '--n', '1', '--max-tokens', '16', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(out).samples).toHaveLength(1);
    const state = JSON.parse(readFileSync(join(path.slice(0, -4), 'trainer_state.json'), 'utf8'));
    expect(state.base).toBe('tiny-a');
    await list.locator('input.import').setInputFiles(path);
    await expect.poll(() => list.locator('li').count(), { timeout: 30_000 }).toBe(before + 1);
  });

  it('lab.train on the console trains in a worker and returns the metrics', async () => {
    const r = await lab.page.evaluate(async (rows) => {
      const labApi = (window as any).lab;
      return labApi.train({ pairs: rows.map((x: any) => ({ prompt: x.prompt, chosen: x.chosen, rejected: x.rejected })), steps: 2, batch: 2, device: 'wasm' });
    }, PAIR_ROWS);
    expect(r.metrics.map((m: { step: number }) => m.step)).toEqual([1, 2]);
    expect(r.metrics[0].loss).toBeCloseTo(Math.log(2), 5);
    expect(r.checkpoint).toMatch(/^ckpt-console-/);
  });

  it('Resume training on a checkpoint after a reload continues its steps with its own settings and rows', async () => {
    const page = lab.page;
    await openTrain('tsource=file&tsteps=3&tbatch=2&tprobe=0&tdevice=wasm&tstep=1');
    await importPairs();
    await page.locator('lab-train-view #train-start').click();
    await enabled('train-step');
    await page.locator('lab-train-view #train-step').click();
    await page.locator('lab-train-view #train-table tbody tr').first().waitFor({ timeout: 120_000 });
    await page.locator('lab-train-view #train-stop').click();
    await page.locator('lab-train-view #train-status', { hasText: 'Stopped at step 1' }).waitFor({ timeout: 120_000 });
    // After the reload: other settings in the link, no file imported and no Data view pairs, so
    // only the record's settings and rows can give a 3-step run on 4 pairs.
    await openTrain('tsteps=7&tbatch=1&tdevice=wasm');
    expect(await page.locator('lab-train-view #train-resume').isDisabled()).toBe(true);
    const item = page.locator('lab-train-view #train-checkpoints li', { hasText: 'step 1/3' }).first();
    await item.locator('button.resume').click();
    await page.locator('lab-train-view #train-status', { hasText: 'Finished: 3 steps' }).waitFor({ timeout: 240_000 });
    // Step 1 comes from the record; 2 and 3 are new: a run restarted from scratch would show 1 again.
    expect(await page.locator('lab-train-view #train-table tbody tr th').allTextContents()).toEqual(['1', '2', '3']);
    expect(await page.locator('lab-train-view #train-checkpoints li').first().textContent()).toMatch(/step 3\/3/);
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toMatch(/tsteps=3/);
    expect(hash).toMatch(/tbatch=2/);
    expect(await trainError().count()).toBe(0);
  });

  it('a learning rate that diverges stops the run with a message naming the step and the kept checkpoint', async () => {
    // lr 1 on these pairs: step 1 is fine, step 2's gradient is NaN (as in Node's trainer).
    await openTrain('tsource=file&tsteps=3&tbatch=2&tprobe=1&tdevice=wasm&tlr=1');
    await importPairs();
    await lab.page.locator('lab-train-view #train-start').click();
    await trainError().waitFor({ timeout: 240_000 });
    const text = await trainError().textContent();
    expect(text).toMatch(/^Training diverged at step 2: the loss is \S+ and the gradient norm NaN\. Lower the learning rate \(e\.g\. by 10x\) before resuming, or start again with it\./);
    expect(text).toMatch(/The checkpoint saved at step 1 is kept: Resume continues from it\.$/);
    expect(text).not.toMatch(/--lr|--clip/);
    expect(await lab.page.locator('lab-train-view #train-table tbody tr th').allTextContents()).toEqual(['1']);
  });

  it('an empty JSONL file is refused on import, and Start then says there is no data', async () => {
    await openTrain('tsource=file&tsteps=1&tbatch=2&tdevice=wasm');
    await lab.page.locator('lab-train-view #train-file').setInputFiles({ name: 'empty.jsonl', mimeType: 'text/plain', buffer: Buffer.from('\n\n') });
    await trainError().waitFor();
    expect(await trainError().textContent()).toBe('empty.jsonl:1: the file is empty: expected one JSON object per line');
    await lab.page.locator('lab-train-view #train-start').click();
    expect(await trainError().textContent()).toBe('No training data: extract pairs in the Data view, or import a JSONL file.');
    expect(await lab.page.locator('lab-train-view #train-stop').isDisabled()).toBe(true);
  });

  it('DPO pairs imported under the SFT objective are kept, and the message says to choose a DPO objective', async () => {
    await openTrain('tsource=file&tsteps=1&tbatch=2&tprobe=0&tdevice=wasm&tobj=sft');
    await lab.page.locator('lab-train-view #train-file').setInputFiles({ name: 'pairs.jsonl', mimeType: 'text/plain', buffer: Buffer.from(jsonl) });
    await lab.page.locator('lab-train-view #train-status', { hasText: 'pairs.jsonl: 4 rows of DPO pairs (prompt/chosen/rejected): choose a DPO objective' }).waitFor();
    expect(await trainError().count()).toBe(0); // not the CLI's "pass it with --dpo"
    await lab.page.locator('lab-train-view #train-start').click();
    expect(await trainError().textContent()).toBe('pairs.jsonl holds DPO pairs: choose a DPO objective, or import a file for this one');
    // Switching the objective is enough: the same import trains.
    await lab.page.locator('lab-train-view select').filter({ has: lab.page.locator('option[value=sigmoid]') }).selectOption('sigmoid');
    await lab.page.locator('lab-train-view #train-start').click();
    await lab.page.locator('lab-train-view #train-status', { hasText: 'Finished: 1 step' }).waitFor({ timeout: 120_000 });
    expect(await trainError().count()).toBe(0);
  });

  it('pairs whose token counts come from another tokenizer are refused with the line and field', async () => {
    // tiny-a and tiny-b split these texts alike (shared prefixes of 17, 18, 11 and 16 tokens), so
    // write what a tokenizer with finer pieces would record: 3 more tokens each.
    const rows = PAIR_ROWS.map((r, i) => JSON.stringify({ prompt: r.prompt, chosen: r.chosen, rejected: r.rejected, meta: { common_prefix_tokens: [17, 18, 11, 16][i]! + 3 } }));
    await openTrain('tsource=file&tsteps=1&tbatch=2&tdevice=wasm');
    await lab.page.locator('lab-train-view #train-file').setInputFiles({ name: 'other.jsonl', mimeType: 'text/plain', buffer: Buffer.from(rows.join('\n') + '\n') });
    await lab.page.locator('lab-train-view #train-status', { hasText: 'other.jsonl: 4 rows' }).waitFor();
    await lab.page.locator('lab-train-view #train-start').click();
    await trainError().waitFor({ timeout: 120_000 });
    expect(await trainError().textContent()).toMatch(/^other\.jsonl:1: field "meta\.common_prefix_tokens" is 20 but this model's tokenizer finds 17: the pairs were extracted for another model: in the Data view, choose this model as "Model \(perplexity, prefix tokens\)" and extract the pairs again/);
    expect(await trainError().textContent()).not.toMatch(/lab extract/);
  });

  it('a worker crash in the view: #train-error names the kept checkpoint', async () => {
    await openTrain('tsource=file&tsteps=3&tbatch=2&tprobe=1&tdevice=wasm&tstep=1');
    await importPairs();
    await lab.page.locator('lab-train-view #train-start').click();
    await enabled('train-step');
    await lab.page.locator('lab-train-view #train-step').click();
    await lab.page.locator('lab-train-view #train-status', { hasText: 'Checkpoint saved at step 1' }).waitFor({ timeout: 120_000 });
    // What the browser delivers when the worker dies of an uncaught error.
    await lab.page.evaluate(() => {
      const view = document.querySelector('lab-app')!.shadowRoot!.querySelector('lab-train-view') as any;
      view.run.worker.dispatchEvent(new ErrorEvent('error', { message: 'simulated crash' }));
    });
    await trainError().waitFor();
    expect(await trainError().textContent()).toBe('The training worker crashed (simulated crash). The checkpoint saved at step 1 is kept: Resume continues from it.');
    expect(await lab.page.locator('lab-train-view #train-resume').isDisabled()).toBe(false);
  });

  it('a worker crash shows a message naming the kept checkpoint', async () => {
    await lab.page.goto(`${lab.url}/tests/browser/train-harness.html`);
    await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    const r = await lab.page.evaluate((rows) => (globalThis as any).labTest.crash(rows), jsonl);
    expect(r.message).toBe('The training worker crashed (simulated crash). The checkpoint saved at step 1 is kept: Resume continues from it.');
    expect(r.step).toBe(1);
  });

  it('has no serious or critical axe violations', async () => {
    const page = lab.page;
    await page.goto(`${lab.url}/#view=train`);
    await page.waitForSelector('lab-train-view');
    await page.addScriptTag({ content: readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8') });
    const violations = await page.evaluate(async () => {
      type Axe = { run: (ctx: unknown) => Promise<{ violations: { id: string; impact: string | null }[] }> };
      const r = await (window as unknown as { axe: Axe }).axe.run(document);
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify((v as unknown as { nodes: { target: unknown }[] }).nodes.map((n) => n.target))}`);
    });
    expect(violations).toEqual([]);
  });
});
