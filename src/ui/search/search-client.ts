/**
 * The page side of the search worker: starts a search with models that live in engine workers
 * (each connected to the search worker by a MessagePort), keeps a growing mirror of the tree from
 * the streamed events, and reports through callbacks. `stop()` interrupts; a crashed engine or
 * search worker ends the search with an error instead of leaving it hanging.
 */
import type { WorkerEngine } from '../../engines/worker-client.js';
import { applyEventMessage, type FromSearchWorker, type ToSearchWorker } from '../../engines/search-rpc.js';
import type { SearchSpec } from '../../mcts/search-spec.js';
import type { Tree, TreeEvent } from '../../mcts/tree.js';

export interface SearchCallbacks {
  /** Every TreeEvent as it happens; `tree` is the growing mirror (mutated in place). */
  onEvent?(event: TreeEvent, tree: Tree, index: number): void;
  /** The search ended; `tree.stats.stoppedBy` says why (null: stopped before the first event). */
  onDone?(tree: Tree | null): void;
  onError?(error: Error): void;
}

/** Models for one search: engines in their own workers; `reflect` defaults to `think`. */
export interface SearchModels {
  think: WorkerEngine;
  reflect?: WorkerEngine;
}

export interface SearchHandle {
  readonly id: number;
  /** Interrupt the search; `done` then resolves with the partial tree. */
  stop(): void;
  /** The final tree; rejects with the search's error. */
  readonly done: Promise<Tree | null>;
  /** The tree so far. */
  tree(): Tree | null;
}

interface Run {
  mirror: Tree | null;
  callbacks: SearchCallbacks;
  resolve: (t: Tree | null) => void;
  reject: (e: Error) => void;
  cleanup: () => void;
}

/** A module worker running workers/search.worker.ts (vite bundles it from this URL). */
export function createSearchWorker(): Worker {
  return new Worker(new URL('../../../workers/search.worker.ts', import.meta.url), { type: 'module' });
}

export class SearchClient {
  private nextId = 1;
  private runs = new Map<number, Run>();
  private crashed: Error | null = null;

  constructor(private readonly worker: Worker = createSearchWorker()) {
    worker.onmessage = (ev: MessageEvent<FromSearchWorker>) => this.receive(ev.data);
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault?.();
      this.crash(new Error(`the search worker crashed (${ev.message || 'unknown error'}): run the search again`));
    };
  }

  /** Start a search; events stream to `callbacks` and the mirror. */
  start(spec: SearchSpec, models: SearchModels, callbacks: SearchCallbacks = {}): SearchHandle {
    const id = this.nextId++;
    let resolve!: (t: Tree | null) => void;
    let reject!: (e: Error) => void;
    const done = new Promise<Tree | null>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => undefined); // callers may listen through callbacks only
    const stop = () => this.worker.postMessage({ type: 'interrupt', id } satisfies ToSearchWorker);
    const reflect = models.reflect && models.reflect !== models.think ? models.reflect : undefined;
    const unsubs = [models.think, ...(reflect ? [reflect] : [])].map((e) =>
      e.onCrash((err) => {
        stop();
        this.finish(id, err);
      }),
    );
    const run: Run = { mirror: null, callbacks, resolve, reject, cleanup: () => unsubs.forEach((u) => u()) };
    this.runs.set(id, run);
    if (this.crashed) {
      this.finish(id, this.crashed);
    } else {
      try {
        const think = { port: models.think.connect(), info: models.think.info };
        const refl = reflect ? { port: reflect.connect(), info: reflect.info } : undefined;
        const msg: ToSearchWorker = { type: 'start', id, spec, think, ...(refl ? { reflect: refl } : {}) };
        this.worker.postMessage(msg, [think.port, ...(refl ? [refl.port] : [])]);
      } catch (e) {
        this.finish(id, e as Error);
      }
    }
    return { id, stop, done, tree: () => run.mirror };
  }

  private receive(msg: FromSearchWorker): void {
    const run = this.runs.get(msg.id);
    if (!run) return;
    if (msg.type === 'event') {
      try {
        run.mirror = applyEventMessage(run.mirror, msg);
      } catch (e) {
        this.worker.postMessage({ type: 'interrupt', id: msg.id } satisfies ToSearchWorker);
        this.finish(msg.id, e as Error);
        return;
      }
      run.callbacks.onEvent?.(msg.event, run.mirror, msg.index);
    } else if (msg.type === 'done') {
      run.mirror = msg.tree;
      this.finish(msg.id, null, msg.tree);
    } else {
      const err = new Error(msg.error.message);
      err.name = msg.error.name;
      this.finish(msg.id, err);
    }
  }

  private finish(id: number, err: Error | null, tree: Tree | null = null): void {
    const run = this.runs.get(id);
    if (!run) return;
    this.runs.delete(id);
    run.cleanup();
    if (err) {
      run.callbacks.onError?.(err);
      run.reject(err);
    } else {
      run.callbacks.onDone?.(tree);
      run.resolve(tree);
    }
  }

  private crash(err: Error): void {
    this.crashed = err;
    for (const id of [...this.runs.keys()]) this.finish(id, err);
  }

  /** Stop every search and end the worker. */
  dispose(): void {
    for (const id of this.runs.keys()) this.worker.postMessage({ type: 'interrupt', id } satisfies ToSearchWorker);
    this.crash(new Error('the search client was closed'));
    this.worker.terminate();
  }
}
