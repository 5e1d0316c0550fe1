import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { catalogue } from '../../core/catalogue.js';
import type { LoadProgress } from '../../core/engine.js';
import { WorkerEngine } from '../../engines/worker-client.js';
import { detectGpu, type GpuReport } from '../models/gpu-detect.js';
import '../playground/lab-playground.js';

/**
 * The lab shell: detects WebGPU before any download, loads an embedded model in a module worker
 * with per-file progress and a separate warm-up step, falls back to wasm with a visible banner,
 * and hosts the views. All model text is rendered as text (Lit escapes it).
 */
@customElement('lab-app')
export class LabApp extends LitElement {
  @state() private gpu: GpuReport | null = null;
  @state() private modelId = 'tiny-a';
  @state() private device: 'webgpu' | 'wasm' = 'webgpu';
  @state() private files = new Map<string, { loaded: number; total?: number }>();
  @state() private phase: LoadProgress['phase'] | 'idle' | 'error' = 'idle';
  @state() private error = '';
  @state() private engine: WorkerEngine | null = null;

  static override styles = css`
    :host { display: block; font-family: system-ui, sans-serif; max-width: 980px; margin: 0 auto; padding: 1rem; color: #1d2330; }
    header { display: flex; align-items: baseline; gap: 1rem; }
    h1 { font-size: 1.4rem; margin: 0; }
    .banner { background: #fff4d6; border: 1px solid #e0b94a; padding: 0.5rem 0.75rem; border-radius: 6px; margin: 0.5rem 0; }
    .error { background: #fde8e8; border: 1px solid #d66; padding: 0.5rem 0.75rem; border-radius: 6px; white-space: pre-wrap; }
    section { border: 1px solid #d8dce6; border-radius: 8px; padding: 0.75rem 1rem; margin: 0.75rem 0; }
    progress { width: 12rem; }
    code { font-size: 0.85em; }
    label { margin-right: 0.75rem; }
  `;

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    this.gpu = await detectGpu();
    if (!this.gpu.available) this.device = 'wasm';
  }

  private async load(): Promise<void> {
    this.error = '';
    this.files = new Map();
    this.phase = 'download';
    await this.engine?.dispose();
    this.engine = null;
    const worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), { type: 'module' });
    try {
      this.engine = await WorkerEngine.load(worker, { backend: 'ort', id: this.modelId, baseUrl: `${import.meta.env.BASE_URL}models/${this.modelId}/`, device: this.device }, (p) => {
        if (p.file) this.files = new Map(this.files).set(p.file, { loaded: p.loaded ?? 0, ...(p.total ? { total: p.total } : {}) });
        this.phase = p.phase;
      });
      this.phase = 'ready';
    } catch (e) {
      worker.terminate();
      this.phase = 'error';
      this.error = `Could not load ${this.modelId} on ${this.device}: ${(e as Error).message}`;
    }
  }

  override render() {
    const embedded = catalogue().filter((m) => m.embedded);
    const gpu = this.gpu;
    return html`
      <header><h1>Reasoning Lab</h1><span>small-model reasoning, in your browser</span></header>
      ${gpu && !gpu.available ? html`<div class="banner" role="status">No WebGPU here (${gpu.reason}). Running on the CPU with wasm: slower, same results.</div>` : nothing}
      ${this.device === 'wasm' && gpu?.available ? html`<div class="banner" role="status">wasm device selected: running on the CPU.</div>` : nothing}
      <section aria-label="Models">
        <h2>Model</h2>
        <p>
          WebGPU:
          ${gpu === null ? 'checking…' : gpu.available ? html`<code>${gpu.vendor} ${gpu.architecture}</code>, features: <code>${gpu.features.join(', ') || 'none'}</code>, shader-f16: ${gpu.features.includes('shader-f16') ? 'yes' : 'no'}` : 'not available'}
        </p>
        <label>Model <select @change=${(e: Event) => (this.modelId = (e.target as HTMLSelectElement).value)} .value=${this.modelId}>
          ${embedded.map((m) => html`<option value=${m.id}>${m.name}</option>`)}
        </select></label>
        <label>Device <select @change=${(e: Event) => (this.device = (e.target as HTMLSelectElement).value as 'webgpu' | 'wasm')} .value=${this.device}>
          <option value="webgpu" ?disabled=${!gpu?.available}>WebGPU</option>
          <option value="wasm">wasm (CPU)</option>
        </select></label>
        <button id="load" @click=${() => this.load()} ?disabled=${this.phase === 'download' || this.phase === 'init' || this.phase === 'warmup'}>Load</button>
        <span id="phase" role="status" aria-live="polite">${this.phase === 'idle' ? '' : this.phase === 'warmup' ? 'warming up…' : this.phase}</span>
        ${this.files.size
          ? html`<ul>${[...this.files].map(([f, p]) => html`<li><code>${f}</code> <progress max=${p.total ?? 1} value=${p.total ? p.loaded : 0}></progress> ${(p.loaded / 1024).toFixed(0)} KiB</li>`)}</ul>`
          : nothing}
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      </section>
      ${this.engine ? html`<lab-playground .engine=${this.engine}></lab-playground>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-app': LabApp;
  }
}
