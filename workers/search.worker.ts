/// <reference lib="webworker" />
/**
 * Hosts the MCTS loop (`runSearch`) off the main thread. The models stay in their own engine
 * workers: `start` brings a MessagePort into each (think, and reflect when it differs), wrapped
 * here as attached WorkerEngines. Every TreeEvent streams back with the nodes it touched;
 * `interrupt` aborts (the partial tree comes back as `done` with `stoppedBy: "abort"`); any
 * failure comes back as an `error` message and the worker stays usable. One search at a time.
 */
import { WorkerEngine } from '../src/engines/worker-client.js';
import { touchedNodes, type FromSearchWorker, type ToSearchWorker } from '../src/engines/search-rpc.js';
import { runSearch } from '../src/mcts/search.js';
import { resolveSpec } from '../src/mcts/search-spec.js';
import type { Tree } from '../src/mcts/tree.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let current: { id: number; ctl: AbortController } | null = null;

function post(msg: FromSearchWorker): void {
  scope.postMessage(msg);
}

function fail(id: number, e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', id, error: { name: err.name, message: err.message } });
}

async function run(msg: Extract<ToSearchWorker, { type: 'start' }>): Promise<void> {
  const ctl = new AbortController();
  current = { id: msg.id, ctl };
  const think = WorkerEngine.attach(msg.think.port, msg.think.info);
  const reflect = msg.reflect ? WorkerEngine.attach(msg.reflect.port, msg.reflect.info) : undefined;
  const started = Date.now();
  let live: Tree | null = null;
  let sent = 0;
  try {
    const { problem, verifier, config } = resolveSpec(msg.spec);
    const tree = await runSearch(problem, verifier, { think, ...(reflect ? { reflect } : {}) }, config, {
      signal: ctl.signal,
      onEvent: (event, t) => {
        const index = t.events.length - 1;
        const nodes = touchedNodes(t, event, sent);
        sent = t.nodes.length;
        post({ type: 'event', id: msg.id, index, event, nodes, stats: t.stats, ...(live ? {} : { head: { schema: t.schema, id: t.id, task: t.task, config: t.config } }) });
        live = t;
      },
    });
    post({ type: 'done', id: msg.id, tree });
  } catch (e) {
    if (ctl.signal.aborted && (e as Error)?.name === 'AbortError') {
      const partial = live as Tree | null;
      if (partial) {
        partial.stats.stoppedBy = 'abort';
        partial.stats.seconds = Math.round((Date.now() - started) / 100) / 10;
      }
      post({ type: 'done', id: msg.id, tree: partial });
    } else fail(msg.id, e);
  } finally {
    await think.dispose();
    await reflect?.dispose();
    current = null;
  }
}

scope.onmessage = (ev: MessageEvent<ToSearchWorker>) => {
  const msg = ev.data;
  if (msg.type === 'interrupt') {
    if (current?.id === msg.id) current.ctl.abort();
    return;
  }
  if (msg.type === 'start') {
    if (current) {
      fail(msg.id, new Error(`search ${current.id} is still running in this worker: stop it first`));
      void WorkerEngine.attach(msg.think.port, msg.think.info).dispose();
      if (msg.reflect) void WorkerEngine.attach(msg.reflect.port, msg.reflect.info).dispose();
      return;
    }
    void run(msg);
    return;
  }
  fail((msg as { id?: number }).id ?? -1, new Error(`unknown message type "${(msg as { type?: string }).type}"`));
};
