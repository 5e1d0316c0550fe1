import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { runTestN, summarise, type ProblemRecord } from '../../eval/testn.js';
import type { RunMeta } from '../../store/db.js';
import { dataset } from '../../tasks/datasets.js';
import { FAMILIES, family, generateProblems, type Problem } from '../../tasks/index.js';
import { pickedProblems } from '../datasets/datasets.js';
import type { DatasetEvent } from '../datasets/lab-dataset-picker.js';
import '../datasets/lab-dataset-picker.js';
import './problem-table.js';
import { formatHash, readLesson, writeLesson, type HashParams } from '../app/lesson-link.js';
import { HashController } from '../app/hash-controller.js';
import { session, SessionController, useEngines } from '../app/session.js';
import { evaluate as t } from '../messages/evaluate.js';
import { curveFromSummary } from './chart.js';
import { resultsFromItems, type EvalResult } from './results.js';
import { EVAL_RUN_KEY, ksForN, parseKs, plannedRuns, settingsFromHash, settingsToHash, type Decode, type EvalSettings } from './settings.js';
import './testk-chart.js';
import { viewStyles } from '../app/view-styles.js';

/**
 * Evaluate view: Test@N over generated problems with one or two loaded models, plain sampling
 * and/or MCTS decoding, progress and Stop, the Test@k curve with bootstrap intervals, the "no
 * answer" ratio and the formalistic-long-thinking diagnostics, runs side by side. Each evaluation
 * is saved as an `eval` run (per-problem records as they finish, then the summaries). Settings
 * live in the URL hash (`eval.*` keys). Model text is rendered as text only.
 */
@customElement('lab-eval-view')
export class LabEvalView extends LitElement {
  @state() private s: EvalSettings = settingsFromHash({});
  @state() private running = false;
  @state() private progress: { label: string; done: number; total: number } | null = null;
  @state() private results: EvalResult[] = [];
  @state() private error = '';
  @state() private notice = '';
  @state() private saveNote = '';
  @state() private shownRun = '';
  private ctl: AbortController | null = null;
  private pendingRun = '';
  private readonly ses = new SessionController(this, session);
  /** Settings follow the URL hash, also for a lesson link opened while the view is mounted. */
  private readonly hash = new HashController(this, (p) => this.fromHash(p));

  static override styles = [
    viewStyles,
    css`
    fieldset { border: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; }
    label { display: flex; flex-direction: column; font-size: 0.9rem; gap: 0.15rem; }
    input[type='number'] { width: 6rem; }
    input.ks { width: 8rem; }
    .hint { font-size: 0.8rem; color: #4b5563; }
    .actions { margin-top: 0.6rem; display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
    .note { background: #eef4ff; border: 1px solid #9db4e8; padding: 0.4rem 0.6rem; border-radius: 6px; }
    table { border-collapse: collapse; }
    th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #eceef3; text-align: right; vertical-align: top; }
    th:first-child { text-align: left; }
    caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
    pre { white-space: pre-wrap; word-break: break-word; background: #f6f7fa; padding: 0.5rem; border-radius: 6px; max-height: 12rem; overflow: auto; }
    progress { width: 14rem; }
  `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.ctl?.abort();
  }

  private fromHash(p: HashParams): void {
    // Only a link that carries Evaluate settings replaces them (other views' links leave them be).
    const ours = Object.keys(p).some((k) => k.startsWith('eval.') && k !== EVAL_RUN_KEY);
    if (!this.running && (ours || !this.hasUpdated)) this.s = settingsFromHash(p);
    this.pendingRun = p[EVAL_RUN_KEY] ?? '';
    this.requestUpdate();
  }

  override willUpdate(): void {
    // A saved run named in the hash is shown once the store is open (it opens after the shell).
    const run = this.pendingRun;
    if (run && run !== this.shownRun && !this.running && session.state.store) void this.showSaved(run);
  }

  private set(patch: Partial<EvalSettings>): void {
    const next = { ...this.s, ...patch };
    if (patch.n !== undefined) next.ks = ksForN(next.ks, next.n);
    this.s = next;
    writeLesson(settingsToHash(next));
  }

  /** Loaded engine ids, and the chosen model (falling back to the first loaded one). */
  private models(): { ids: string[]; model: string; model2: string } {
    const ids = [...session.state.engines.keys()];
    const model = ids.includes(this.s.model) ? this.s.model : (ids[0] ?? '');
    const model2 = ids.includes(this.s.model2) && this.s.model2 !== model ? this.s.model2 : '';
    return { ids, model, model2 };
  }

