import { HashController } from '../app/hash-controller.js';
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { DpoPair } from '../../data/extract.js';
import type { Tree } from '../../mcts/tree.js';
import { writeLesson } from '../app/lesson-link.js';
import { session as defaultSession, type Session } from '../app/session.js';
import '../charts/length-chart.js';
import { lengthChartModel, type LengthChartModel } from '../charts/length-chart-model.js';
import { data as t } from '../messages/data.js';
import { canScore } from '../objectives/scoring.js';
import { downloadText } from './download.js';
import { countPrefixTokens, DEFAULT_DATA_SETTINGS, dataSettingsFromHash, dataSettingsToHash, dpoJsonl, extract, extractByPerplexity, sftJsonl, type DataSettings, type Extraction } from './extraction.js';
import { importJsonl } from './import.js';
import './pair-browser.js';
import type { PairChangeEvent } from './pair-browser.js';
import { SessionWatch } from './session-watch.js';
import { viewStyles } from '../app/view-styles.js';

/** What was last published to each session, so a re-mounted view does not wipe pairs and scores. */
const published = new WeakMap<Session, { trees: readonly Tree[]; key: string }>();

/**
 * The Data view: SFT / DPO extraction from the session's trees with the CLI's settings
 * (`lab extract`), a length histogram with one density curve per bucket, a pair browser, and
 * JSONL export / import.
 *
 * Reads `session.state.trees`, `.pairs` and `.engines`. Writes `pairs` (with `scores` cleared,
 * since scores are indexed by pair) whenever the trees or the extraction settings change, and
 * `trees` when a trees file is imported. Settings live in the lesson hash (`dsft dlen drecipe
 * dsel dmodel dbins dcorrect dpair`).
 *
 * @property session - the session to work on (default: the page's session).
 */
@customElement('lab-data-view')
export class LabDataView extends LitElement {
  @property({ attribute: false }) session: Session = defaultSession;
  @state() private settings: DataSettings = DEFAULT_DATA_SETTINGS;
  @state() private extraction: Extraction | null = null;
  @state() private busy = false;
  @state() private notice: { kind: 'ok' | 'error'; lines: string[] } | null = null;
  @state() private runError = '';
  @state() private importedFrom: string | null = null;
  private extractedFor: { trees: readonly Tree[]; key: string } | null = null;
  private gen = 0;

  constructor() {
    super();
    new SessionWatch(this, () => this.session);
  }

  static override styles = [
    viewStyles,
    css`
    fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; }
    label { display: inline-flex; gap: 0.35rem; align-items: center; }
    .ok { background: #eef7ee; border: 1px solid #6a6; padding: 0.5rem 0.75rem; border-radius: 6px; }
    .note { color: #555; font-size: 0.9rem; }
    input[type='number'] { width: 4rem; }
    ul.errors { margin: 0.25rem 0 0; padding-left: 1.25rem; font: 0.85rem ui-monospace, monospace; }
  `,
  ];

  /** Settings follow the URL hash, also for a lesson link opened while the view is mounted. */
  private readonly hash = new HashController(this, (p) => (this.settings = dataSettingsFromHash(p)));

  private set(patch: Partial<DataSettings>): void {
    this.settings = { ...this.settings, ...patch };
    writeLesson(dataSettingsToHash(this.settings));
  }

  /** The settings that change the extracted data (not the chart or the browser position). */
  private extractionKey(): string {
    const s = this.settings;
    const engine = s.model ? this.session.state.engines.get(s.model) : undefined;
    return JSON.stringify([s.sft, s.length, s.recipe, s.select, s.model, !!engine]);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const { trees } = this.session.state;
    const key = this.extractionKey();
    if (!this.extractedFor || this.extractedFor.trees !== trees || this.extractedFor.key !== key) {
      this.extractedFor = { trees, key };
      this.extraction = extract(trees, this.settings);
    }
    const last = published.get(this.session);
    const stale = last ? (last.trees !== trees || last.key !== key) && (trees.length > 0 || last.trees.length > 0) : trees.length > 0;
    if (stale) {
      published.set(this.session, { trees, key });
      void this.publish(trees, this.settings);
    }
  }

