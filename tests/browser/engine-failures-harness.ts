/**
 * Browser side of tests/browser/engine-failures.test.ts: tiny-a in real engine workers (wasm),
 * engines reached over real MessagePorts, and the real Models and Search views. Each function
 * returns plain JSON; a promise that never settles is reported as "hung" after `HANG_MS`.
 */
import { WorkerEngine } from '../../src/engines/worker-client.js';
import { loadEngine } from '../../src/ui/app/engines.js';
import { session } from '../../src/ui/app/session.js';
import '../../src/ui/models/models-view.js';
import '../../src/ui/search/lab-search-view.js';

const HANG_MS = 20_000;
const SPEC = { backend: 'ort', id: 'tiny-a', baseUrl: '/models/tiny-a/', device: 'wasm' } as const;
const LONG = { messages: [{ role: 'user' as const, content: 'How many r are in strawberry?' }], n: 4, maxTokens: 2000, temperature: 1, seed: 3, stop: [] };

/** How a promise ended: "ok", the error's name and message, or "hung". */
async function outcome(p: Promise<unknown>): Promise<{ how: string; message: string; ms: number }> {
  const t0 = performance.now();
  let timer = 0;
  const hung = new Promise<{ how: string; message: string }>((res) => (timer = window.setTimeout(() => res({ how: 'hung', message: '' }), HANG_MS)));
  const r = await Promise.race([p.then(() => ({ how: 'ok', message: '' }), (e: Error) => ({ how: e.name, message: e.message })), hung]);
  clearTimeout(timer);
  return { ...r, ms: performance.now() - t0 };
}

async function load(): Promise<{ engine: WorkerEngine; worker: Worker; crashes: string[] }> {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module' });
  const engine = await WorkerEngine.load(worker, SPEC);
  const crashes: string[] = [];
  engine.onCrash((e) => crashes.push(`${e.name}: ${e.message}`));
  return { engine, worker, crashes };
}

/** Resolves once `engine` streams its first token for a long generation (the request is running). */
function startLong(engine: WorkerEngine): { done: Promise<unknown>; started: Promise<void> } {
  let started!: () => void;
  const s = new Promise<void>((r) => (started = r));
  const done = engine.generate({ ...LONG, onToken: () => started() });
  done.catch(() => started());
  return { done, started: s };
}

/** Unload (dispose) the owning engine while one of its own generations runs and one waits. */
async function unloadWhileGenerating() {
  const { engine, crashes } = await load();
  const running = startLong(engine);
  await running.started;
  const queued = engine.generate(LONG);
  const disposed = outcome(engine.dispose());
  const [a, b] = await Promise.all([outcome(running.done), outcome(queued)]);
  return { running: a, queued: b, dispose: await disposed, crashes, after: await outcome(engine.tokenize('abc')) };
}

/** An engine attached over a MessagePort while the owner unloads the model, then while the worker crashes. */
async function portFailures() {
  const first = await load();
  const attached = WorkerEngine.attach(first.engine.connect(), first.engine.info);
  const portCrashes: string[] = [];
  attached.onCrash((e) => portCrashes.push(e.name));
  const running = startLong(attached);
  await running.started;
  // Three more generations wait in the worker's queue behind the running one.
  const queued = [attached.generate(LONG), attached.generate(LONG), attached.generate(LONG)];
  void first.engine.dispose();
  const unload = {
    running: await outcome(running.done),
    queued: await Promise.all(queued.map(outcome)),
    later: await outcome(attached.tokenize('abc')),
    portCrashes: [...portCrashes],
  };

  // A crash: a malformed control message throws inside the worker (an uncaught error there).
  const second = await load();
  const port = WorkerEngine.attach(second.engine.connect(), second.engine.info);
  const run2 = startLong(port);
  await run2.started;
  second.worker.postMessage({ type: 'connect', port: null });
  const crash = { running: await outcome(run2.done), ownerCrashes: second.crashes, later: await outcome(port.tokenize('abc')) };
  second.worker.terminate();
  return { unload, crash };
}

/** A request that gets no answer in time is interrupted and rejected; the engine stays usable. */
async function timeouts() {
  const { engine } = await load();
  const hasty = WorkerEngine.attach(engine.connect(), engine.info, { timeoutMs: 150 });
  const slow = await outcome(hasty.generate(LONG));
  const after = await outcome(engine.tokenize('abc'));
  const tokens = await engine.tokenize('abc');
  await engine.dispose();
  return { slow, after, tokens: tokens.length };
}

/** Mount the Models and Search views on a session with tiny-a loaded through the app's own loader. */
async function mountViews(hash: string) {
  history.replaceState(null, '', hash);
  await loadEngine(SPEC);
  const mount = document.getElementById('mount')!;
  const models = document.createElement('lab-models-view');
  const search = document.createElement('lab-search-view');
  mount.append(models, search);
  await models.updateComplete;
  await search.updateComplete;
}

function sessionInfo() {
  return { engines: [...session.state.engines.keys()], inUse: Object.fromEntries(session.state.inUse) };
}

Object.assign(globalThis, { labFail: { unloadWhileGenerating, portFailures, timeouts, mountViews, sessionInfo } });
document.getElementById('status')!.textContent = 'ready';
