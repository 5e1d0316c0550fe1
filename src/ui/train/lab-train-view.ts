import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { parseDpoRows, parseSftRows, type DpoRow, type SftRow } from '../../data/trees-io.js';
import { isSoftwareAdapter } from '../../engines/webllm/memory.js';
import type { ProbeResult, TrainMetrics } from '../../train/protocol.js';
import { CheckpointStore } from '../../store/checkpoints.js';
import { loadCheckpointModel } from '../app/engines.js';
import { HashController } from '../app/hash-controller.js';
import { readLesson, writeLesson } from '../app/lesson-link.js';
import { session, SessionController } from '../app/session.js';
import { viewStyles } from '../app/view-styles.js';
import { train as t } from '../messages/index.js';
import { detectGpu } from '../models/gpu-detect.js';
import { dataSettingsFromHash } from '../data/extraction.js';
import './metrics-chart.js';
import './checkpoint-list.js';
import { OBJECTIVES, settingsFromCheckpoint, trainerSettings, trainSettingsFromHash, trainSettingsToHash, type TrainViewSettings } from './settings.js';
import { TrainRun } from './train-client.js';
import { sessionRows, type SessionRows } from './session-rows.js';
import { loadTrainRecording, type TrainRecording } from './recording.js';

const TABLE_KEYS = ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies', 'logps/chosen', 'logps/rejected', 'nll_loss', 'grad_norm', 'learning_rate', 'tokens/s'] as const;
/** Rows a run trains on, and where they came from (a file name, "Data view pairs"). */
type TrainData = { name: string; dpo?: DpoRow[]; sft?: SftRow[] };

const num = (v: number | undefined) => (v === undefined ? '–' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(3) : v.toExponential(2));

/**
 * The Train view: fine-tunes tiny-a or tiny-b in a module worker on the Data view's pairs or an
 * imported JSONL file, with live curves (and their table), probe answers every K steps, Stop /
 * Pause / One step / Resume, checkpoints saved to IndexedDB as it goes, and one click to load a
 * checkpoint as a model (Objectives then scores it against its base) or compare it in Evaluate.
 * A saved checkpoint resumes after a reload too (Resume training in its list): its record holds
 * the settings and the rows. A failed run says why in `#train-error` and which checkpoint is kept.
 */
@customElement('lab-train-view')
export class LabTrainView extends LitElement {
  @state() private s: TrainViewSettings = trainSettingsFromHash({});
  @state() private rows: TrainMetrics[] = [];
  @state() private probes: { step: number; results: ProbeResult[] } | null = null;
  @state() private phase = '';
  @state() private error = '';
  @state() private notice = '';
  @state() private running = false;
  @state() private paused = false;
  /** Stop was asked for and the run has not ended yet: "End now" is offered. */
  @state() private stopping = false;
  /** The checkpoint Resume continues: its id, step, name and the rows it trains on. */
  @state() private current: { id: string; step: number; name: string; data: TrainData } | null = null;
  private fileRows: TrainData | null = null;
  /** A recorded run on screen (lessons): replaced by the first live step. */
  @state() private recording: TrainRecording | null = null;
  private recordingName = '';
  private run: TrainRun | null = null;
  private autoDevice: 'webgpu' | 'wasm' = 'wasm';

  constructor() {
    super();
    new SessionController(this, session);
    new HashController(this, (p) => {
      this.s = trainSettingsFromHash(p);
      if (p.trec && p.trec !== this.recordingName) void this.showRecording(p.trec);
    });
  }

