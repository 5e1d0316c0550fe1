import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { HUB_PAGE, parseHubName } from '../../data/hub-rows.js';
import type { DatasetMeta } from '../../store/datasets.js';
import { datasetNames } from '../../tasks/datasets.js';
import { pickRows, randomPick } from '../../tasks/dataset-file.js';
import type { Problem } from '../../tasks/types.js';
import { datasets as t } from '../messages/datasets.js';
import { datasetChanges, datasetProblems, datasetStore, deleteDataset, importFile, loadFromHub, missingMessage } from './datasets.js';

/** The chosen dataset or rows changed: family, name ('' = none) and pick (rows, or one row). */
export type DatasetEvent = CustomEvent<{ family: string; name: string; pick: string }>;

/** Rows of the preview list. */
const PREVIEW = 8;

/**
 * Problems from an imported dataset, for the Search (one row) and Evaluate (many rows) views: the
 * stored datasets, import of a JSONL file with its family (validated by the CLI's row parsers;
 * errors name file, line and field), an optional load from the Hugging Face hub with progress,
 * the row pick (row numbers, ranges, or a seeded random sample) and a list of the chosen problems.
 * Stateless about the choice itself: `family`, `name` and `pick` come from the view's settings
 * (so they live in the lesson link) and every change is a `lab-dataset` event.
 *
 * @fires lab-dataset - {family, name, pick} when the dataset or the rows change.
 */
@customElement('lab-dataset-picker')
export class LabDatasetPicker extends LitElement {
  @property() family = '';
  @property() name = '';
  /** Many: `all`, `3-17`, `0,4,9-12`, `random:K:SEED`; one: a row number. */
  @property() pick = '';
  /** `one` (Search: a single row) or `many` (Evaluate). */
  @property() mode: 'one' | 'many' = 'many';
  @property({ type: Boolean }) disabled = false;
  @state() private list: DatasetMeta[] = [];
  @state() private problems: Problem[] | null = null;
  @state() private missing = '';
  @state() private error = '';
  @state() private note = '';
  @state() private importFamily = '';
  @state() private hub = { dataset: 'openai/gsm8k', config: 'main', split: 'test', max: 100 };
  @state() private hubProgress: { done: number; total: number } | null = null;
  private loadedKey = '';

  static override styles = css`
    :host { display: block; }
    fieldset { border: 1px solid #d8dce6; border-radius: 6px; padding: 0.4rem 0.6rem; margin: 0; display: flex; flex-wrap: wrap; gap: 0.4rem 0.9rem; align-items: end; }
    legend { font-size: 0.85em; color: #4a5163; }
    label { display: flex; flex-direction: column; font-size: 0.85em; color: #4a5163; }
    input[type='number'] { width: 6rem; }
    details { flex-basis: 100%; }
    details > div { display: flex; flex-wrap: wrap; gap: 0.4rem 0.9rem; align-items: end; margin-top: 0.3rem; }
    .wide { flex-basis: 100%; }
    .hint { font-size: 0.8em; color: #4b5563; }
    .error { background: #fde8e8; border: 1px solid #d66; padding: 0.3rem 0.5rem; border-radius: 6px; white-space: pre-wrap; margin: 0.3rem 0 0; flex-basis: 100%; }
    .note { margin: 0.3rem 0 0; flex-basis: 100%; }
    /* Room for row numbers up to 99999 (the list is numbered by row, from 0). */
    ol { margin: 0.2rem 0 0; padding-left: 3.2rem; max-height: 12rem; overflow: auto; flex-basis: 100%; font-size: 0.9em; }
    li { white-space: pre-wrap; word-break: break-word; }
  `;

  /** A picker (this one or another view's) imported or deleted a dataset: list it, and load the chosen one again (it may have come or gone). */
  private readonly onStoreChange = (): void => {
    void this.refreshList();
    this.loadedKey = '';
    this.requestUpdate();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    datasetChanges.addEventListener('change', this.onStoreChange);
    void this.refreshList();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    datasetChanges.removeEventListener('change', this.onStoreChange);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (`${this.family}/${this.name}` !== this.loadedKey) {
      // A new choice (or a fresh import of the chosen one): load it, and drop the last choice's messages.
      if (changed.has('family') || changed.has('name')) this.error = '';
      void this.loadChosen();
    }
    if (!this.importFamily) this.importFamily = this.family && datasetNames().includes(this.family) ? this.family : 'gsm8k';
    const hub = parseHubName(this.name);
    if (changed.has('name') && hub) this.hub = { ...this.hub, ...hub };
  }

