/**
 * Browser-side helpers driven by tests/browser/*.test.ts through Playwright. Everything here is the
 * real thing: onnxruntime-web on WebGPU (SwiftShader in CI) or wasm, the real model files served by
 * vite, the real worker.
 */
import type { Completion } from '../../src/core/engine.js';
import { loadWebEngine } from '../../src/engines/ort/web.js';
import { WorkerEngine } from '../../src/engines/worker-client.js';

async function adapterInfo() {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) return null;
  const info = adapter.info;
  return { vendor: info.vendor, architecture: info.architecture, features: [...adapter.features].sort(), maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize };
}

/** Logits of every position of `ids` (full pass) and of the last position via a KV-cached pass. */
async function logits(device: 'webgpu' | 'wasm', model: string, ids: number[]) {
  const engine = await loadWebEngine({ id: model, baseUrl: `/models/${model}/`, device, cacheBytes: 0 });
  const r = engine.runner;
  const full = await r.forward([ids], r.emptyPast(1));
  const a = await r.forward([ids.slice(0, ids.length - 3)], r.emptyPast(1));
  const b = await r.forward([ids.slice(ids.length - 3)], a.present);
  const out = { full: Array.from(full.logits), cachedLast: Array.from(r.logitsAt(b, 0, 2)), device: engine.info.device };
  await engine.dispose();
  return out;
}

/** Generate through a module worker, with streaming updates counted. */
async function workerGenerate(device: 'webgpu' | 'wasm', model: string, prompt: string, n: number, seed: number) {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module' });
  const files = new Set<string>();
  const phases: string[] = [];
  const engine = await WorkerEngine.load(worker, { backend: 'ort', id: model, baseUrl: `/models/${model}/`, device }, (p) => {
    if (p.file) files.add(p.file);
    phases.push(p.phase);
  });
  let updates = 0;
  const samples: Completion[] = await engine.generate({ messages: [{ role: 'user', content: prompt }], n, seed, maxTokens: 32, onToken: () => updates++ });
  const ctl = new AbortController();
  const aborted = engine.generate({ messages: [{ role: 'user', content: prompt }], n: 2, maxTokens: 400, onToken: () => ctl.abort() }, ctl.signal).then(
    () => 'finished',
    (e: Error) => e.name,
  );
  const abortResult = await aborted;
  const info = engine.info;
  await engine.dispose();
  return { samples: samples.map((s) => ({ tokens: s.tokens, text: s.text })), updates, files: [...files].sort(), phases: [...new Set(phases)], info, abortResult };
}

Object.assign(globalThis, { labTest: { adapterInfo, logits, workerGenerate } });
document.getElementById('status')!.textContent = 'ready';
