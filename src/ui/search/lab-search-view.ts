import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Tree } from '../../mcts/tree.js';
import { numParam, readLesson, writeLesson } from '../app/lesson-link.js';
import { session, SessionController } from '../app/session.js';
import { search as t } from '../messages/search.js';
import './node-card.js';
import type { ReplayCommandEvent } from './replay-controls.js';
import './replay-controls.js';
import { ReplayController } from './replay-controller.js';
import { lastSelection, replayAt } from './replay.js';
import { SearchRunController } from './run-controller.js';
import type { SettingsEvent } from './search-settings.js';
import './search-settings.js';
import type { NodeSelectEvent } from './search-tree.js';
import './search-tree.js';
import './diagram.js';
import { readSettings, settingsToHash, toSpec, type SearchSettings } from './settings.js';
import { viewStyles } from '../app/view-styles.js';
import { HashController } from '../app/hash-controller.js';
import { searchPatternPanel } from '../patterns/search-panel.js';
import { pickedProblems } from '../datasets/datasets.js';

/** A search of this view finished (also after Stop). */
export type SearchDoneEvent = CustomEvent<{ tree: Tree | null; runId: string | null }>;

/**
 * The Search view: settings (all in the lesson link), Run / Stop of an MCTS search in the search
 * worker with the models of `session.state.engines`, the tree growing live, and a step-by-step
 * replay of the event log with the phase, the highlighted path and node cards.
 *
 * Reads `session.state.engines` (models; each must live in an engine worker) and
 * `session.state.store` (the run is saved there incrementally as a `search` run, if open); when
 * a search ends it sets `session.update({ runId, trees: [tree] })`. With no search of its own it
 * replays `tree` or else the last tree of the session.
 *
 * @fires lab-search-done - {tree, runId} when a search ends.
 */
@customElement('lab-search-view')
export class LabSearchView extends LitElement {
  /** A tree to replay when this view has not run a search (e.g. a recorded demo run). */
  @property({ attribute: false }) tree: Tree | null = null;
  @state() private settings: SearchSettings = readSettings(readLesson());
  @state() private selected = 0;
  /** Re-render when the session changes (engines, store, trees). */
  protected readonly sessionController = new SessionController(this, session);
  private readonly run = new SearchRunController(this, () => session, {
    onEvent: () => this.replay.grew(),
    onDone: (tree, runId) => {
      this.replay.grew();
      this.dispatchEvent(new CustomEvent('lab-search-done', { detail: { tree, runId }, bubbles: true, composed: true }));
    },
  });
  private readonly replay = new ReplayController(this, () => this.shown()?.events ?? [], () => this.run.running, (k) => this.writeStep(k));
  /** A `step` from the lesson link, applied when the first tree is shown. */
  private pendingStep: number | null = readLesson().step !== undefined ? numParam(readLesson(), 'step', 0, 0) : null;
  private lastShown: Tree | null = null;
  private stepTimer: ReturnType<typeof setTimeout> | null = null;
  /** Settings (and a replay `step`) follow the URL hash, also for a lesson link opened later. */
  private readonly hash = new HashController(this, (p) => {
    this.settings = readSettings(p);
    const step = numParam(p, 'step', -1);
    // Before the first render the step waits in pendingStep until a tree is shown.
    if (step >= 0 && this.hasUpdated) this.replay.seek(step);
  });

