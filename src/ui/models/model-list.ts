import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { catalogue, type CatalogueEntry } from '../../core/catalogue.js';
import type { CacheBackendChoice } from '../../engines/webllm/app-config.js';
import { webllmCache, type CacheOps, type StorageReport } from '../../engines/webllm/cache.js';
import { onnxBaseUrl, onnxVariant, webllmModelUrl, type OnnxDtype, type WeightSource, type WebLLMQuant } from '../../engines/webllm/catalogue.js';
import { combinedEstimate, memoryEstimate, type AdapterLimits, type MemoryEstimate } from '../../engines/webllm/memory.js';
import type { LoadModelDetail } from '../../engines/webllm/spec.js';
import { modelList as t } from '../messages/models.js';
import { detectGpu, type GpuReport } from './gpu-detect.js';

export type { LoadModelDetail } from '../../engines/webllm/spec.js';

/** Per-model status the shell shows in the list (load progress, errors). */
export interface ModelStatus {
  kind: 'loading' | 'ready' | 'error';
  text: string;
}

const MB = 1024 * 1024;

function formatParams(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)}B` : n >= 1e6 ? `${Math.round(n / 1e6)}M` : `${(n / 1e6).toFixed(2)}M`;
}

/**
 * The model catalogue as a table: backend, parameters, download size, memory need and the build
 * chosen for this adapter (q4f16 with shader-f16, else q4f32), a fit badge in words, cached status
 * with a delete button, and a Load button. Loading a model that may not fit asks first.
 *
 * @fires load-model - CustomEvent<LoadModelDetail>: the user asked to load a model (bubbles, composed).
 * @fires model-cache-deleted - CustomEvent<{ id: string; builds: string[] }>: cached builds were deleted.
 */
@customElement('lab-model-list')
export class LabModelList extends LitElement {
  /** The adapter report (detectGpu()); detected on connect when left null. */
  @property({ attribute: false }) gpu: GpuReport | null = null;
  /** navigator.deviceMemory (GB) unless set. */
  @property({ attribute: false }) deviceMemoryGB: number | undefined = (globalThis.navigator as Navigator & { deviceMemory?: number } | undefined)?.deviceMemory;
  /** Ids of the models loaded now (their memory adds up). */
  @property({ attribute: false }) loaded: string[] = [];
  /** Status per model id, set by the shell (loading progress, errors). */
  @property({ attribute: false }) status: Record<string, ModelStatus> = {};
  /** Where 1B-class weights come from. */
  @property() source: 'hub' | 'local' = 'hub';
  /** Folder URL of local weights (web-llm builds under webllm/<model_id>/resolve/main/, ONNX under <id>/). */
  @property({ attribute: 'local-root' }) localRoot = `${import.meta.env.BASE_URL}models/`;
  @property({ attribute: 'cache-backend' }) cacheBackend: CacheBackendChoice = 'cache';
  /** Cache operations; default: web-llm's cache helpers (web-llm is imported on first use). */
  @property({ attribute: false }) cacheOps: CacheOps | null = null;
  /** Which catalogue entries to list (default: all; e.g. `(e) => !e.embedded` next to an embedded-models table). */
  @property({ attribute: false }) include: (entry: CatalogueEntry) => boolean = () => true;

  @state() private cached = new Map<string, WebLLMQuant[] | 'checking'>();
  @state() private storage: StorageReport | null = null;
  @state() private confirming: string | null = null;
  @state() private removing = new Set<string>();
  @state() private note = '';

  static override styles = css`
    :host { display: block; }
    .adapter, .controls { margin: 0.25rem 0 0.5rem; }
    .controls label { margin-right: 0.75rem; }
    table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
    caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
    th, td { border-bottom: 1px solid #e3e6ee; padding: 0.3rem 0.4rem; text-align: left; vertical-align: top; }
    code { font-size: 0.85em; }
    .badge { display: inline-block; border-radius: 4px; padding: 0 0.35rem; border: 1px solid; font-size: 0.85em; white-space: nowrap; }
    .ok { border-color: #2f7d32; color: #1e5e22; background: #eaf6ea; }
    .warn { border-color: #b7861b; color: #7a5600; background: #fff4d6; }
    .block { border-color: #b33; color: #8a1f1f; background: #fde8e8; }
    .reasons { display: block; color: #555; font-size: 0.82em; max-width: 22rem; }
    .status { white-space: pre-wrap; }
    .status.error { color: #8a1f1f; }
    .confirm { background: #fff4d6; border: 1px solid #e0b94a; border-radius: 6px; padding: 0.4rem 0.6rem; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.gpu) void detectGpu().then((g) => (this.gpu = g));
    void this.refreshCache();
  }

  override updated(changed: Map<string, unknown>): void {
    // The cache is keyed by URL and backend: re-read it when either changes.
    if (['source', 'localRoot', 'cacheBackend', 'cacheOps'].some((k) => changed.has(k) && changed.get(k) !== undefined)) void this.refreshCache();
  }

  private ops(): CacheOps {
    return (this.cacheOps ??= webllmCache());
  }

  /** The adapter as the memory estimate sees it. */
  limits(): AdapterLimits {
    const g = this.gpu;
    return {
      available: !!g?.available,
      features: g?.features ?? [],
      ...(g?.maxBufferSize !== undefined ? { maxBufferSize: g.maxBufferSize } : {}),
      ...(g?.maxStorageBufferBindingSize !== undefined ? { maxStorageBufferBindingSize: g.maxStorageBufferBindingSize } : {}),
      ...(this.deviceMemoryGB !== undefined ? { deviceMemoryGB: this.deviceMemoryGB } : {}),
      ...(g?.vendor !== undefined ? { vendor: g.vendor } : {}),
      ...(g?.architecture !== undefined ? { architecture: g.architecture } : {}),
    };
  }

  private weightSource(): WeightSource {
    return this.source === 'local' ? { kind: 'local', root: this.localRoot } : { kind: 'hub' };
  }

  private baseUrlOf(entry: CatalogueEntry, quant: string): string {
    if (entry.embedded) return `${this.localRoot.endsWith('/') ? this.localRoot : `${this.localRoot}/`}${entry.path}/`;
    if (entry.webllm) return webllmModelUrl(entry, quant as WebLLMQuant, this.weightSource(), globalThis.location?.href);
    return onnxBaseUrl(entry, this.weightSource(), globalThis.location?.href);
  }

  /** Re-read which web-llm builds are cached and the storage estimate. */
  async refreshCache(): Promise<void> {
    const entries = catalogue().filter((e) => e.webllm && this.include(e));
    this.cached = new Map(entries.map((e) => [e.id, 'checking' as const]));
    const ops = this.ops();
    try {
      const results = await Promise.all(entries.map(async (e) => [e.id, await ops.cachedBuilds(e, (q) => this.baseUrlOf(e, q), this.cacheBackend)] as const));
      this.cached = new Map(results);
      this.storage = await ops.storage();
    } catch (e) {
      this.cached = new Map();
      this.note = t.cacheFailed((e as Error).message);
    }
  }

  private estimate(entry: CatalogueEntry): MemoryEstimate {
    return memoryEstimate(entry, this.limits());
  }

  /** Reasons to ask before loading: the model's own warnings and the total with the loaded models. */
  private warningsFor(entry: CatalogueEntry, est: MemoryEstimate): string[] {
    const out = [...est.reasons];
    const others = this.loaded.filter((id) => id !== entry.id).map((id) => catalogue().find((e) => e.id === id)).filter((e): e is CatalogueEntry => !!e);
    if (others.length > 0) {
      const total = combinedEstimate([...others.map((e) => this.estimate(e)), est], this.limits());
      if (total.warning) out.push(total.warning);
    }
    return out;
  }

  /** web-llm cannot run at all here (no WebGPU, or a build this adapter cannot run): loading is pointless. */
  private hardBlocked(entry: CatalogueEntry): boolean {
    return !!entry.webllm && !this.limits().available;
  }

  private requestLoad(entry: CatalogueEntry, confirmed: boolean): void {
    const est = this.estimate(entry);
    if (!confirmed && this.warningsFor(entry, est).length > 0) {
      this.confirming = entry.id;
      return;
    }
    this.confirming = null;
    const onnxFile = entry.onnx ? onnxVariant(entry, est.quant as OnnxDtype).file : entry.onnxFile;
    const detail: LoadModelDetail = {
      id: entry.id,
      backend: entry.backend === 'webllm' ? 'webllm' : 'ort',
      quant: est.quant,
      baseUrl: this.baseUrlOf(entry, est.quant),
      ...(onnxFile ? { onnxFile } : {}),
      embedded: entry.embedded,
      cacheBackend: this.cacheBackend,
      estimate: est,
    };
    this.dispatchEvent(new CustomEvent<LoadModelDetail>('load-model', { detail, bubbles: true, composed: true }));
  }

  private async deleteCached(entry: CatalogueEntry): Promise<void> {
    const builds = this.cached.get(entry.id);
    if (!Array.isArray(builds) || builds.length === 0) return;
    this.removing = new Set(this.removing).add(entry.id);
    try {
      await this.ops().remove(entry, builds, (q) => this.baseUrlOf(entry, q), this.cacheBackend);
      this.note = t.removed(entry.id);
      this.dispatchEvent(new CustomEvent('model-cache-deleted', { detail: { id: entry.id, builds }, bubbles: true, composed: true }));
    } catch (e) {
      this.note = t.removeFailed(entry.id, (e as Error).message);
    } finally {
      const next = new Set(this.removing);
      next.delete(entry.id);
      this.removing = next;
      await this.refreshCache();
    }
  }

  private renderAdapter() {
    const g = this.gpu;
    if (!g) return html`<p class="adapter">${t.adapter}: ${t.checkingAdapter}</p>`;
    if (!g.available) return html`<p class="adapter" role="status">${t.noAdapter(g.reason ?? '')}</p>`;
    const parts = [
      `${g.vendor ?? ''} ${g.architecture ?? ''}`.trim(),
      t.shaderF16(g.features.includes('shader-f16')),
      ...(g.maxStorageBufferBindingSize !== undefined ? [t.bindingLimit(Math.round(g.maxStorageBufferBindingSize / MB))] : []),
      ...(g.maxBufferSize !== undefined ? [t.bufferLimit(Math.round(g.maxBufferSize / MB))] : []),
      ...(this.deviceMemoryGB !== undefined ? [t.deviceMemory(this.deviceMemoryGB)] : []),
    ];
    return html`<p class="adapter">${t.adapter}: <span id="adapter">${parts.join(' · ')}</span></p>`;
  }

  private renderControls() {
    return html`<div class="controls">
      <label>${t.source}
        <select id="source" .value=${this.source} @change=${(e: Event) => (this.source = (e.target as HTMLSelectElement).value as 'hub' | 'local')}>
          <option value="hub">${t.sourceHub}</option>
          <option value="local">${t.sourceLocal}</option>
        </select></label>
      ${this.source === 'local'
        ? html`<label>${t.localRoot} <input id="local-root" .value=${this.localRoot} @change=${(e: Event) => (this.localRoot = (e.target as HTMLInputElement).value)} /></label><small>${t.localHelp}</small>`
        : nothing}
      <label>${t.cacheBackend}
        <select id="cache-backend" .value=${this.cacheBackend} @change=${(e: Event) => (this.cacheBackend = (e.target as HTMLSelectElement).value as CacheBackendChoice)}>
          ${Object.entries(t.cacheBackends).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
        </select></label>
      ${this.storage ? html`<span id="storage">${t.storage(this.storage.usageMB, this.storage.quotaMB)}</span>` : nothing}
    </div>`;
  }

  private renderCached(entry: CatalogueEntry) {
    if (entry.embedded) return t.shipped;
    if (!entry.webllm) return t.cachedUnknown;
    const c = this.cached.get(entry.id);
    if (c === 'checking') return t.checking;
    if (!c) return t.cachedUnknown;
    return c.length ? t.cachedYes(c) : t.cachedNo;
  }

  private renderRow(entry: CatalogueEntry) {
    const est = this.estimate(entry);
    const status = this.status[entry.id];
    const cached = this.cached.get(entry.id);
    const canRemove = Array.isArray(cached) && cached.length > 0;
    const backend = entry.embedded ? t.backends.embedded : (t.backends[entry.backend] ?? entry.backend);
    const blocked = this.hardBlocked(entry);
    const loading = status?.kind === 'loading';
    return html`
      <tr data-id=${entry.id} data-quant=${est.quant} data-fit=${est.level}>
        <td><span class="name">${entry.name}</span><br /><code>${entry.id}</code></td>
        <td class="backend">${backend}</td>
        <td class="params">${formatParams(entry.params)}</td>
        <td class="download">${entry.embedded ? t.exact(entry.sizeMB) : t.approx(est.downloadMB)}</td>
        <td class="memory">${t.approx(est.needMB)}</td>
        <td class="build"><code title=${t.buildTitle[est.quant] ?? est.quant}>${est.quant}</code></td>
        <td class="fit"><span class="badge ${est.level}">${t.fit[est.level]}</span>${est.warning ? html`<span class="reasons">${est.warning}</span>` : nothing}</td>
        <td class="cached">${this.renderCached(entry)}</td>
        <td class="actions">
          <button class="load" aria-label=${t.loadLabel(entry.name)} ?disabled=${blocked || loading} @click=${() => this.requestLoad(entry, false)}>${t.load}</button>
          ${canRemove ? html`<button class="remove" aria-label=${t.removeLabel(entry.name)} ?disabled=${this.removing.has(entry.id)} @click=${() => this.deleteCached(entry)}>${this.removing.has(entry.id) ? t.removing : t.remove}</button>` : nothing}
        </td>
      </tr>
      ${this.confirming === entry.id
        ? html`<tr class="confirm-row" data-confirm-for=${entry.id}><td colspan="9"><div class="confirm" role="alertdialog" aria-label=${t.confirmTitle(entry.id)}>
            <strong>${t.confirmTitle(entry.id)}</strong>
            <ul>${this.warningsFor(entry, est).map((w) => html`<li>${w}</li>`)}</ul>
            <button class="load-anyway" @click=${() => this.requestLoad(entry, true)}>${t.loadAnyway}</button>
            <button class="cancel" @click=${() => (this.confirming = null)}>${t.cancel}</button>
          </div></td></tr>`
        : nothing}
      ${status
        ? html`<tr class="status-row" data-status-for=${entry.id}><td colspan="9"><div class="status ${status.kind}" role=${status.kind === 'error' ? 'alert' : 'status'} aria-live="polite">${status.text}</div></td></tr>`
        : nothing}
    `;
  }

  override render() {
    const loadedEntries = this.loaded.map((id) => catalogue().find((e) => e.id === id)).filter((e): e is CatalogueEntry => !!e);
    const total = loadedEntries.reduce((a, e) => a + this.estimate(e).needMB, 0);
    const c = t.columns;
    return html`
      ${this.renderAdapter()} ${this.renderControls()}
      ${loadedEntries.length ? html`<p id="loaded">${t.loadedTotal(loadedEntries.map((e) => e.id), total)}</p>` : nothing}
      ${this.note ? html`<p id="note" role="status">${this.note}</p>` : nothing}
      <table>
        <caption>${t.caption}</caption>
        <thead><tr><th>${c.model}</th><th>${c.backend}</th><th>${c.params}</th><th>${c.download}</th><th>${c.memory}</th><th>${c.build}</th><th>${c.fit}</th><th>${c.cached}</th><th>${c.actions}</th></tr></thead>
        <tbody>${catalogue().filter((e) => this.include(e)).map((e) => this.renderRow(e))}</tbody>
      </table>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-model-list': LabModelList;
  }
  interface HTMLElementEventMap {
    'load-model': CustomEvent<LoadModelDetail>;
    'model-cache-deleted': CustomEvent<{ id: string; builds: string[] }>;
  }
}
