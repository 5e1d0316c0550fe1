import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { catalogue } from '../../core/catalogue.js';
import type { LoadProgress } from '../../core/engine.js';
import { embeddedSpec, loadCheckpointModel, loadEngine, unloadEngine } from '../app/engines.js';
import { train as tt } from '../messages/train.js';
import '../train/checkpoint-list.js';
import { session, SessionController } from '../app/session.js';
import { models as t } from '../messages/models-view.js';
import type { CatalogueEntry } from '../../core/catalogue.js';
import { specFromDetail, type LoadModelDetail } from '../../engines/webllm/spec.js';
import { isSoftwareAdapter } from '../../engines/webllm/memory.js';
import type { GpuReport } from './gpu-detect.js';
import type { ModelStatus } from './model-list.js';
import './model-list.js';
import './server-connect.js';
import '../playground/lab-playground.js';
import { viewStyles } from '../app/view-styles.js';

const NOT_EMBEDDED = (e: CatalogueEntry) => !e.embedded;

interface LoadState {
  phase: LoadProgress['phase'] | 'idle' | 'error';
  files: Map<string, { loaded: number; total?: number }>;
  error: string;
}

/**
 * Models view: the adapter report (taken before any download), the embedded models with a device
 * choice, per-file progress and a separate warm-up step, one worker per loaded model, and a
 * playground on a loaded model.
 */
@customElement('lab-models-view')
export class LabModelsView extends LitElement {
  @property({ attribute: false }) gpu: GpuReport | null = null;
  @state() private device: 'webgpu' | 'wasm' = 'webgpu';
  @state() private checkpointNote = '';
  @state() private loads = new Map<string, LoadState>();
  @state() private playWith = '';
  @state() private listStatus: Record<string, ModelStatus> = {};
  private readonly ses = new SessionController(this, session);

  static override styles = [
    viewStyles,
    css`
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #eceef3; vertical-align: top; }
    progress { width: 10rem; }
    ul { margin: 0.25rem 0; padding-left: 1.2rem; }
    code { font-size: 0.85em; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `,
  ];

  private deviceChosen = false;

  override willUpdate(changed: Map<string, unknown>): void {
    if (this.gpu && !this.gpu.available) this.device = 'wasm';
    // A software adapter (SwiftShader, llvmpipe) runs WebGPU on the CPU: for these small models
    // wasm is ~40x faster there (bench/RESULTS.md, UI), so it is the default until the user picks.
    if (changed.has('gpu') && this.gpu?.available && !this.deviceChosen && isSoftwareAdapter(this.gpu)) this.device = 'wasm';
  }

  private setLoad(id: string, patch: Partial<LoadState>): void {
    const cur = this.loads.get(id) ?? { phase: 'idle', files: new Map(), error: '' };
    this.loads = new Map(this.loads).set(id, { ...cur, ...patch });
  }

  private async load(id: string): Promise<void> {
    this.setLoad(id, { phase: 'download', files: new Map(), error: '' });
    try {
      await loadEngine(embeddedSpec(id, this.device), (p) => {
        const files = new Map(this.loads.get(id)?.files ?? []);
        if (p.file) files.set(p.file, { loaded: p.loaded ?? 0, ...(p.total ? { total: p.total } : {}) });
        this.setLoad(id, { phase: p.phase, files });
      });
      this.setLoad(id, { phase: 'ready' });
      if (!this.playWith) this.playWith = id;
    } catch (e) {
      this.setLoad(id, { phase: 'error', error: t.loadFailed(id, this.device, (e as Error).message) });
    }
  }

  /** Load a 1B-class model picked in the catalogue list (web-llm or ONNX; fails fast offline). */
  private async loadFromList(d: LoadModelDetail): Promise<void> {
    const set = (st: ModelStatus) => (this.listStatus = { ...this.listStatus, [d.id]: st });
    set({ kind: 'loading', text: t.loadingFrom(d.id) });
    try {
      await loadEngine(specFromDetail(d, this.device), (p) => set({ kind: 'loading', text: (p.file ? `${p.file}: ${((p.loaded ?? 0) / 2 ** 20).toFixed(1)} MiB` : p.phase) }));
      set({ kind: 'ready', text: t.loadedOn(this.device) });
      if (!this.playWith) this.playWith = d.id;
    } catch (e) {
      set({ kind: 'error', text: (e as Error).message });
    }
  }

  /** Unload a model; while a search or evaluation uses it, only after the user confirms. */
  private async unload(id: string): Promise<void> {
    const uses = session.state.inUse.get(id) ?? [];
    if (uses.length && !confirm(t.unloadInUse(id, uses))) return;
    await unloadEngine(id);
    this.setLoad(id, { phase: 'idle', files: new Map() });
    if (this.playWith === id) this.playWith = [...session.state.engines.keys()][0] ?? '';
  }

  private phaseText(p: LoadState['phase']): string {
    return p === 'idle' ? '' : p === 'warmup' ? t.warmingUp : p;
  }