  static override styles = [
    viewStyles,
    css`
    .status { margin: 0.4rem 0; }
    .question { background: #f6f7fa; border-radius: 6px; padding: 0.4rem 0.6rem; margin: 0.5rem 0; white-space: pre-wrap; word-break: break-word; }
    .cols { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 0.75rem; margin-top: 0.5rem; align-items: start; }
    @media (max-width: 760px) { .cols { grid-template-columns: 1fr; } }
    lab-node-card { position: sticky; top: 0.5rem; }
    /* The picture above the accessible list, both in the wide column; the node card stays beside them. */
    .trees { display: flex; flex-direction: column; gap: 0.6rem; min-width: 0; }
  `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.stepTimer !== null) clearTimeout(this.stepTimer);
  }

  /** The tree on screen: this view's search, else the `tree` property, else the session's last. */
  private shown(): Tree | null {
    if (this.run.running) return this.run.tree;
    return this.run.tree ?? this.tree ?? session.state.trees.at(-1) ?? null;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('tree') && this.tree && !this.run.running) this.run.tree = null;
    const shown = this.shown();
    if (shown !== this.lastShown) {
      // The same search grown further (live, or its final copy) keeps the replay position.
      const fresh = !this.lastShown || !shown || shown.id !== this.lastShown.id || shown.events.length < this.lastShown.events.length;
      this.lastShown = shown;
      if (fresh && !this.run.running) {
        this.replay.reset(this.pendingStep ?? undefined);
        this.pendingStep = null;
        this.selected = 0;
      }
    }
  }

  private setSettings(s: SearchSettings): void {
    this.settings = s;
    writeLesson(settingsToHash(s));
  }

  private writeStep(step: number): void {
    if (this.stepTimer !== null) clearTimeout(this.stepTimer);
    this.stepTimer = setTimeout(() => {
      const total = this.shown()?.events.length ?? 0;
      writeLesson({ step: step >= total ? undefined : step });
    }, 250);
  }

  private async start(): Promise<void> {
    const s = this.settings;
    if (s.useDataset) {
      // The row comes from this browser's dataset store; a link without the data says what to import.
      try {
        const row = (await pickedProblems(s.datasetFamily, s.dataset, String(s.problem))).problems[0]!;
        this.run.start(toSpec(s, row), s.think, s.reflect, `${s.dataset} #${s.problem} (${s.datasetFamily}), seed ${s.seed}`);
      } catch (e) {
        this.run.error = (e as Error).message;
        this.requestUpdate();
        return;
      }
    } else this.run.start(toSpec(s), s.think, s.reflect, s.custom ? `${s.task}: ${s.prompt.slice(0, 40)}` : `${s.task} #${s.problem} (set ${s.problemset}), seed ${s.seed}`);
    if (!this.run.running) return;
    this.selected = 0;
    this.lastShown = null;
    this.replay.reset(0);
    writeLesson({ ...settingsToHash(s), step: undefined });
  }

  private onKey(e: KeyboardEvent): void {
    const target = e.composedPath()[0] as HTMLElement | undefined;
    const tag = target?.tagName ?? '';
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
    if ((e.key === ' ' || e.key === 'Enter') && tag === 'BUTTON') return;
    if (this.replay.key(e)) e.preventDefault();
  }

  private statusLine() {
    const r = this.run;
    const tree = r.tree;
    return html`
      ${r.running && tree ? html`<p class="status" role="status">${t.running(tree.stats.rollouts + 1, tree.stats.nodes, tree.stats.tokens)}</p>` : nothing}
      ${!r.running && r.status ? html`<p class="status" role="status">${r.status}${r.runId && !r.saveError ? html` ${t.saved(r.runId)}` : nothing}</p>` : nothing}
      ${r.error ? html`<p class="error" role="alert">${r.error}</p>` : nothing}
      ${r.saveError ? html`<p class="error" role="alert">${r.saveError}</p>` : nothing}
    `;
  }

  private treeView(tree: Tree) {
    const rs = replayAt(tree.nodes, tree.events, this.replay.step);
    const sel = rs.exists[this.selected] ? this.selected : 0;
    const node = tree.nodes[sel] ?? null;
    return html`
      <p class="question"><strong>${t.question}:</strong> ${tree.task.question}${tree.task.answer ? html` · <strong>${t.reference}:</strong> ${tree.task.answer}` : nothing} · ${String(tree.config.pattern ?? '')}</p>
      <lab-replay-controls .step=${rs.step} .total=${rs.total} .phase=${rs.phase} .iteration=${rs.iteration} .playing=${this.replay.playing} .speed=${this.replay.speed}
        @lab-replay=${(e: ReplayCommandEvent) => this.replay.command(e.detail.command, e.detail.value)}></lab-replay-controls>
      <div class="cols">
        <div class="trees">
          <lab-search-diagram .treeId=${tree.id} .fileName=${`tree-${tree.id}-step-${rs.step}`} .nodes=${tree.nodes} .events=${tree.events} .replay=${rs} .selected=${sel}
            @lab-node-select=${(e: NodeSelectEvent) => (this.selected = e.detail.id)}></lab-search-diagram>
          <lab-search-tree .treeId=${tree.id} .nodes=${tree.nodes} .replay=${rs} .selected=${sel} @lab-node-select=${(e: NodeSelectEvent) => (this.selected = e.detail.id)}></lab-search-tree>
        </div>
        <lab-node-card .node=${node} .nodes=${tree.nodes} .visits=${rs.visits[sel] ?? 0} .value=${rs.values[sel] ?? 0} .evaluated=${!!rs.evaluated[sel]}
          .selection=${lastSelection(tree.events, rs.step, sel)}></lab-node-card>
      </div>
    `;
  }

  override render() {
    const tree = this.shown();
    return html`<section aria-labelledby="search-h" @keydown=${this.onKey}>
      <h2 id="search-h">${t.heading}</h2>
      <p>${t.intro}</p>
      <lab-search-settings .settings=${this.settings} .models=${[...session.state.engines.keys()]} .running=${this.run.running}
        @lab-settings=${(e: SettingsEvent) => this.setSettings(e.detail.settings)} @lab-run=${() => void this.start()} @lab-stop=${() => this.run.stop()}></lab-search-settings>
      ${searchPatternPanel(this.settings, (next) => this.setSettings(next))}
      ${this.statusLine()}
      ${tree ? this.treeView(tree) : this.run.running ? nothing : html`<p>${t.empty}</p>`}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-search-view': LabSearchView;
  }
}