  private async run(): Promise<void> {
    const { model, model2 } = this.models();
    const s = { ...this.s, model, model2 };
    const planned = plannedRuns(s);
    if (planned.length === 0) return;
    this.ctl = new AbortController();
    const signal = this.ctl.signal;
    this.running = true;
    this.error = '';
    this.notice = '';
    this.saveNote = '';
    this.shownRun = '';
    this.pendingRun = '';
    writeLesson({ [EVAL_RUN_KEY]: undefined });
    this.results = [];
    let problems: Problem[];
    try {
      // Dataset rows come from this browser's store; a link without the data says which file to import.
      problems = s.fromDataset ? (await pickedProblems(s.datasetFamily, s.dataset, s.pick)).problems : generateProblems(s.task, s.count, s.seed);
    } catch (e) {
      this.error = t.failed((e as Error).message);
      this.running = false;
      return;
    }
    const task = s.fromDataset ? dataset(s.datasetFamily) : family(s.task);
    const what = s.fromDataset ? `${s.dataset} [${s.pick}]` : s.task;
    const store = session.state.store;
    let runId: string | null = null;
    let saving: Promise<unknown> = Promise.resolve();
    const save = (items: { type: string; payload: unknown }[], patch: Partial<Pick<RunMeta, 'status'>> = {}) => {
      if (!store || !runId) return;
      const id = runId;
      saving = saving.then(() => store.append(id, items, patch)).catch((e: Error) => {
        this.saveNote = t.notSaved(e.message);
        runId = null;
      });
    };
    if (store) {
      try {
        const id = `eval-${s.fromDataset ? s.datasetFamily : s.task}-${Date.now().toString(36)}`;
        const title = `Test@${s.n} ${what} ×${problems.length} · ${planned.map((r) => r.label).join(' vs ')}`;
        await store.createRun({ id, kind: 'eval', title, config: { ...s, hash: formatHash({ view: 'evaluate', ...stripUndefined(settingsToHash(s)) }) } });
        runId = id;
      } catch (e) {
        this.saveNote = t.notSaved((e as Error).message);
      }
    } else this.saveNote = t.noStore;
    let status: 'done' | 'stopped' | 'error' = 'done';
    const release = useEngines(session, planned.map((r) => r.model), t.inUseBy);
    try {
      for (const r of planned) {
        const engine = session.state.engines.get(r.model);
        if (!engine) throw new Error(`model ${r.model} is not loaded (Models view)`);
        const records: ProblemRecord[] = [];
        // Problems finished before Stop (runTestN reports only whole problems, then throws).
        this.progress = { label: r.label, done: 0, total: problems.length };
        try {
          const out = await runTestN(
            problems,
            task,
            { think: engine },
            { n: s.n, ks: s.ks, decode: r.decode, temperature: s.temperature, maxTokens: s.maxTokens, seed: s.seed, mctsRollouts: s.rollouts },
            {
              signal,
              onProblem: (done, total, rec) => {
                records.push(rec);
                this.progress = { label: r.label, done, total };
                if (!signal.aborted) save([{ type: 'problem', payload: { run: r.label, model: r.model, decode: r.decode, record: rec } }]);
              },
            },
          );
          if (signal.aborted) throw signal.reason ?? new DOMException('stopped', 'AbortError');
          this.results = [...this.results, { ...r, summary: out.summary, problems: out.problems }];
          save([{ type: 'summary', payload: { run: r.label, model: r.model, decode: r.decode, ks: s.ks, summary: out.summary } }]);
        } catch (e) {
          if (!signal.aborted) throw e;
          status = 'stopped';
          const finished = records;
          if (finished.length) {
            const summary = summarise(finished, s.ks, r.decode, 1000, s.seed);
            this.results = [...this.results, { ...r, summary, problems: finished, stopped: true }];
            save([{ type: 'summary', payload: { run: r.label, model: r.model, decode: r.decode, ks: s.ks, summary, stopped: true } }]);
          }
          this.notice = t.stopped;
          break;
        }
      }
    } catch (e) {
      status = 'error';
      this.error = t.failed((e as Error).message);
    } finally {
      release();
      save([], { status });
      await saving;
      if (runId && !this.saveNote) this.saveNote = t.saved(runId);
      this.running = false;
      this.progress = null;
      this.ctl = null;
    }
  }

  /** Show a saved eval run (its summaries and per-problem records). */
  private async showSaved(id: string): Promise<void> {
    const store = session.state.store;
    if (!store) return;
    this.shownRun = id;
    try {
      const got = await store.getRun(id);
      if (!got) throw new Error(`no run "${id}"`);
      this.results = resultsFromItems(got.items);
      this.notice = t.loadedRun(got.run.title);
      this.error = '';
    } catch (e) {
      this.error = t.failed((e as Error).message);
    }
  }