  /** A checkpoint from the Train view, loaded on the selected device (base model beside it). */
  private async loadCheckpoint(c: { id: string; base: string }): Promise<void> {
    this.checkpointNote = '';
    try {
      await loadCheckpointModel(c, this.device);
      this.checkpointNote = tt.loaded(c.id);
    } catch (e) {
      this.checkpointNote = (e as Error).message;
    }
  }

  override render() {
    const gpu = this.gpu;
    const engines = this.ses.session.state.engines;
    const busy = (id: string) => ['download', 'init', 'warmup'].includes(this.loads.get(id)?.phase ?? 'idle');
    return html`
      <section aria-label=${t.adapter}>
        <h2>${t.adapter}</h2>
        <p>
          WebGPU:
          ${gpu === null
            ? t.checking
            : gpu.available
              ? html`<code>${gpu.vendor} ${gpu.architecture}</code>, features: <code>${gpu.features.join(', ') || 'none'}</code>, shader-f16: ${gpu.features.includes('shader-f16') ? 'yes' : 'no'},
                  max buffer <code>${((gpu.maxBufferSize ?? 0) / 2 ** 20).toFixed(0)} MiB</code>`
              : t.notAvailable}
        </p>
        <label>${t.device}
          <select id="device" @change=${(e: Event) => { this.deviceChosen = true; this.device = (e.target as HTMLSelectElement).value as 'webgpu' | 'wasm'; }} .value=${this.device}>
            <option value="webgpu" ?disabled=${!gpu?.available}>WebGPU</option>
            <option value="wasm">${t.wasm}</option>
          </select>
        </label>
        ${gpu?.available && isSoftwareAdapter(gpu) ? html`<p class="note" role="note">${t.softwareAdapter}</p>` : nothing}
      </section>
      <section aria-label=${t.embedded}>
        <h2>${t.embedded}</h2>
        <table>
          <thead><tr><th>${t.model}</th><th>${t.size}</th><th>${t.status}</th><th><span class="sr">${t.actions}</span></th></tr></thead>
          <tbody>
            ${catalogue().filter((m) => m.embedded).map((m) => {
              const st = this.loads.get(m.id);
              return html`<tr data-model=${m.id}>
                <td><strong>${m.id}</strong><br /><small>${m.name}</small></td>
                <td>${m.sizeMB} MB</td>
                <td>
                  <span class="phase" role="status" aria-live="polite">${engines.has(m.id) ? t.loadedOn(engines.get(m.id)!.info.device) : this.phaseText(st?.phase ?? 'idle')}</span>
                  ${st?.files.size
                    ? html`<ul>${[...st.files].map(([f, p]) => html`<li><code>${f}</code> <progress max=${p.total ?? 1} value=${p.total ? p.loaded : 0} aria-label=${f}></progress> ${(p.loaded / 1024).toFixed(0)} KiB</li>`)}</ul>`
                    : nothing}
                  ${st?.error ? html`<div class="error" role="alert">${st.error}</div>` : nothing}
                </td>
                <td>
                  ${engines.has(m.id)
                    ? html`<button class="unload" @click=${() => this.unload(m.id)} title=${this.ses.session.state.inUse.has(m.id) ? t.inUseNote(this.ses.session.state.inUse.get(m.id)!) : nothing}>${t.unload}</button>`
                    : html`<button class="load" @click=${() => this.load(m.id)} ?disabled=${busy(m.id)}>${t.load}</button>`}
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </section>
      <section aria-label=${tt.checkpoints}>
        <h3>${tt.checkpoints}</h3>
        <lab-checkpoint-list @load-checkpoint=${(e: CustomEvent<{ id: string; base: string }>) => this.loadCheckpoint(e.detail)}></lab-checkpoint-list>
        ${this.checkpointNote ? html`<p role="status">${this.checkpointNote}</p>` : nothing}
      </section>
      <section aria-label=${t.catalogue}>
        <h2>${t.catalogue}</h2>
        <lab-model-list .gpu=${gpu} .include=${NOT_EMBEDDED} .loaded=${[...engines.keys()]} .status=${this.listStatus}
          @load-model=${(e: CustomEvent<LoadModelDetail>) => this.loadFromList(e.detail)}></lab-model-list>
      </section>
      <section aria-label=${t.server}>
        <h2>${t.server}</h2>
        <lab-server-connect></lab-server-connect>
      </section>
      ${engines.size
        ? html`<section aria-label=${t.playground}>
            <h2>${t.playground}</h2>
            <label>${t.model} <select @change=${(e: Event) => (this.playWith = (e.target as HTMLSelectElement).value)} .value=${this.playWith}>
              ${[...engines.keys()].map((id) => html`<option value=${id}>${id}</option>`)}
            </select></label>
            <lab-playground .engine=${engines.get(this.playWith) ?? null}></lab-playground>
          </section>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-models-view': LabModelsView;
  }
}
