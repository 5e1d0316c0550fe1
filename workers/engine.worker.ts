/// <reference lib="webworker" />
/**
 * Hosts one Engine behind the typed RPC of src/core/rpc.ts. Requests run one at a time in arrival
 * order; `interrupt` aborts a running or queued request. Errors are sent back, never thrown away,
 * so the UI can show them; the worker stays usable after a failed request.
 *
 * Besides the worker's own channel (its owner: load, dispose and every request), the RPC is served
 * on extra MessagePorts sent with a `connect` control message (src/engines/worker-client.ts), so a
 * second worker — the search worker — can use this model directly. Ports share the one request
 * queue; each has its own request ids; a port may not load or dispose the model.
 *
 * When the owner unloads the model (`unload` control, sent by `WorkerEngine.dispose()`) or the
 * worker hits an uncaught error, every request is aborted and each connected port gets a `fatal`
 * message, so engines reached over a port fail instead of waiting for answers that never come.
 */
import type { Engine, LoadProgress } from '../src/core/engine.js';
import type { FromWorker, ToWorker } from '../src/core/rpc.js';
import { loadBrowserEngine, loadCheckpointEngine } from '../src/engines/load-browser.js';
import { CheckpointStore } from '../src/store/checkpoints.js';
import type { EngineControl } from '../src/engines/worker-client.js';

let engine: Engine | null = null;
let queue: Promise<void> = Promise.resolve();

/** Every endpoint served (the owner's and each connected port), with its running requests. */
const served = new Set<{ ep: Endpoint; owner: boolean; controllers: Map<number, AbortController> }>();

/** Abort every request and tell each connected port (and, for a crash, the owner) why. */
function shutDown(error: { name: string; message: string }, tellOwner: boolean): void {
  for (const s of served) {
    for (const c of s.controllers.values()) c.abort();
    if (s.owner && !tellOwner) continue;
    s.ep.postMessage({ type: 'fatal', id: 0, error } satisfies FromWorker);
    if (!s.owner) {
      (s.ep as MessagePort).close();
      served.delete(s);
    }
  }
}

interface Endpoint {
  postMessage(message: unknown): void;
  onmessage: ((ev: MessageEvent) => unknown) | null;
}

/** The engine files of a checkpoint the Train view saved in IndexedDB. */
async function checkpointFiles(id: string): Promise<Uint8Array[]> {
  const store = await CheckpointStore.open();
  try {
    return await store.engineFiles(id);
  } finally {
    store.close();
  }
}

function need(): Engine {
  if (!engine) throw new Error('no model is loaded in this worker: send "load" first');
  return engine;
}

async function handle(msg: ToWorker, post: (m: FromWorker) => void, owner: boolean, signal: AbortSignal | undefined): Promise<void> {
  switch (msg.type) {
    case 'load': {
      if (!owner) throw new Error('a connected port cannot load a model: only the page that owns the engine worker can');
      if (engine) await engine.dispose();
      engine = null;
      const onProgress = (progress: LoadProgress) => post({ type: 'progress', id: msg.id, progress });
      engine = msg.spec.backend === 'ort' && msg.spec.checkpoint ? await loadCheckpointEngine(msg.spec, await checkpointFiles(msg.spec.checkpoint), onProgress) : await loadBrowserEngine(msg.spec, onProgress);
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
    case 'detokenize': {
      const e = need();
      if (!e.detokenize) throw new Error(`model ${e.info.id} has no local tokenizer to detokenize with`);
      post({ type: 'complete', id: msg.id, result: await e.detokenize(msg.ids) });
      return;
    }
    case 'dispose':
      if (!owner) throw new Error('a connected port cannot dispose the model: only the page that owns the engine worker can');
      await engine?.dispose();
      engine = null;
      post({ type: 'complete', id: msg.id, result: null });
      return;
    case 'interrupt':
      return;
  }
}

/** Serve the RPC on one endpoint (the worker scope itself, or a connected port). */
function serve(ep: Endpoint, owner: boolean): void {
  const controllers = new Map<number, AbortController>();
  const entry = { ep, owner, controllers };
  const post = (msg: FromWorker) => ep.postMessage(msg);
  const fail = (id: number, e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: 'error', id, error: { name: err.name, message: err.message } });
  };
  ep.onmessage = (ev: MessageEvent<ToWorker | EngineControl>) => {
    const msg = ev.data;
    if (msg.type === 'connect') {
      serve(msg.port, false);
      return;
    }
    if (msg.type === 'disconnect') {
      for (const c of controllers.values()) c.abort();
      if (!owner) {
        (ep as MessagePort).close();
        served.delete(entry);
      }
      return;
    }
    if (msg.type === 'unload') {
      if (owner) shutDown({ name: 'EngineClosedError', message: `model ${engine?.info.id ?? ''} was unloaded`.replace('  ', ' ') }, false);
      return;
    }
    if (msg.type === 'interrupt') {
      controllers.get(msg.target)?.abort();
      post({ type: 'complete', id: msg.id, result: null });
      return;
    }
    controllers.set(msg.id, new AbortController());
    queue = queue.then(async () => {
      try {
        if (controllers.get(msg.id)?.signal.aborted) throw Object.assign(new Error('the request was aborted'), { name: 'AbortError' });
        await handle(msg, post, owner, controllers.get(msg.id)?.signal);
      } catch (e) {
        fail(msg.id, e);
      } finally {
        controllers.delete(msg.id);
      }
    });
  };
  served.add(entry);
}

const scope = self as unknown as DedicatedWorkerGlobalScope;
// An uncaught error leaves the worker in an unknown state: fail every endpoint rather than hang.
scope.addEventListener('error', (ev: ErrorEvent) => {
  shutDown({ name: 'EngineCrashedError', message: `the engine worker of ${engine?.info.id ?? 'this model'} crashed (${ev.message || 'unknown error'}): reload the model` }, true);
});
serve(scope, true);