  private async refreshList(): Promise<void> {
    try {
      this.list = await (await datasetStore()).list();
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async loadChosen(): Promise<void> {
    const key = `${this.family}/${this.name}`;
    this.loadedKey = key;
    this.missing = '';
    this.problems = null;
    if (!this.name) return;
    try {
      const got = await datasetProblems(this.family, this.name);
      if (this.loadedKey !== key) return;
      if (got) this.problems = got;
      else this.missing = missingMessage(this.family, this.name);
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private emit(patch: Partial<{ family: string; name: string; pick: string }>): void {
    const detail = { family: this.family, name: this.name, pick: this.pick, ...patch };
    this.dispatchEvent(new CustomEvent('lab-dataset', { detail, bubbles: true, composed: true }));
  }

  /** A first pick for a freshly chosen dataset: row 0, or the first ten rows (all when few). */
  private firstPick(rows: number): string {
    return this.mode === 'one' ? '0' : rows <= 20 ? 'all' : '0-9';
  }

  /** Show a freshly stored dataset; the pick stays when it is the one already chosen (a lesson link's file). */
  private stored(meta: DatasetMeta): void {
    const same = meta.family === this.family && meta.name === this.name && this.pick !== '';
    this.loadedKey = '';
    this.emit({ family: meta.family, name: meta.name, pick: same ? this.pick : this.firstPick(meta.rows) });
    this.requestUpdate();
  }

  private chosen(meta: DatasetMeta | undefined): void {
    this.error = '';
    this.note = '';
    if (!meta) return this.emit({ name: '' });
    this.emit({ family: meta.family, name: meta.name, pick: this.firstPick(meta.rows) });
  }

  private async onFile(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    await this.store(() => importFile(file, this.importFamily)).finally(() => (input.value = ''));
  }

  /** Run one import (file or hub), then list it and tell the other pickers; errors go to the view. */
  private async store(load: () => ReturnType<typeof importFile>): Promise<void> {
    this.error = '';
    this.note = '';
    try {
      const meta = await load();
      this.note = t.imported(meta.name, meta.family, meta.rows);
      await this.refreshList();
      this.stored(meta);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private async onHub(): Promise<void> {
    this.hubProgress = { done: 0, total: this.hub.max };
    const ref = { dataset: this.hub.dataset.trim(), config: this.hub.config.trim(), split: this.hub.split.trim() };
    await this.store(() => loadFromHub(ref, this.importFamily, { maxRows: this.hub.max, refresh: true, onProgress: (done, total) => (this.hubProgress = { done, total }) }));
    this.hubProgress = null;
  }

  private async onDelete(): Promise<void> {
    const { family, name } = this;
    if (!name) return;
    try {
      await deleteDataset(family, name);
      this.note = t.deleted(name);
      await this.refreshList();
      this.loadedKey = '';
      this.emit({ name: '' });
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private renderPick(total: number) {
    if (this.mode === 'one') {
      const row = Math.max(0, Math.min(total - 1, Math.round(Number(this.pick) || 0)));
      return html`<label>${t.row}<input id="ds-row" type="number" min="0" max=${total - 1} step="1" .value=${String(row)}
        @change=${(e: Event) => this.emit({ pick: String(Math.max(0, Math.min(total - 1, Math.round(Number((e.target as HTMLInputElement).value) || 0)))) })} /></label>`;
    }
    const rnd = /^random:(\d+):(\d+)$/.exec(this.pick.trim());
    const k = rnd ? Number(rnd[1]) : Math.min(10, total);
    const seed = rnd ? Number(rnd[2]) : 0;
    const num = (e: Event) => Math.max(0, Math.round(Number((e.target as HTMLInputElement).value) || 0));
    return html`
      <label>${t.pickHow}<select id="ds-pick-how" @change=${(e: Event) => this.emit({ pick: (e.target as HTMLSelectElement).value === 'random' ? randomPick(k, seed) : this.firstPick(total) })}>
        <option value="rows" ?selected=${!rnd}>${t.pickRows}</option>
        <option value="random" ?selected=${!!rnd}>${t.pickRandom}</option>
      </select></label>
      ${rnd
        ? html`<label>${t.sampleK}<input id="ds-k" type="number" min="1" max=${total} .value=${String(k)} @change=${(e: Event) => this.emit({ pick: randomPick(Math.max(1, num(e)), seed) })} /></label>
            <label>${t.sampleSeed}<input id="ds-seed" type="number" min="0" .value=${String(seed)} @change=${(e: Event) => this.emit({ pick: randomPick(k, num(e)) })} /></label>`
        : html`<label>${t.pickText}<input id="ds-pick" type="text" aria-describedby="ds-pick-help" .value=${this.pick}
              @change=${(e: Event) => this.emit({ pick: (e.target as HTMLInputElement).value.trim() })} /><span id="ds-pick-help" class="hint">${t.pickHelp}</span></label>`}
    `;
  }

  private renderChosen() {
    const all = this.problems;
    if (!all) return nothing;
    let rows: number[];
    try {
      rows = this.mode === 'one' ? [Math.max(0, Math.min(all.length - 1, Math.round(Number(this.pick) || 0)))] : pickRows(this.pick, all.length);
    } catch (e) {
      return html`${this.renderPick(all.length)}<p class="error" role="alert" id="ds-pick-error">${(e as Error).message}</p>`;
    }
    return html`${this.renderPick(all.length)}
      <p class="note" id="ds-count">${t.picked(rows.length, all.length)}</p>
      <ol id="ds-problems" aria-label=${t.picked(rows.length, all.length)}>
        ${rows.slice(0, PREVIEW).map((i) => {
          const p = all[i]!;
          // The list numbers rows already; an id is shown when it is more than the row number (MATH-500's unique_id).
          return html`<li value=${i}>${p.id === String(i) ? nothing : html`<strong>${p.id}</strong>: `}${p.question.length > 160 ? `${p.question.slice(0, 160)}…` : p.question} — ${t.reference} <code>${p.answer.length > 60 ? `${p.answer.slice(0, 60)}…` : p.answer}</code></li>`;
        })}
        ${rows.length > PREVIEW ? html`<li class="hint" aria-hidden="true" style="list-style: none">${t.more(rows.length - PREVIEW)}</li>` : nothing}
      </ol>`;
  }

  override render() {
    const key = `${this.family}/${this.name}`;
    const text = (k: 'dataset' | 'config' | 'split') => (e: Event) => (this.hub = { ...this.hub, [k]: (e.target as HTMLInputElement).value });
    return html`<fieldset ?disabled=${this.disabled}>
      <legend>${t.legend}</legend>
      <label>${t.stored}<select id="ds-select" @change=${(e: Event) => this.chosen(this.list.find((m) => m.key === (e.target as HTMLSelectElement).value))}>
        <option value="" ?selected=${!this.name}>${t.choose}</option>
        ${this.list.map((m) => html`<option value=${m.key} ?selected=${m.key === key}>${t.rowsOf(m.name, m.family, m.rows)}</option>`)}
      </select></label>
      <button id="ds-delete" type="button" ?disabled=${!this.problems} @click=${() => this.onDelete()}>${t.delete}</button>
      <label>${t.importFamily}<select id="ds-family" @change=${(e: Event) => (this.importFamily = (e.target as HTMLSelectElement).value)}>
        ${datasetNames().map((f) => html`<option value=${f} ?selected=${f === this.importFamily}>${f}</option>`)}
      </select></label>
      <label>${t.importFile}<input id="ds-file" type="file" accept=".jsonl,.json,.txt,application/jsonl,application/x-ndjson" aria-describedby="ds-import-help" @change=${(e: Event) => this.onFile(e)} /></label>
      <span id="ds-import-help" class="hint wide">${t.importHelp}</span>
      <details>
        <summary>${t.hubSummary}</summary>
        <div>
          <label>${t.hubDataset}<input id="ds-hub-dataset" .value=${this.hub.dataset} @change=${text('dataset')} /></label>
          <label>${t.hubConfig}<input id="ds-hub-config" .value=${this.hub.config} @change=${text('config')} /></label>
          <label>${t.hubSplit}<input id="ds-hub-split" .value=${this.hub.split} @change=${text('split')} /></label>
          <label>${t.hubMax}<input id="ds-hub-max" type="number" min="1" step=${HUB_PAGE} .value=${String(this.hub.max)}
            @change=${(e: Event) => (this.hub = { ...this.hub, max: Math.max(1, Math.round(Number((e.target as HTMLInputElement).value) || 1)) })} /></label>
          <button id="ds-hub-load" type="button" ?disabled=${!!this.hubProgress} @click=${() => this.onHub()}>${t.hubLoad}</button>
          ${this.hubProgress ? html`<span role="status"><progress max=${this.hubProgress.total} value=${this.hubProgress.done}></progress> ${t.hubProgress(this.hubProgress.done, this.hubProgress.total)}</span>` : nothing}
        </div>
      </details>
      ${this.missing ? html`<p class="error" role="alert" id="ds-missing">${this.missing}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert" id="ds-error">${this.error}</p>` : nothing}
      ${this.note ? html`<p class="note" role="status" id="ds-note">${this.note}</p>` : nothing}
      ${this.renderChosen()}
    </fieldset>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-dataset-picker': LabDatasetPicker;
  }
}
