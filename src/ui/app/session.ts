/**
 * The open session: what the views hand to each other (loaded engines, the run store, the trees
 * of the current search run, extracted pairs, scores, evaluations). One EventTarget, one
 * `change` event; views subscribe with `SessionController` and re-render.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Engine } from '../../core/engine.js';
import type { DpoPair } from '../../data/extract.js';
import type { Tree } from '../../mcts/tree.js';
import type { LabStore } from '../../store/db.js';

/** Per-token log-probs of one DPO pair under one model (cached so sliders never re-run a model). */
export interface PairScores {
  chosen: { tokens: string[]; logprobs: number[]; mask: number[] };
  rejected: { tokens: string[]; logprobs: number[]; mask: number[] };
}

export interface SessionState {
  /** Loaded engines by model id; each lives in its own module worker. */
  engines: ReadonlyMap<string, Engine>;
  /** The IndexedDB store, null until opened (or when storage is unavailable). */
  store: LabStore | null;
  /** Id of the run the views are working on (a `search` run in the store), if any. */
  runId: string | null;
  /** Trees of the current run, in the order they finished. */
  trees: readonly Tree[];
  /** DPO pairs extracted in the Data view. */
  pairs: readonly DpoPair[];
  /** Scores of `pairs` by index: policy and reference per-token log-probs. */
  scores: ReadonlyMap<number, { policy: PairScores; reference: PairScores }>;
  /** What is using each engine right now (model id → e.g. ["a search"]): Unload asks first. */
  inUse: ReadonlyMap<string, readonly string[]>;
}

export class Session extends EventTarget {
  private s: SessionState = { engines: new Map(), store: null, runId: null, trees: [], pairs: [], scores: new Map(), inUse: new Map() };

  get state(): Readonly<SessionState> {
    return this.s;
  }

  /** Replace some fields and notify every view. */
  update(patch: Partial<SessionState>): void {
    this.s = { ...this.s, ...patch };
    this.dispatchEvent(new Event('change'));
  }
}

/**
 * Mark `ids` as used by `what` (a running search, an evaluation) until the returned function is
 * called; the Models view asks before unloading a model in use.
 */
export function useEngines(s: Session, ids: readonly string[], what: string): () => void {
  const add = new Map(s.state.inUse);
  for (const id of new Set(ids)) add.set(id, [...(add.get(id) ?? []), what]);
  s.update({ inUse: add });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const next = new Map(s.state.inUse);
    for (const id of new Set(ids)) {
      const list = [...(next.get(id) ?? [])];
      const i = list.indexOf(what);
      if (i >= 0) list.splice(i, 1);
      if (list.length) next.set(id, list);
      else next.delete(id);
    }
    s.update({ inUse: next });
  };
}

/** The page's one session (views import it; tests may construct their own). */
export const session = new Session();

/** Re-renders a Lit host whenever the session changes. */
export class SessionController implements ReactiveController {
  private readonly onChange = () => this.host.requestUpdate();
  constructor(
    private readonly host: ReactiveControllerHost,
    readonly session: Session,
  ) {
    host.addController(this);
  }
  hostConnected(): void {
    this.session.addEventListener('change', this.onChange);
  }
  hostDisconnected(): void {
    this.session.removeEventListener('change', this.onChange);
  }
}