  static override styles = [
    viewStyles,
    css`
      form { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 0.5rem 1rem; align-items: end; }
      label { display: flex; flex-direction: column; font-size: 0.9rem; gap: 0.15rem; }
      label.check { flex-direction: row; align-items: center; gap: 0.4rem; }
      .controls { display: flex; gap: 0.5rem; flex-wrap: wrap; margin: 0.5rem 0; }
      .table-wrap { overflow-x: auto; max-height: 18rem; }
      table { border-collapse: collapse; font-size: 0.85rem; }
      th, td { padding: 0.15rem 0.5rem; border-bottom: 1px solid #eceef3; text-align: right; }
      td.text { text-align: left; white-space: pre-wrap; max-width: 36rem; font-family: ui-monospace, monospace; font-size: 0.8rem; }
      .ok { color: #1f7a3a; }
      .bad { color: #b42318; }
    `,
  ];

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    const gpu = await detectGpu();
    this.autoDevice = gpu.available && !isSoftwareAdapter(gpu) ? 'webgpu' : 'wasm';
  }

  /** Show a recorded run from public/demos (lesson steps) while nothing is being trained. */
  private async showRecording(name: string): Promise<void> {
    this.recordingName = name;
    if (this.running || (this.rows.length && !this.recording)) return;
    try {
      this.recording = await loadTrainRecording(name);
      this.rows = this.recording.metrics;
      this.probes = null;
    } catch (e) {
      this.notice = (e as Error).message;
    }
  }

  private set<K extends keyof TrainViewSettings>(k: K, v: TrainViewSettings[K]): void {
    this.s = { ...this.s, [k]: v };
    writeLesson(trainSettingsToHash(this.s));
  }

  private async refreshCheckpoints(): Promise<void> {
    await this.updateComplete;
    await this.renderRoot.querySelector('lab-checkpoint-list')?.refresh();
  }

  /** The rows the form's Data choice gives now (null: no file imported). */
  private viewData(): TrainData | null {
    if (this.s.source === 'file') return this.fileRows;
    const rows = this.sessionRows();
    return { name: this.s.objective === 'sft' ? t.sessionSftName(rows.sftFrom) : t.sessionDpoName, ...rows };
  }

  private rowsCache: { key: unknown[]; rows: SessionRows } | null = null;

  /** The Data view's rows (SFT paths by its own settings in the hash), recomputed only when they change. */
  private sessionRows(): SessionRows {
    const { trees, pairs } = session.state;
    const data = dataSettingsFromHash(readLesson());
    const key = [trees, pairs, data.sft, data.length, data.recipe];
    if (!this.rowsCache || key.some((k, i) => k !== this.rowsCache!.key[i])) this.rowsCache = { key, rows: sessionRows(trees, pairs, data) };
    return this.rowsCache.rows;
  }

  private async onFile(e: Event): Promise<void> {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (!f) return;
    this.error = '';
    const text = await f.text();
    // Read the file as the objective's kind; a file of the other kind is kept too (the CLI's
    // "pass it with --dpo" does not apply here: switching the objective is the fix).
    const want = this.s.objective === 'sft' ? 'sft' : 'dpo';
    const read = (kind: 'sft' | 'dpo'): TrainData => (kind === 'sft' ? { name: f.name, sft: parseSftRows(text, f.name) } : { name: f.name, dpo: parseDpoRows(text, f.name) });
    try {
      this.fileRows = read(want);
      this.notice = t.fileRows(f.name, (this.fileRows.dpo ?? this.fileRows.sft)!.length, null);
    } catch (err) {
      try {
        this.fileRows = read(want === 'sft' ? 'dpo' : 'sft');
        this.notice = t.fileRows(f.name, (this.fileRows.dpo ?? this.fileRows.sft)!.length, this.fileRows.dpo ? 'dpo' : 'sft');
      } catch {
        this.fileRows = null;
        this.error = (err as Error).message;
      }
    }
  }

  /** Start a new run, or continue the current checkpoint on its own rows (`resume`). */
  start(resume = false): void {
    const s = this.s;
    const cont = resume ? this.current : null;
    const data = cont ? cont.data : this.viewData();
    const rows = s.objective === 'sft' ? data?.sft : data?.dpo;
    if (!rows?.length) {
      this.error = data && !rows ? t.otherKind(data.name, data.dpo ? 'dpo' : 'sft') : t.noData;
      return;
    }
    const device = s.device || this.autoDevice;
    const id = cont ? cont.id : `ckpt-${s.model}-${s.objective}-${Date.now().toString(36)}`;
    const name = cont ? cont.name : `${s.model} · ${t.objectives[s.objective]}${s.alpha > 0 && s.objective !== 'sft' ? ` + ${s.alpha}·NLL` : ''}${s.mask ? ' · masked' : ''}`;
    // A new run's failure before its first save keeps nothing: Resume must not pick up an older run.
    if (!resume) this.current = null;
    if (!resume || this.recording) {
      this.rows = [];
      this.probes = null;
      this.recording = null;
    }
    this.error = '';
    this.notice = '';
    this.running = true;
    this.paused = s.stepMode;
    this.run = new TrainRun(
      {
        base: s.model, baseUrl: `${import.meta.env.BASE_URL}models/${s.model}/`, device, dataName: data!.name, ...(s.objective === 'sft' ? { sftRows: rows as SftRow[] } : { dpoRows: rows as DpoRow[] }),
        settings: trainerSettings(s), batch: s.batch, seed: s.seed, probeEvery: s.probeEvery, probes: { family: s.probeFamily, count: 3, seed: 4242, maxTokens: 256 },
        checkpointId: id, name, resume, paused: s.stepMode,
      },
      {
        onPhase: (p, d) => (this.phase = t.phase(p, d)),
        onMetrics: (m) => (this.rows = [...this.rows, m]),
        onProbe: (step, results) => (this.probes = { step, results }),
        onSaved: (cid, step) => {
          this.current = { id: cid, step, name, data: data! };
          this.notice = t.saved(step);
          void this.refreshCheckpoints();
        },
        onPaused: () => (this.paused = true),
      },
    );
    this.run.done.then(
      (r) => {
        this.phase = '';
        this.notice = t.done(r.step, r.stopped);
      },
      (e: Error) => (this.error = e.message),
    ).finally(() => {
      this.running = false;
      this.stopping = false;
      this.run = null;
      void this.refreshCheckpoints();
    });
  }

  /**
   * Continue a saved checkpoint (Resume training in the list, also after a reload): the form takes
   * the settings it was trained with, the table its metrics so far, and training goes on from its
   * step with its optimiser state, data position and rows (the form's data for a checkpoint
   * imported from a file, which holds none).
   */
  async resumeCheckpoint(id: string): Promise<void> {
    if (this.running) return;
    this.error = '';
    try {
      const store = await CheckpointStore.open();
      const rec = await store.get(id).finally(() => store.close());
      const s = settingsFromCheckpoint(rec, this.s);
      const dataName = String(rec.settings.data ?? 'its data');
      const data = rec.rows ? { name: dataName, ...rec.rows } : this.viewData();
      if (!(s.objective === 'sft' ? data?.sft : data?.dpo)?.length) throw new Error(t.resumeNoData(dataName));
      this.s = s;
      writeLesson(trainSettingsToHash(s));
      this.recording = null;
      this.probes = null;
      this.rows = rec.metrics as unknown as TrainMetrics[];
      this.current = { id: rec.id, step: rec.step, name: rec.name, data: data! };
      if (rec.step >= s.steps) {
        this.notice = t.resumeFinished(rec.step);
        return;
      }
      this.start(true);
      this.notice = t.resumed(rec.name, rec.step);
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /** Load a checkpoint into a model worker; Objectives then defaults to it vs its base. */
  async loadCheckpoint(c: { id: string; base: string }): Promise<string> {
    const device = this.s.device || this.autoDevice;
    try {
      await loadCheckpointModel(c, device);
      this.notice = t.loaded(c.id);
    } catch (e) {
      this.error = (e as Error).message;
    }
    return c.id;
  }

  private async compare(c: { id: string; base: string }): Promise<void> {
    await this.loadCheckpoint(c);
    writeLesson({ view: 'evaluate', 'eval.model': c.base, 'eval.model2': c.id, 'eval.task': this.s.probeFamily });
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }

  private field(label: string, key: 'beta' | 'eps' | 'alpha' | 'lr' | 'steps' | 'batch' | 'seed' | 'probeEvery', step: string) {
    return html`<label>${label}<input type="number" step=${step} .value=${String(this.s[key])} ?disabled=${this.running} @change=${(e: Event) => this.set(key, Number((e.target as HTMLInputElement).value))} /></label>`;
  }

  override render() {
    const s = this.s;
    const rows = s.source === 'session' ? this.sessionRows() : null;
    const sourceLabel = !rows ? t.sourceSession(session.state.pairs.length, 'pairs') : s.objective === 'sft' ? t.sourceSession(rows.sft.length, rows.sftFrom) : t.sourceSession(rows.dpo.length, 'pairs');
    return html`
      <section aria-labelledby="train-h">
        <h2 id="train-h">${t.heading}</h2>
        <p>${t.intro}</p>
        <form @submit=${(e: Event) => e.preventDefault()}>
          <label>${t.model}<select .value=${s.model} ?disabled=${this.running} @change=${(e: Event) => this.set('model', (e.target as HTMLSelectElement).value as 'tiny-a')}><option value="tiny-a">tiny-a (Qwen2)</option><option value="tiny-b">tiny-b (Llama)</option></select></label>
          <label>${t.source}<select .value=${s.source} ?disabled=${this.running} @change=${(e: Event) => this.set('source', (e.target as HTMLSelectElement).value as 'file')}><option value="session">${sourceLabel}</option><option value="file">${t.sourceFile}</option></select></label>
          ${s.source === 'file' ? html`<label>${t.file}<input id="train-file" type="file" accept=".jsonl,application/jsonl,text/plain" ?disabled=${this.running} @change=${(e: Event) => this.onFile(e)} /></label>` : nothing}
          <label>${t.objective}<select .value=${s.objective} ?disabled=${this.running} @change=${(e: Event) => this.set('objective', (e.target as HTMLSelectElement).value as 'sft')}>${OBJECTIVES.map((o) => html`<option value=${o}>${t.objectives[o]}</option>`)}</select></label>
          ${this.field(t.beta, 'beta', '0.01')} ${this.field(t.eps, 'eps', '0.01')} ${this.field(t.alpha, 'alpha', '0.1')} ${this.field(t.lr, 'lr', '0.00001')}
          ${this.field(t.steps, 'steps', '1')} ${this.field(t.batch, 'batch', '1')} ${this.field(t.seed, 'seed', '1')} ${this.field(t.probeEvery, 'probeEvery', '1')}
          <label class="check"><input type="checkbox" .checked=${s.mask} ?disabled=${this.running} @change=${(e: Event) => this.set('mask', (e.target as HTMLInputElement).checked)} />${t.mask}</label>
          <label>${t.device}<select .value=${s.device} ?disabled=${this.running} @change=${(e: Event) => this.set('device', (e.target as HTMLSelectElement).value as 'wasm')}><option value="">${t.deviceAuto}</option><option value="webgpu">WebGPU</option><option value="wasm">wasm</option></select></label>
          <label>${t.probeFamily}<select .value=${s.probeFamily} ?disabled=${this.running} @change=${(e: Event) => this.set('probeFamily', (e.target as HTMLSelectElement).value as 'letters')}>${['letters', 'arithmetic', 'wordproblems', 'blocksworld'].map((f) => html`<option value=${f}>${f}</option>`)}</select></label>
          <label class="check"><input type="checkbox" .checked=${s.stepMode} ?disabled=${this.running} @change=${(e: Event) => this.set('stepMode', (e.target as HTMLInputElement).checked)} />${t.stepMode}</label>
        </form>
        <div class="controls">
          <button id="train-start" ?disabled=${this.running} @click=${() => this.start(false)}>${t.start}</button>
          <button id="train-stop" ?disabled=${!this.running || this.stopping} @click=${() => (this.run?.stop(), (this.stopping = true))}>${t.stop}</button>
          ${this.running && this.stopping ? html`<button id="train-kill" title=${t.endNowTitle} @click=${() => this.run?.kill()}>${t.endNow}</button>` : nothing}
          <button id="train-pause" ?disabled=${!this.running || this.paused} @click=${() => (this.run?.pause(), (this.paused = true))}>${t.pause}</button>
          <button id="train-step" ?disabled=${!this.running || !this.paused} @click=${() => this.run?.step()}>${t.stepOnce}</button>
          <button id="train-resume" ?disabled=${this.running ? !this.paused : !this.current} @click=${() => (this.running ? (this.run?.resume(), (this.paused = false)) : this.start(true))}>${t.resume}</button>
          ${this.current && !this.running
            ? html`<button id="train-load" @click=${() => this.loadCheckpoint({ id: this.current!.id, base: s.model })}>${t.load}</button>
                <button id="train-compare" @click=${() => this.compare({ id: this.current!.id, base: s.model })}>${t.compare}</button>`
            : nothing}
        </div>
        <p role="status" id="train-status">${[this.running && this.stopping ? t.stopping : '', this.phase, this.notice].filter(Boolean).join(' — ')}</p>
        ${this.error ? html`<div class="error" role="alert" id="train-error">${this.error}</div>` : nothing}
      </section>
      <section aria-labelledby="train-curves-h">
        <h3 id="train-curves-h">${t.charts}</h3>
        ${this.recording ? html`<p role="note" id="train-recording">${t.recording(this.recording.title, this.recording.command)}${this.recording.evaluation ? html`<br />${this.recording.evaluation}` : nothing}</p>` : nothing}
        <lab-train-chart .rows=${this.rows}></lab-train-chart>
        <div class="table-wrap" tabindex="0" role="region" aria-label=${t.table}>
          <table id="train-table">
            <caption>${t.table}</caption>
            <thead><tr><th scope="col">step</th>${TABLE_KEYS.map((k) => html`<th scope="col">${k}</th>`)}</tr></thead>
            <tbody>${this.rows.map((r) => html`<tr><th scope="row">${r.step}</th>${TABLE_KEYS.map((k) => html`<td>${num(r[k] as number | undefined)}</td>`)}</tr>`)}</tbody>
          </table>
        </div>
      </section>
      ${this.probes
        ? html`<section aria-labelledby="train-probes-h">
            <h3 id="train-probes-h">${t.probes} ${this.probes.step}</h3>
            <table id="train-probes">
              <thead><tr>${t.probeCols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
              <tbody>${this.probes.results.map((p) => html`<tr><td class="text">${p.question}</td><td class="text">${p.text}</td><td>${p.tokens}</td><td>${p.boxed ? 'yes' : 'no'}</td><td class=${p.correct ? 'ok' : 'bad'}>${p.correct ? '✓ correct' : '✗ wrong'}</td></tr>`)}</tbody>
            </table>
          </section>`
        : nothing}
      <section aria-labelledby="train-ckpt-h">
        <h3 id="train-ckpt-h">${t.checkpoints}</h3>
        <lab-checkpoint-list
          id="train-checkpoints"
          resumable
          ?busy=${this.running}
          @load-checkpoint=${(e: CustomEvent<{ id: string; base: string }>) => this.loadCheckpoint(e.detail)}
          @resume-checkpoint=${(e: CustomEvent<{ id: string }>) => this.resumeCheckpoint(e.detail.id)}
        ></lab-checkpoint-list>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-train-view': LabTrainView;
  }
}
