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

/** bench/gpu-path.ts: one timed generation (after a warm-up) with readback counters. */
async function benchDecode(model: string, deviceKv: boolean, n: number, maxTokens: number) {
  const engine = await loadWebEngine({ id: model, baseUrl: `/models/${model.replace('-q4f16', '')}/`, device: 'webgpu', deviceKv, cacheBytes: 0, ...embeddedOnnxFile(model) });
  const req = { messages: [{ role: 'user' as const, content: 'How many r are in strawberry?' }], n, temperature: 0.8, seed: 1, maxTokens };
  await engine.generate({ ...req, maxTokens: 4 });
  const c0 = { ...engine.runner.counters };
  const t0 = performance.now();
  const out = await engine.generate(req);
  const ms = performance.now() - t0;
  const c1 = engine.runner.counters;
  await engine.dispose();
  const tokens = out.reduce((a, c) => a + c.tokens.length, 0);
  return { ms, tokens, forwards: c1.forwards - c0.forwards, deviceReadBytes: c1.deviceReadBytes - c0.deviceReadBytes };
}

/** bench/gpu-path.ts: score `pairs` synthetic pairs, timed, with readback counters. */
async function benchScore(deviceKv: boolean, pairs: number) {
  const list = Array.from({ length: pairs }, (_, i) => ({ prompt: `What is ${i} + ${i + 1}?`, chosen: `<Thinking>${i} + ${i + 1} = ${2 * i + 1}</Thinking><Answer>\\boxed{${2 * i + 1}}</Answer>`, rejected: `<Answer>\\boxed{${2 * i}}</Answer>` }));
  const t0 = performance.now();
  const r = await scorePairs('webgpu', deviceKv, list);
  return { ms: performance.now() - t0, tokens: r.tokens, deviceReadBytes: r.deviceReadBytes };
}

(globalThis as any).labTest = { run, scorePairs, cacheRun, benchDecode, benchScore };
document.getElementById('status')!.textContent = 'ready';
