/**
 * Runs searches for a Lit host: checks the chosen models (loaded, living in engine workers),
 * starts the search worker, keeps the live tree, saves the run incrementally to the store and
 * hands the finished tree to the session (`runId`, `trees`).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Engine } from '../../core/engine.js';
import type { SearchSpec } from '../../mcts/search-spec.js';
import type { Tree, TreeEvent } from '../../mcts/tree.js';
import { useEngines, type Session } from '../app/session.js';
import { search as t } from '../messages/search.js';
import { SearchClient, type SearchHandle, type SearchModels } from './search-client.js';
import { RunSaver } from './run-saver.js';

/** An engine the search worker can reach: one that lives in its own worker. */
function connectable(e: Engine): e is SearchModels['think'] {
  return typeof (e as Partial<SearchModels['think']>).connect === 'function' && typeof (e as Partial<SearchModels['think']>).onCrash === 'function';
}

export interface RunCallbacks {
  /** The live tree grew by one event. */
  onEvent(event: TreeEvent, tree: Tree, index: number): void;
  /** The search ended; `tree` is final (null when stopped before any event). */
  onDone(tree: Tree | null, runId: string | null): void;
}

export class SearchRunController implements ReactiveController {
  running = false;
  /** The live (or last) tree. */
  tree: Tree | null = null;
  error = '';
  /** Why the last search ended, as text. */
  status = '';
  saveError = '';
  runId: string | null = null;
  private client: SearchClient | null = null;
  private handle: SearchHandle | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly session: () => Session,
    private readonly callbacks: RunCallbacks,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.handle?.stop();
    this.client?.dispose();
    this.client = null;
  }

  /** Resolve model ids to engines, or say what is wrong. */
  models(think: string, reflect: string): SearchModels | string {
    const engines = this.session().state.engines;
    if (!engines.size) return t.noModels;
    const thinkId = think || [...engines.keys()][0]!;
    const pick = (id: string) => {
      const e = engines.get(id);
      if (!e) return t.unknownModel(id);
      return connectable(e) ? e : t.notInWorker(id);
    };
    const th = pick(thinkId);
    if (typeof th === 'string') return th;
    if (!reflect || reflect === thinkId) return { think: th };
    const re = pick(reflect);
    return typeof re === 'string' ? re : { think: th, reflect: re };
  }

  start(spec: SearchSpec, think: string, reflect: string, title: string): void {
    if (this.running) return;
    this.error = '';
    this.saveError = '';
    this.status = '';
    const models = this.models(think, reflect);
    if (typeof models === 'string') {
      this.error = models;
      this.host.requestUpdate();
      return;
    }
    const store = this.session().state.store;
    const runId = store ? `search-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}` : null;
    const saver = store && runId ? new RunSaver(store, runId, title, spec, (e) => { this.saveError = t.saveFailed(e.message); this.host.requestUpdate(); }) : null;
    this.runId = runId;
    this.tree = null;
    this.running = true;
    this.client ??= new SearchClient();
    const ids = [...this.session().state.engines].filter(([, e]) => e === models.think || e === models.reflect).map(([id]) => id);
    const release = useEngines(this.session(), ids, t.inUseBy);
    const end = (tree: Tree | null, err: Error | null) => {
      release();
      this.running = false;
      this.handle = null;
      if (err) {
        this.error = t.failed(err.message);
        // A crashed search worker cannot be reused: the next run starts a fresh one.
        this.client?.dispose();
        this.client = null;
      } else if (!tree) this.status = t.stoppedEarly;
      else {
        const s = tree.stats;
        this.status = t.finished(t.stoppedBy[s.stoppedBy] ?? s.stoppedBy, s.rollouts, s.correct, s.answers, s.seconds);
      }
      this.tree = tree ?? this.tree;
      void saver?.finish(err ? 'error' : tree?.stats.stoppedBy === 'abort' ? 'stopped' : 'done', tree).then(() => this.host.requestUpdate());
      if (tree) this.session().update({ runId, trees: [tree] });
      this.callbacks.onDone(tree, runId);
      this.host.requestUpdate();
    };
    this.handle = this.client.start(spec, models, {
      onEvent: (event, tree, index) => {
        this.tree = tree;
        saver?.event(event, tree, index);
        this.callbacks.onEvent(event, tree, index);
        this.host.requestUpdate();
      },
      onDone: (tree) => end(tree, null),
      onError: (e) => end(null, e),
    });
    this.host.requestUpdate();
  }

  stop(): void {
    this.handle?.stop();
  }
}
