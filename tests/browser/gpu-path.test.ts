/**
 * The GPU path in headless Chromium (WebGPU through SwiftShader): with KV and logits kept on the
 * device, a decode step reads back only the sampled logits rows (n × vocab × 4 bytes) instead of
 * every present tensor and the whole logits, and the samples are the same as with the
 * read-everything path. The q4f16 twin (float16 KV and logits) generates and scores on wasm and
 * matches onnxruntime-node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeEngine } from '../../src/engines/ort/node.js';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/tests/browser/gpu-path-harness.html');
  await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
});
afterAll(async () => lab?.close());

const PAIRS = Number(process.env.LAB_SCORE_PAIRS ?? 64);
const PROMPT = 'How many r are in strawberry?';
type Run = { device: string; kvType: string; onDevice: boolean; vocab: number; tokens: number[][]; steps: number; deviceReadBytes: number; kvBytes: number; scores: number[] };
const run = (device: string, model: string, deviceKv: boolean, n: number, maxTokens: number): Promise<Run> =>
  lab.page.evaluate(([d, m, k, nn, mt]) => (globalThis as any).labTest.run(d, m, k, 'How many r are in strawberry?', nn, mt), [device, model, deviceKv, n, maxTokens] as const);

describe('device-resident KV and logits on WebGPU', () => {
  it('a decode step reads back only the sampled rows; samples equal the read-everything path', async () => {
    const n = 4;
    const gpu = await run('webgpu', 'tiny-a', true, n, 24);
    const old = await run('webgpu', 'tiny-a', false, n, 24);
    expect(gpu.onDevice).toBe(true);
    expect(old.onDevice).toBe(false);
    expect(gpu.kvBytes).toBe(0);
    expect(gpu.tokens).toEqual(old.tokens);
    // Readback bound, computed from the shapes: the prefill's last row, then per decode step one
    // row per sequence still running (at most n), 4 bytes per float32 logit. No KV.
    const V = gpu.vocab;
    const decodeSteps = gpu.steps - 1;
    expect(gpu.deviceReadBytes).toBeLessThanOrEqual((1 + decodeSteps * n) * V * 4);
    expect(gpu.deviceReadBytes).toBeGreaterThanOrEqual((1 + decodeSteps) * V * 4);
    console.log(`WebGPU readback for ${n} samples × 24 tokens: device-resident ${(gpu.deviceReadBytes / 1024).toFixed(1)} KiB in ${gpu.steps} forwards vs read-everything ${(old.deviceReadBytes / 1024).toFixed(1)} KiB (${(old.deviceReadBytes / gpu.deviceReadBytes).toFixed(1)}x)`);
    expect(old.deviceReadBytes).toBeGreaterThan(4 * gpu.deviceReadBytes);
    // Scoring agrees between the two paths (the same kernels; only where outputs live differs).
    gpu.scores.forEach((s, i) => expect(Math.abs(s - old.scores[i]!)).toBeLessThan(1e-4));
  });
});

describe('the radix prefix cache on the device', () => {
  it('WebGPU: cached KV stays in GPU buffers, serves most prompt tokens, and changes no sample', async () => {
    const on = await lab.page.evaluate(() => (globalThis as any).labTest.cacheRun('webgpu', 64 * 1024 * 1024));
    const off = await lab.page.evaluate(() => (globalThis as any).labTest.cacheRun('webgpu', 0));
    expect(on.onDevice).toBe(true);
    expect(on.kvBytes).toBe(0); // no KV was read into JavaScript, cache included
    expect(on.tokens).toEqual(off.tokens);
    expect(off.stats.promptTokensReused).toBe(0);
    console.log(`GPU radix cache: ${on.stats.promptTokensReused}/${on.stats.promptTokens} prompt tokens from the cache, ${on.stats.entries} trie nodes, ${(on.stats.bytes / 1024).toFixed(0)} KiB`);
    expect(on.stats.promptTokensReused / on.stats.promptTokens).toBeGreaterThan(0.5);
  }, 300_000);
});

describe('scoring on WebGPU with the WGSL kernel', () => {
  it(`${PAIRS} pairs read back only per-token log-probs, equal to the CPU reference of onnxruntime-node`, async () => {
    const pairs = Array.from({ length: PAIRS }, (_, i) => ({ prompt: `What is ${i} + ${i + 1}?`, chosen: `<Thinking>${i} + ${i + 1} = ${2 * i + 1}</Thinking><Answer>\\boxed{${2 * i + 1}}</Answer>`, rejected: `<Thinking>${i} + ${i + 1} = ${2 * i}</Thinking><Answer>\\boxed{${2 * i}}</Answer>` }));
    const gpu = await lab.page.evaluate(([p]) => (globalThis as any).labTest.scorePairs('webgpu', true, p), [pairs] as const);
    // Readback bound from the shapes: 4 bytes per scored row (the padded batch of each pair) plus
    // sum and count per sequence; far below one logits row (V × 4 bytes) per token.
    const node = await loadNodeEngine('tiny-a', { cacheBytes: 0 });
    let padded = 0;
    let worst = 0;
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i]!;
      const s = await node.score({ messages: [{ role: 'user', content: p.prompt }], completions: [p.chosen, p.rejected], maskCommonPrefix: true });
      padded += 2 * (1 + Math.max(...s.sequences.map((x) => x.tokens.length)));
      s.sequences.forEach((x, j) => (worst = Math.max(worst, Math.abs(x.sum - gpu.sums[i][j]) / Math.max(1, Math.abs(x.sum)))));
    }
    await node.dispose();
    console.log(`${PAIRS} pairs on WebGPU: ${gpu.deviceReadBytes} bytes read back for ${gpu.tokens} tokens (a logits row is ${gpu.vocab * 4} bytes); largest relative difference to onnxruntime-node ${worst.toExponential(2)}`);
    expect(gpu.deviceReadBytes).toBe(padded * 4 + PAIRS * 2 * 8);
    expect(worst).toBeLessThan(1e-3);
  }, 600_000); // SwiftShader runs ~130 forward passes for 64 pairs
});

describe('the q4f16 twin in Chromium', () => {
  it('wasm: float16 KV, the same samples and scores as onnxruntime-node', async () => {
    const web = await run('wasm', 'tiny-a-q4f16', true, 2, 24);
    expect(web.kvType).toBe('float16');
    const node = await loadNodeEngine('tiny-a-q4f16', { cacheBytes: 0 });
    const out = await node.generate({ messages: [{ role: 'user', content: PROMPT }], n: 2, temperature: 0.8, seed: 3, maxTokens: 24 });
    const sc = await node.score({ messages: [{ role: 'user', content: 'What is 2+3?' }], completions: ['<Answer>\\boxed{5}</Answer>', '<Answer>\\boxed{6}</Answer>'] });
    await node.dispose();
    expect(web.tokens).toEqual(out.map((c) => c.tokens));
    // float16 activations: onnxruntime-node 1.30 and onnxruntime-web 1.31 accumulate MatMulNBits
    // differently, so sequence sums differ by a few percent (fp32 builds agree to 1e-4).
    web.scores.forEach((s, i) => {
      console.log(`q4f16 score ${i}: web ${s.toFixed(4)}, node ${sc.sequences[i]!.sum.toFixed(4)}`);
      expect(Math.abs(s - sc.sequences[i]!.sum)).toBeLessThan(0.05 * Math.abs(sc.sequences[i]!.sum));
    });
  });

  it('WebGPU: runs where the adapter has shader-f16, and otherwise fails with a message that names the feature', async () => {
    const features: string[] = await lab.page.evaluate(async () => [...((await (navigator as any).gpu.requestAdapter())?.features ?? [])]);
    const r = await lab.page.evaluate(() => (globalThis as any).labTest.run('webgpu', 'tiny-a-q4f16', true, 'How many r are in strawberry?', 2, 16).then((x: unknown) => ({ ok: x }), (e: Error) => ({ error: e.message })));
    if (features.includes('shader-f16')) {
      expect(r.ok?.kvType).toBe('float16');
    } else {
      console.log(`no shader-f16 on this adapter (SwiftShader): q4f16 on WebGPU says: ${r.error}`);
      expect(r.error).toMatch(/shader-f16/);
    }
  });
});