  private num(e: Event): number {
    return Number((e.target as HTMLInputElement).value);
  }

  private renderForm() {
    const s = this.s;
    const { ids, model, model2 } = this.models();
    const sel = (e: Event) => (e.target as HTMLSelectElement).value;
    return html`
      <fieldset ?disabled=${this.running}>
        <label>${t.source}<select id="eval-source" @change=${(e: Event) => this.set({ fromDataset: sel(e) === 'dataset' })}>
          <option value="generated" ?selected=${!s.fromDataset}>${t.sourceGenerated}</option>
          <option value="dataset" ?selected=${s.fromDataset}>${t.sourceDataset}</option>
        </select></label>
        ${s.fromDataset
          ? nothing
          : html`<label>${t.task}<select .value=${s.task} @change=${(e: Event) => this.set({ task: sel(e) as EvalSettings['task'] })}>
              ${Object.keys(FAMILIES).map((f) => html`<option value=${f} ?selected=${f === s.task}>${f}</option>`)}
            </select></label>
            <label>${t.count}<input type="number" min="1" max="500" .value=${String(s.count)} @change=${(e: Event) => this.set({ count: clampInt(this.num(e), 1, 500, s.count) })} /></label>`}
        <label>${t.seed}<input type="number" min="0" .value=${String(s.seed)} @change=${(e: Event) => this.set({ seed: clampInt(this.num(e), 0, 2 ** 31, s.seed) })} /></label>
        <label>${t.n}<input type="number" min="1" max="64" .value=${String(s.n)} @change=${(e: Event) => this.set({ n: clampInt(this.num(e), 1, 64, s.n) })} /></label>
        <label>${t.ks}<input class="ks" type="text" inputmode="numeric" aria-describedby="ks-help" .value=${s.ks.join(',')} @change=${(e: Event) => this.set({ ks: parseKs(sel(e), s.n) })} /><span id="ks-help" class="hint">${t.ksHelp}</span></label>
        <label>${t.temperature}<input type="number" min="0" max="2" step="0.1" .value=${String(s.temperature)} @change=${(e: Event) => this.set({ temperature: Math.min(2, Math.max(0, this.num(e) || 0)) })} /></label>
        <label>${t.decode}<select .value=${s.decode} @change=${(e: Event) => this.set({ decode: sel(e) as Decode })}>
          <option value="sample" ?selected=${s.decode === 'sample'}>${t.decodeSample}</option>
          <option value="mcts" ?selected=${s.decode === 'mcts'}>${t.decodeMcts}</option>
          <option value="both" ?selected=${s.decode === 'both'}>${t.decodeBoth}</option>
        </select></label>
        ${s.decode !== 'sample' ? html`<label>${t.rollouts}<input type="number" min="1" max="64" .value=${String(s.rollouts)} @change=${(e: Event) => this.set({ rollouts: clampInt(this.num(e), 1, 64, s.rollouts) })} /></label>` : nothing}
        <label>${t.maxTokens}<input type="number" min="16" max="2048" .value=${String(s.maxTokens)} @change=${(e: Event) => this.set({ maxTokens: clampInt(this.num(e), 16, 2048, s.maxTokens) })} /></label>
        <label>${t.model}<select id="eval-model" .value=${model} @change=${(e: Event) => this.set({ model: sel(e) })}>
          ${ids.map((id) => html`<option value=${id} ?selected=${id === model}>${id}</option>`)}
        </select></label>
        <label>${t.model2}<select id="eval-model2" .value=${model2} @change=${(e: Event) => this.set({ model2: sel(e) })}>
          <option value="" ?selected=${model2 === ''}>${t.none}</option>
          ${ids.filter((id) => id !== model).map((id) => html`<option value=${id} ?selected=${id === model2}>${id}</option>`)}
        </select></label>
      </fieldset>
      ${s.fromDataset
        ? html`<lab-dataset-picker mode="many" .family=${s.datasetFamily} .name=${s.dataset} .pick=${s.pick} ?disabled=${this.running}
            @lab-dataset=${(e: DatasetEvent) => this.set({ datasetFamily: e.detail.family, dataset: e.detail.name, pick: e.detail.pick })}></lab-dataset-picker>`
        : nothing}
      <div class="actions">
        <button id="eval-run" @click=${() => this.run()} ?disabled=${this.running || ids.length === 0}>${t.run}</button>
        <button id="eval-stop" @click=${() => this.ctl?.abort()} ?disabled=${!this.running}>${t.stop}</button>
        <span role="status" aria-live="polite" id="eval-progress">
          ${this.progress ? html`<progress max=${this.progress.total} value=${this.progress.done}></progress> ${t.progress(this.progress.label, this.progress.done, this.progress.total)}` : nothing}
        </span>
      </div>
    `;
  }

