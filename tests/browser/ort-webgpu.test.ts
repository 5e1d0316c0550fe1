/**
 * In headless Chromium the embedded model runs on WebGPU (SwiftShader) and on wasm, the logits
 * agree (1e-3) with each other and with onnxruntime-node, the KV cache matches a full pass, and
 * the engine worker loads with per-file progress, streams tokens, is deterministic and interrupts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeEngine } from '../../src/engines/ort/node.js';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/tests/browser/harness.html');
  await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
});
afterAll(async () => lab?.close());

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Index of the largest logit per position. */
function argmaxRows(xs: ArrayLike<number>, V: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < xs.length / V; t++) {
    let best = 0;
    for (let v = 1; v < V; v++) if (xs[t * V + v]! > xs[t * V + best]!) best = v;
    out.push(best);
  }
  return out;
}

const IDS = [72, 111, 119, 32, 109, 97, 110, 121, 32, 114, 39, 115, 32, 105, 110, 63];

describe('onnxruntime-web in Chromium', () => {
  it('has a WebGPU adapter', async () => {
    const info = await lab.page.evaluate(() => (globalThis as any).labTest.adapterInfo());
    expect(info).not.toBeNull();
    expect(info.features.length).toBeGreaterThan(0);
  });

  for (const model of ['tiny-a', 'tiny-b']) {
    it(`${model}: WebGPU and wasm logits agree (1e-3 of the logit scale, same argmax), wasm = onnxruntime-node (1e-4), and the KV cache matches`, async () => {
      const gpu = await lab.page.evaluate(([m, ids]) => (globalThis as any).labTest.logits('webgpu', m, ids), [model, IDS] as const);
      const wasm = await lab.page.evaluate(([m, ids]) => (globalThis as any).labTest.logits('wasm', m, ids), [model, IDS] as const);
      expect(gpu.device).toBe('webgpu');
      const node = await loadNodeEngine(model, { cacheBytes: 0 });
      const res = await node.runner.forward([IDS], node.runner.emptyPast(1));
      const V = node.runner.shape.vocab;
      // wasm is the same CPU math as onnxruntime-node.
      expect(maxAbs(wasm.full, res.logits)).toBeLessThan(1e-4);
      // ORT's WebGPU kernels on SwiftShader differ from the CPU by a few 1e-3 on trained logits of
      // size ~15 (fp32 GPU math): checked relative to the logit scale, and the argmax must match.
      const scale = Math.max(1, ...Array.from(res.logits, Math.abs));
      const abs = maxAbs(gpu.full, wasm.full);
      console.log(`${model}: WebGPU vs wasm logits: max abs diff ${abs.toExponential(2)} at logit scale ${scale.toFixed(1)}`);
      expect(abs / scale).toBeLessThan(1e-3);
      expect(argmaxRows(gpu.full, V)).toEqual(argmaxRows(wasm.full, V));
      const last = gpu.full.slice((IDS.length - 1) * V, IDS.length * V);
      expect(maxAbs(gpu.cachedLast, last) / scale).toBeLessThan(1e-4);
      await node.dispose();
    });
  }

  it('the engine worker loads with per-file progress, streams, is deterministic and interrupts', async () => {
    const run = () => lab.page.evaluate(() => (globalThis as any).labTest.workerGenerate('webgpu', 'tiny-a', "How many r's are in strawberry?", 3, 5));
    const a = await run();
    expect(a.files).toEqual(['tiny-a/config.json', 'tiny-a/generation_config.json', 'tiny-a/onnx/model.onnx', 'tiny-a/tokenizer.json', 'tiny-a/tokenizer_config.json']);
    expect(a.phases).toEqual(expect.arrayContaining(['download', 'init', 'warmup', 'ready']));
    expect(a.info.device).toBe('webgpu');
    expect(a.samples).toHaveLength(3);
    expect(a.updates).toBe(a.samples.reduce((s: number, x: { tokens: number[] }) => s + x.tokens.length, 0));
    expect(a.abortResult).toBe('AbortError');
    const b = await run();
    expect(b.samples).toEqual(a.samples);
  });
});