  /** Extract pairs (perplexity and prefix tokens need the chosen engine) and hand them to the session. */
  private async publish(trees: readonly Tree[], s: DataSettings): Promise<void> {
    const gen = ++this.gen;
    const engine = s.model ? this.session.state.engines.get(s.model) : undefined;
    this.runError = '';
    let ex = extract(trees, s);
    let pairs: DpoPair[] = ex.pairs;
    try {
      if (s.select === 'perplexity') {
        if (!engine || !canScore(engine)) {
          pairs = [];
          ex = { ...ex, pairs, counts: { ...ex.counts, dpo: 0 } };
          this.runError = t.needsModel;
        } else {
          this.busy = true;
          ex = await extractByPerplexity(trees, s, engine, () => gen !== this.gen);
          pairs = ex.pairs;
        }
      }
      if (engine && pairs.length) {
        this.busy = true;
        pairs = await countPrefixTokens(pairs, engine);
      }
    } catch (e) {
      if (gen === this.gen) this.runError = (e as Error).message;
      pairs = [];
    } finally {
      if (gen === this.gen) this.busy = false;
    }
    if (gen !== this.gen) return;
    this.extraction = ex;
    this.importedFrom = null;
    this.session.update({ pairs, scores: new Map() });
  }

  private async onFile(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    let text: string;
    try {
      text = await file.text();
    } catch (err) {
      this.notice = { kind: 'error', lines: [t.readFailed(file.name, (err as Error).message)] };
      return;
    } finally {
      input.value = '';
    }
    const r = importJsonl(text, file.name);
    if (r.kind === 'error') {
      this.notice = { kind: 'error', lines: [t.importFailed(file.name), ...r.errors] };
    } else if (r.kind === 'trees') {
      this.notice = { kind: 'ok', lines: [t.importedTrees(file.name, r.trees.length)] };
      this.set({ pair: 0 });
      this.session.update({ trees: r.trees });
    } else {
      this.gen++; // a running extraction must not overwrite the imported pairs
      this.busy = false;
      published.set(this.session, { trees: this.session.state.trees, key: this.extractionKey() });
      this.notice = { kind: 'ok', lines: [t.importedPairs(file.name, r.pairs.length)] };
      this.importedFrom = file.name;
      this.set({ pair: 0 });
      this.session.update({ pairs: r.pairs, scores: new Map() });
    }
  }

  private select<K extends keyof DataSettings>(key: K, options: Record<string, string>, label: string, disabled = false) {
    const value = String(this.settings[key]);
    return html`<label>${label}
      <select ?disabled=${disabled} .value=${value} @change=${(e: Event) => this.set({ [key]: (e.target as HTMLSelectElement).value } as Partial<DataSettings>)}>
        ${Object.entries(options).map(([v, text]) => html`<option value=${v} ?selected=${v === value}>${text}</option>`)}
      </select></label>`;
  }

  private renderSettings(ex: Extraction) {
    const s = this.settings;
    const paper = s.recipe === 'paper';
    const models: Record<string, string> = { '': t.noModel };
    for (const id of this.session.state.engines.keys()) models[id] = id;
    if (s.model && !(s.model in models)) models[s.model] = s.model;
    return html`<section aria-labelledby="settings-h">
      <h3 id="settings-h">${t.settings}</h3>
      <fieldset>
        ${this.select('recipe', t.recipes, t.recipe)}
        ${this.select('sft', t.sftSelects, t.sftSelect, paper)}
        ${this.select('length', t.lengths, t.length, paper)}
        ${this.select('select', t.dpoSelects, t.dpoSelect)}
        ${this.select('model', models, t.model)}
      </fieldset>
      ${paper ? html`<p class="note">${t.recipeNote}</p>` : nothing}
      <p role="status" aria-live="polite">${this.busy ? t.working : t.counts(ex.counts.sft, this.importedFrom ? this.session.state.pairs.length : ex.counts.dpo, ex.counts.buckets)}</p>
      ${this.runError ? html`<p class="error" role="alert">${this.runError}</p>` : nothing}
      ${ex.errors.length ? html`<div class="error" role="alert">${t.treeErrors}<ul class="errors">${ex.errors.map((m) => html`<li>${m}</li>`)}</ul></div>` : nothing}
    </section>`;
  }

