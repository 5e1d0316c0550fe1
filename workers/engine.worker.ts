/// <reference lib="webworker" />
/**
 * Hosts one Engine behind the typed RPC of src/core/rpc.ts. Requests run one at a time in arrival
 * order; `interrupt` aborts a running or queued request. Errors are sent back, never thrown away,
 * so the UI can show them; the worker stays usable after a failed request.
 */
import type { Engine } from '../src/core/engine.js';
import type { FromWorker, ToWorker } from '../src/core/rpc.js';
import { loadWebEngine } from '../src/engines/ort/web.js';

let engine: Engine | null = null;
const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

function post(msg: FromWorker): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg);
}

function fail(id: number, e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', id, error: { name: err.name, message: err.message } });
}

function need(): Engine {
  if (!engine) throw new Error('no model is loaded in this worker: send "load" first');
  return engine;
}

async function handle(msg: ToWorker): Promise<void> {
  const ctl = controllers.get(msg.id);
  const signal = ctl?.signal;
  switch (msg.type) {
    case 'load': {
      if (engine) await engine.dispose();
      engine = null;
      engine = await loadWebEngine(msg.spec, (progress) => post({ type: 'progress', id: msg.id, progress }));
      post({ type: 'ready', id: msg.id, info: engine.info });
      return;
    }
    case 'generate': {
      const result = await need().generate({ ...msg.request, ...(msg.stream ? { onToken: (event) => post({ type: 'update', id: msg.id, event }) } : {}) }, signal);
      post({ type: 'complete', id: msg.id, result });
      return;
    }
    case 'score': {
      const e = need();
      if (!e.score) throw new Error(`model ${e.info.id} cannot score sequences`);
      post({ type: 'complete', id: msg.id, result: await e.score(msg.request, signal) });
      return;
    }
    case 'tokenize':
      post({ type: 'complete', id: msg.id, result: await need().tokenize(msg.text) });
      return;
    case 'dispose':
      await engine?.dispose();
      engine = null;
      post({ type: 'complete', id: msg.id, result: null });
      return;
    case 'interrupt':
      return;
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'interrupt') {
    controllers.get(msg.target)?.abort();
    post({ type: 'complete', id: msg.id, result: null });
    return;
  }
  controllers.set(msg.id, new AbortController());
  queue = queue.then(async () => {
    try {
      if (controllers.get(msg.id)?.signal.aborted) throw Object.assign(new Error('the request was aborted'), { name: 'AbortError' });
      await handle(msg);
    } catch (e) {
      fail(msg.id, e);
    } finally {
      controllers.delete(msg.id);
    }
  });
};
