/**
 * The trainer in headless Chromium: a few DPO steps on wasm and on WebGPU (SwiftShader) give the
 * metrics Node's trainer gives on the same pairs and seed (wasm: within 1e-5 relative — measured
 * 4e-6: the cross-origin-isolated page runs jax-js's wasm kernels on threads, which sums in another
 * order than Node's single thread; WebGPU: within 1e-3, its reductions are not bitwise
 * reproducible), and a
 * checkpoint built in the page loads in onnxruntime-web with the trainer's logits (1e-4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JaxTrainer, prepareReference, type StepMetrics } from '../../src/train/trainer.js';
import { jaxWasm, model, pairs, PAIR_ROWS, settings } from '../unit/train-fixtures.js';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/tests/browser/train-harness.html');
  await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
});
afterAll(async () => lab?.close());

const STEPS = 3;
const LR = 2e-4;
const KEYS = ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'logps/chosen', 'logps/rejected', 'grad_norm'] as const;

let node: StepMetrics[];
beforeAll(async () => {
  await jaxWasm();
  const m = model('tiny-a');
  const ex = pairs(m);
  const tr = new JaxTrainer(m.cfg, m.weights, settings({ lr: LR, steps: STEPS, microBatch: ex.length }), m.tok.padId);
  await prepareReference(tr, ex);
  node = [];
  for (let i = 0; i < STEPS; i++) node.push(await tr.step(ex));
  tr.dispose();
});

function compare(browser: StepMetrics[], tol: number) {
  expect(browser).toHaveLength(STEPS);
  for (let s = 0; s < STEPS; s++)
    for (const k of KEYS) {
      const a = browser[s]![k]!;
      const b = node[s]![k]!;
      expect(Number.isFinite(a), `${k} at step ${s + 1}`).toBe(true);
      expect(Math.abs(a - b), `${k} at step ${s + 1}: browser ${a}, Node ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
    }
}

describe('trainer in Chromium', () => {
  it('wasm: the same metrics as Node (1e-5 relative), and the checkpoint loads in onnxruntime-web (1e-4)', async () => {
    const r = await lab.page.evaluate(([rows, steps, lr]) => (globalThis as any).labTest.train('wasm', 'tiny-a', rows, steps, lr), [PAIR_ROWS, STEPS, LR] as const);
    let worst = 0;
    for (let i = 0; i < STEPS; i++) for (const k of KEYS) worst = Math.max(worst, Math.abs(r.metrics[i][k] - node[i]![k]!) / Math.max(1, Math.abs(node[i]![k]!)));
    console.log(`wasm in Chromium vs Node: largest relative metric difference ${worst.toExponential(2)}`);
    compare(r.metrics, 1e-5);
    expect(r.checkpointLogitDiff).toBeLessThan(1e-4);
    expect(r.metrics[STEPS - 1]['rewards/margins']).toBeGreaterThan(0);
  });

  it('WebGPU (SwiftShader): the same metrics as Node within 1e-3 relative', async () => {
    const r = await lab.page.evaluate(([rows, steps, lr]) => (globalThis as any).labTest.train('webgpu', 'tiny-a', rows, steps, lr), [PAIR_ROWS, STEPS, LR] as const);
    console.log(`WebGPU trainer: ${STEPS} steps in ${(r.ms / 1000).toFixed(1)} s; last loss ${r.metrics[STEPS - 1].loss} (Node ${node[STEPS - 1]!.loss})`);
    compare(r.metrics, 1e-3);
    expect(r.checkpointLogitDiff).toBeLessThan(1e-4);
  });
});