  private renderComparison() {
    const rs = this.results;
    const ks = [...new Set(rs.flatMap((r) => curveFromSummary(r.label, r.summary).points.map((p) => p.k)))].sort((a, b) => a - b);
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    const rows: [string, (r: EvalResult) => string][] = [
      ...ks.map((k): [string, (r: EvalResult) => string] => [
        `Test@${k}`,
        (r) => {
          const v = r.summary[`test@${k}`];
          const ci = r.summary.ci[`test@${k}`];
          return v === undefined ? '–' : `${pct(v)}${ci ? ` [${pct(ci[0])} – ${pct(ci[1])}]` : ''}`;
        },
      ]),
      [t.noAnswer, (r) => pct(r.summary.no_answer_ratio)],
      [t.meanTokens, (r) => r.summary.mean_tokens.toFixed(0)],
      [t.loops, (r) => pct(r.summary.diagnostics.loop_ratio)],
      [t.repetition, (r) => pct(r.summary.diagnostics.mean_repetition)],
      [t.reflections, (r) => r.summary.diagnostics.reflections_per_1k.toFixed(1)],
      [t.flagged, (r) => Object.entries(r.summary.diagnostics.flagged).filter(([, c]) => c > 0).map(([f, c]) => `${t.flagNames[f] ?? f} ${c}`).join(', ') || '0'],
      [t.problems, (r) => `${r.summary.problems}${r.stopped ? ` ${t.stoppedMark}` : ''}`],
      [t.samples, (r) => String(r.summary.n)],
    ];
    return html`
      <table id="eval-comparison">
        <caption>${rs.length > 1 ? t.comparisonCaption : t.diagnostics}</caption>
        <thead><tr><th scope="col"></th>${rs.map((r) => html`<th scope="col">${r.label}</th>`)}</tr></thead>
        <tbody>${rows.map(([name, f]) => html`<tr><th scope="row">${name}</th>${rs.map((r) => html`<td>${f(r)}</td>`)}</tr>`)}</tbody>
      </table>
      <p class="hint">${t.diagnosticsHelp}</p>
    `;
  }

  private renderWorst() {
    const picks = this.results.flatMap((r) =>
      r.problems
        .flatMap((p) => p.samples)
        .filter((x) => x.diagnostics.flags.length > 0)
        .slice(0, 2)
        .map((x) => ({ run: r.label, x })),
    );
    if (!picks.length) return nothing;
    return html`<details>
      <summary>${t.worst}</summary>
      <p class="hint">${t.worstHelp}</p>
      ${picks.map(({ run, x }) => html`<h4>${run} · ${x.id} · ${x.diagnostics.flags.map((f) => t.flagNames[f] ?? f).join(', ')}</h4><pre>${x.text}</pre>`)}
    </details>`;
  }

  override render() {
    const noModel = session.state.engines.size === 0;
    return html`
      <section aria-labelledby="eval-h">
        <h2 id="eval-h">${t.heading}</h2>
        <p>${t.intro}</p>
        ${noModel ? html`<p class="note" role="note">${t.noModel} <button @click=${() => (location.hash = formatHash({ ...readLesson(), view: 'models' }))}>${t.goModels}</button></p>` : nothing}
        ${this.renderForm()}
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.notice ? html`<p class="note" role="status">${this.notice}</p>` : nothing}
        ${this.saveNote ? html`<p class="hint" role="status">${this.saveNote}</p>` : nothing}
      </section>
      ${this.results.length
        ? html`<section aria-label=${t.chartTitle}>
            <lab-testk-chart .series=${this.results.map((r) => curveFromSummary(r.label, r.summary))}></lab-testk-chart>
          </section>
          <section aria-label=${this.results.length > 1 ? t.comparison : t.diagnostics}>${this.renderComparison()} ${this.renderWorst()}</section>
          <section aria-label=${t.perProblem}><lab-eval-problems .results=${this.results}></lab-eval-problems></section>`
        : nothing}
    `;
  }
}

function clampInt(v: number, lo: number, hi: number, dflt: number): number {
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : dflt;
}

function stripUndefined(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-eval-view': LabEvalView;
  }
}