  private chartMemo: { ex: Extraction; bins: number; correctOnly: boolean; model: LengthChartModel } | null = null;

  /** The chart model, recomputed only when the paths or the chart settings change (not on every session change). */
  private chartModel(ex: Extraction): LengthChartModel {
    const { bins, correctOnly } = this.settings;
    const m = this.chartMemo;
    if (m && m.ex === ex && m.bins === bins && m.correctOnly === correctOnly) return m.model;
    const points = ex.paths.filter((p) => !correctOnly || p.correct).map((p) => ({ tokens: p.tokens, bucket: p.bucket, correct: p.correct }));
    const model = lengthChartModel(points, { bins });
    this.chartMemo = { ex, bins, correctOnly, model };
    return model;
  }

  private renderChart(ex: Extraction) {
    const s = this.settings;
    const model = this.chartModel(ex);
    return html`<section aria-labelledby="chart-h">
      <h3 id="chart-h">${t.chartTitle}</h3>
      <fieldset>
        <label>${t.bins} <input type="number" min="0" max="100" .value=${String(s.bins)} @change=${(e: Event) => this.set({ bins: Math.max(0, Math.min(100, Math.round(Number((e.target as HTMLInputElement).value) || 0))) })} /></label>
        <label><input type="checkbox" .checked=${s.correctOnly} @change=${(e: Event) => this.set({ correctOnly: (e.target as HTMLInputElement).checked })} /> ${t.correctOnly}</label>
      </fieldset>
      <lab-length-chart .model=${model}></lab-length-chart>
    </section>`;
  }

  private renderIo(ex: Extraction) {
    const pairs = this.session.state.pairs;
    return html`<section aria-labelledby="io-h">
      <h3 id="io-h">${t.ioTitle}</h3>
      <p>
        <button type="button" id="export-sft" ?disabled=${!ex.sft.length} @click=${() => downloadText('sft.jsonl', sftJsonl(ex.sft))}>${t.exportSft}</button>
        <button type="button" id="export-dpo" ?disabled=${!pairs.length} @click=${() => downloadText('dpo.jsonl', dpoJsonl(pairs))}>${t.exportDpo}</button>
      </p>
      <p><label>${t.importLabel} <input id="import" type="file" accept=".jsonl,.ndjson,.json,application/x-ndjson,application/json" @change=${this.onFile} /></label></p>
      ${this.notice
        ? html`<div class=${this.notice.kind} role=${this.notice.kind === 'error' ? 'alert' : 'status'}>
            ${this.notice.lines[0]}${this.notice.lines.length > 1 ? html`<ul class="errors">${this.notice.lines.slice(1).map((l) => html`<li>${l}</li>`)}</ul>` : nothing}
          </div>`
        : nothing}
    </section>`;
  }

  override render() {
    const st = this.session.state;
    const ex = this.extraction ?? extract([], this.settings); // willUpdate always sets it first
    return html`
      <h2>${t.title}</h2>
      <p class="note">${t.intro}</p>
      <p>${st.trees.length ? t.source(ex.counts.trees, ex.counts.paths, ex.counts.correct, ex.counts.incorrect) : t.noTrees}</p>
      ${this.renderSettings(ex)}
      ${this.renderChart(ex)}
      <section aria-labelledby="pairs-h">
        <h3 id="pairs-h">${t.pairsTitle}</h3>
        ${this.importedFrom ? html`<p class="note">${t.pairsFromImport(this.importedFrom)}</p>` : nothing}
        <lab-pair-browser .pairs=${st.pairs} .index=${this.settings.pair} @pair-change=${(e: PairChangeEvent) => this.set({ pair: e.detail.index })}></lab-pair-browser>
      </section>
      ${this.renderIo(ex)}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-data-view': LabDataView;
  }
}
