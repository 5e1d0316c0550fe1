/**
 * Browser side of gpu-path.test.ts: the same generation and scoring with KV and logits kept on the
 * WebGPU device and with today's read-everything path, plus the q4f16 twin, with the runner's
 * readback counters.
 */
import { embeddedOnnxFile } from './gpu-path-models.js';
import { loadWebEngine } from '../../src/engines/ort/web.js';

async function run(device: 'webgpu' | 'wasm', model: string, deviceKv: boolean, prompt: string, n: number, maxTokens: number) {
  const engine = await loadWebEngine({ id: model, baseUrl: `/models/${model.replace('-q4f16', '')}/`, device, deviceKv, cacheBytes: 0, ...embeddedOnnxFile(model) });
  const r = engine.runner;
  const before = { ...r.counters };
  const out = await engine.generate({ messages: [{ role: 'user', content: prompt }], n, temperature: 0.8, seed: 3, maxTokens });
  const after = { ...r.counters };
  const scored = await engine.score({ messages: [{ role: 'user', content: 'What is 2+3?' }], completions: ['<Answer>\\boxed{5}</Answer>', '<Answer>\\boxed{6}</Answer>'] });
  const res = {
    device: engine.info.device,
    kvType: r.kvType,
    onDevice: r.store.onDevice,
    vocab: r.shape.vocab,
    tokens: out.map((c) => c.tokens),
    steps: after.forwards - before.forwards,
    deviceReadBytes: after.deviceReadBytes - before.deviceReadBytes,
    kvBytes: after.kvBytes - before.kvBytes,
    scores: scored.sequences.map((s) => s.sum),
  };
  await engine.dispose();
  return res;
}

/** Score `pairs` prompt/chosen/rejected triples (the Objectives path: engine.score per pair) and count the readback. */
async function scorePairs(device: 'webgpu' | 'wasm', deviceKv: boolean, pairs: { prompt: string; chosen: string; rejected: string }[]) {
  const engine = await loadWebEngine({ id: 'tiny-a', baseUrl: '/models/tiny-a/', device, deviceKv, cacheBytes: 0 });
  const r = engine.runner;
  const before = r.counters.deviceReadBytes;
  const sums: number[][] = [];
  let tokens = 0;
  for (const p of pairs) {
    const s = await engine.score({ messages: [{ role: 'user', content: p.prompt }], completions: [p.chosen, p.rejected], maskCommonPrefix: true });
    sums.push(s.sequences.map((x) => x.sum));
    tokens += s.sequences.reduce((a, x) => a + x.tokens.length, 0);
  }
  const res = { sums, tokens, vocab: r.shape.vocab, deviceReadBytes: r.counters.deviceReadBytes - before };
  await engine.dispose();
  return res;
}

/**
 * The radix prefix cache with GPU blocks: a search-like sequence (a prompt, its samples, then a
 * child continuing each sample) with the cache on and off on the same device.
 */
async function cacheRun(device: 'webgpu' | 'wasm', cacheBytes: number) {
  const engine = await loadWebEngine({ id: 'tiny-a', baseUrl: '/models/tiny-a/', device, cacheBytes });
  const messages = [{ role: 'user' as const, content: 'How many e are in excellence?' }];
  const first = await engine.generate({ messages, n: 3, temperature: 0.9, seed: 11, maxTokens: 12 });
  const children = [];
  for (const c of first) children.push(...(await engine.generate({ messages, prefix: c.text, n: 2, temperature: 0.9, seed: 12, maxTokens: 8 })));
  const again = await engine.generate({ messages, n: 3, temperature: 0.9, seed: 11, maxTokens: 12 });
  const res = { tokens: [...first, ...children, ...again].map((c) => c.tokens), stats: engine.cacheStats(), kvBytes: engine.runner.counters.kvBytes, onDevice: engine.runner.store.onDevice };
  await engine.dispose();
  return res;
}

(globalThis as any).labTest = { run, scorePairs, cacheRun };
document.getElementById('status')!.textContent = 'ready';
