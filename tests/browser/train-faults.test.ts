/**
 * Failures of a training run in headless Chromium, on the real trainer, the real GPU device and
 * the real IndexedDB (tests/browser/train-faults.worker.ts delivers each fault to the unchanged
 * training worker, after the checkpoint of step 1 is saved):
 * - the GPU device is destroyed while step 2 runs on WebGPU: one message naming the lost device
 *   and the kept checkpoint (step 1), which is still in IndexedDB;
 * - the save of step 2 aborts with a QuotaExceededError, as a full disk makes Chromium abort it:
 *   one message that names the kept step and how to free space; the step-1 record is unchanged;
 * - the tab is closed while the save of step 2 is in flight: the step-1 record is still whole
 *   (every file, same sizes) and generates text in onnxruntime-web.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAIR_ROWS } from '../unit/train-fixtures.js';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/tests/browser/train-faults-harness.html');
  await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
});
afterAll(async () => lab?.close());

const jsonl = PAIR_ROWS.map((r) => JSON.stringify({ prompt: r.prompt, chosen: r.chosen, rejected: r.rejected })).join('\n') + '\n';
const FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'model.safetensors', 'optimizer.safetensors', 'trainer_state.json'];

describe('training faults', () => {
  it('a GPU device lost during step 2 (WebGPU): the message names it and the kept step-1 checkpoint', async () => {
    const r = await lab.page.evaluate((rows) => (globalThis as any).labTest.faultRun(rows, 'lost-1', 'webgpu', 'lose-device'), jsonl);
    console.log(`device lost: ${(r.elapsedMs / 1000).toFixed(1)} s; message: ${r.message}`);
    expect(r.saved).toEqual([1]);
    expect(r.message).toMatch(/^The GPU device was lost during step 2 \(destroyed/);
    expect(r.message).toMatch(/The checkpoint saved at step 1 is kept: Resume continues from it\./);
    const rec = await lab.page.evaluate(() => (globalThis as any).labTest.readCheckpoint('lost-1'));
    expect(rec.step).toBe(1);
    expect(rec.metrics).toEqual([1]);
  });

  it('storage full while saving step 2: one message with the kept step and how to free space; step 1 intact', async () => {
    const r = await lab.page.evaluate((rows) => (globalThis as any).labTest.faultRun(rows, 'quota-1', 'wasm', 'quota'), jsonl);
    console.log(`quota: ${(r.elapsedMs / 1000).toFixed(1)} s; message: ${r.message}`);
    expect(r.saved).toEqual([1]);
    expect(r.message).toMatch(/^cannot save checkpoint "fault quota" at step 2: the browser's storage for this site is full\./);
    expect(r.message).toMatch(/Delete checkpoints you no longer need \(Delete, under Saved checkpoints in the Train or Models view\)/);
    expect(r.message).toMatch(/nothing was half-saved\. The checkpoint saved at step 1 is kept: Resume continues from it\.$/);
    const rec = await lab.page.evaluate(() => (globalThis as any).labTest.readCheckpoint('quota-1'));
    expect(rec.step).toBe(1);
    expect(rec.metrics).toEqual([1]);
    expect(rec.files).toEqual(r.before.files);
  });

  it('the tab closed in the middle of saving step 2: the step-1 checkpoint is whole and loads', async () => {
    // Two tabs of one browser context (one profile, so one IndexedDB): train in the first, close
    // it mid-save, read in the second.
    const context = await lab.browser.newContext();
    const open = async () => {
      const page = await context.newPage();
      await page.goto(`${lab.url}/tests/browser/train-faults-harness.html`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
      return page;
    };
    const tab = await open();
    const r = await tab.evaluate((rows) => (globalThis as any).labTest.faultRun(rows, 'closed-1', 'wasm', 'hold-put'), jsonl);
    expect(r.message).toBe('held');
    expect(r.saved).toEqual([1]);
    await tab.close();
    const rec = await (await open()).evaluate(() => (globalThis as any).labTest.readCheckpoint('closed-1', true));
    await context.close();
    expect(rec.step).toBe(1);
    expect(rec.consumed).toBe(2);
    expect(Object.keys(rec.files).sort()).toEqual([...FILES].sort());
    expect(rec.files).toEqual(r.before.files);
    expect(rec.text.length).toBeGreaterThan(0);
  });
});
