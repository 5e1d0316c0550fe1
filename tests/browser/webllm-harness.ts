/**
 * Browser side of tests/browser/webllm-offline.test.ts: the real <lab-model-list> with the real
 * adapter report, and a real module worker that loads what the list asks for (the shell's job).
 */
import type { LoadModelDetail } from '../../src/engines/webllm/spec.js';
import { specFromDetail } from '../../src/engines/webllm/spec.js';
import type { LabModelList } from '../../src/ui/models/model-list.js';
import '../../src/ui/models/model-list.js';
import { detectGpu } from '../../src/ui/models/gpu-detect.js';

function newWorker(): Worker {
  return new Worker(new URL('./webllm-harness.worker.ts', import.meta.url), { type: 'module' });
}

function ask<T>(worker: Worker, msg: unknown): Promise<T> {
  return new Promise((resolve) => {
    worker.onmessage = (ev) => resolve(ev.data as T);
    worker.onerror = (ev) => resolve({ type: 'error', error: { name: 'WorkerError', message: ev.message }, ms: 0, phases: [] } as T);
    worker.postMessage(msg);
  });
}

/** Import web-llm on the page and in a worker once, so vite has optimised it before the tests. */
async function warm(): Promise<boolean> {
  await import('@mlc-ai/web-llm');
  const w = newWorker();
  const r = await ask<{ type: string; error?: { message: string } }>(w, { type: 'warm' });
  w.terminate();
  if (r.type !== 'warm') throw new Error(`warm-up worker failed: ${r.error?.message}`);
  return true;
}

let list: LabModelList | null = null;

/** Render the list with the real adapter report; rows as the user sees them. */
async function renderList() {
  list?.remove();
  const el = document.createElement('lab-model-list');
  el.gpu = await detectGpu();
  document.body.append(el);
  list = el;
  await el.updateComplete;
  await el.refreshCache();
  await el.updateComplete;
  const rows = [...el.shadowRoot!.querySelectorAll('tbody tr[data-id]')].map((tr) => {
    const cell = (c: string) => (tr.querySelector(`td.${c}`)?.textContent ?? '').replace(/\s+/g, ' ').trim();
    return { id: tr.getAttribute('data-id'), quant: tr.getAttribute('data-quant'), fit: tr.getAttribute('data-fit'), backend: cell('backend'), params: cell('params'), download: cell('download'), memory: cell('memory'), build: cell('build'), fitText: cell('fit'), cached: cell('cached') };
  });
  return { rows, adapter: el.shadowRoot!.querySelector('#adapter')?.textContent ?? '', features: el.gpu.features, storage: el.shadowRoot!.querySelector('#storage')?.textContent ?? '' };
}

/** Click Load on a row (confirming the warning when asked), load in a worker, show the outcome in the list. */
async function loadViaList(id: string, source: 'hub' | 'local' = 'hub', device: 'webgpu' | 'wasm' = 'webgpu') {
  const el = list!;
  el.source = source;
  await el.updateComplete;
  const root = el.shadowRoot!;
  const detail = new Promise<LoadModelDetail>((resolve) => el.addEventListener('load-model', (e) => resolve(e.detail), { once: true }));
  const t0 = performance.now();
  (root.querySelector(`tr[data-id="${id}"] button.load`) as HTMLButtonElement).click();
  await el.updateComplete;
  const confirm = root.querySelector('.confirm');
  const confirmText = confirm?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
  (root.querySelector('button.load-anyway') as HTMLButtonElement | null)?.click();
  const d = await detail;
  el.status = { ...el.status, [id]: { kind: 'loading', text: 'loading…' } };
  const w = newWorker();
  const out = await ask<{ type: string; ms: number; error?: { name: string; message: string }; phases: string[]; info?: unknown; tokens?: number }>(w, { type: 'load', spec: specFromDetail(d, device) });
  w.terminate();
  el.status = { ...el.status, [id]: out.type === 'error' ? { kind: 'error', text: out.error!.message } : { kind: 'ready', text: 'ready' } };
  await el.updateComplete;
  const shown = root.querySelector(`tr[data-status-for="${id}"] .status`)?.textContent ?? '';
  return { detail: { ...d, estimate: undefined }, confirmText, result: out, totalMs: performance.now() - t0, shown, role: root.querySelector(`tr[data-status-for="${id}"] .status`)?.getAttribute('role') };
}

Object.assign(globalThis, { labWebllm: { warm, renderList, loadViaList } });
document.getElementById('status')!.textContent = 'ready';
