import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { CheckpointStore, type CheckpointRecord, type CheckpointSummary } from '../../store/checkpoints.js';
import { parseCheckpointMeta } from '../../train/checkpoint.js';
import { packTar, unpackTar } from '../../train/tar.js';
import { downloadText } from '../data/download.js';
import { train as t } from '../messages/index.js';

/** A checkpoint record from a `.tar` (exported here, or `tar -cf x.tar -C checkpoints/NAME .`). */
export function recordFromTar(bytes: Uint8Array, file: string): CheckpointRecord {
  const files = unpackTar(bytes, file);
  const stateFile = files.get('trainer_state.json');
  if (!stateFile) throw new Error(`${file}: not a checkpoint (no trainer_state.json inside)`);
  const meta = parseCheckpointMeta(new TextDecoder().decode(stateFile), `${file}: trainer_state.json`);
  for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) if (!files.has(f)) throw new Error(`${file}: ${f} is missing from the archive`);
  const metricsText = files.get('metrics.jsonl');
  const metrics = metricsText ? new TextDecoder().decode(metricsText).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, number>) : [];
  const name = file.replace(/\.tar$/, '');
  return { id: `ckpt-import-${name.replace(/[^\w.-]/g, '_')}-${Date.now().toString(36)}`, name, base: meta.base, step: meta.step, steps: meta.steps, settings: meta.settings, files: Object.fromEntries(files), metrics, consumed: meta.consumed, createdAt: Date.now(), updatedAt: Date.now() };
}

/** The record's files as one `.tar` that `lab --model NAME.tar` loads. */
export function tarFromRecord(rec: CheckpointRecord): Uint8Array {
  const files = new Map(Object.entries(rec.files));
  files.set('metrics.jsonl', new TextEncoder().encode(rec.metrics.map((m) => JSON.stringify(m)).join('\n') + (rec.metrics.length ? '\n' : '')));
  return packTar(files);
}

/**
 * Saved checkpoints (IndexedDB): load as a model, export as a `.tar` for `lab`, import one, delete,
 * and (in the Train view) resume training. Used by the Train, Models and Runs views.
 * @fires load-checkpoint - `{ id, base }`: load it as a model.
 * @fires resume-checkpoint - `{ id }`: continue training it (only with `resumable`).
 */
@customElement('lab-checkpoint-list')
export class LabCheckpointList extends LitElement {
  /** Disable deleting and resuming while a run writes checkpoints. */
  @property({ type: Boolean }) busy = false;
  /** Show a Resume training button per checkpoint (the Train view, which can continue one). */
  @property({ type: Boolean }) resumable = false;
  @state() private items: CheckpointSummary[] = [];
  @state() private error = '';

  static override styles = css`
    ul { padding-left: 1.2rem; }
    li { margin: 0.2rem 0; }
    .error { background: #fde8e8; border: 1px solid #d66; padding: 0.3rem 0.5rem; border-radius: 6px; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  /** Re-read the store (the Train view calls this after each save). */
  async refresh(): Promise<void> {
    try {
      const store = await CheckpointStore.open();
      this.items = await store.list();
      store.close();
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async withStore<T>(fn: (s: CheckpointStore) => Promise<T>): Promise<T | undefined> {
    this.error = '';
    try {
      const store = await CheckpointStore.open();
      try {
        return await fn(store);
      } finally {
        store.close();
      }
    } catch (e) {
      this.error = (e as Error).message;
      return undefined;
    }
  }

  private async exportOne(id: string): Promise<void> {
    const rec = await this.withStore((s) => s.get(id));
    if (rec) downloadText(`${rec.name.replace(/[^\w.-]+/g, '_')}-step${rec.step}.tar`, tarFromRecord(rec), 'application/x-tar');
  }

  private async importFile(input: HTMLInputElement): Promise<void> {
    const f = input.files?.[0];
    if (!f) return;
    const bytes = new Uint8Array(await f.arrayBuffer());
    await this.withStore(async (s) => s.put(recordFromTar(bytes, f.name)));
    input.value = '';
    await this.refresh();
  }

  private async deleteOne(id: string): Promise<void> {
    await this.withStore((s) => s.delete(id));
    await this.refresh();
  }

  override render() {
    return html`
      ${this.items.length === 0
        ? html`<p>${t.noCheckpoints}</p>`
        : html`<ul class="checkpoints">${this.items.map(
            (c) => html`<li>${c.name} — step ${c.step}/${c.steps}, ${(c.bytes / 1e6).toFixed(1)} MB
              <button @click=${() => this.dispatchEvent(new CustomEvent('load-checkpoint', { detail: { id: c.id, base: c.base }, bubbles: true, composed: true }))}>${t.load}</button>
              ${this.resumable
                ? html`<button class="resume" ?disabled=${this.busy} @click=${() => this.dispatchEvent(new CustomEvent('resume-checkpoint', { detail: { id: c.id }, bubbles: true, composed: true }))}>${t.resumeCheckpoint}</button>`
                : nothing}
              <button @click=${() => this.exportOne(c.id)}>${t.export}</button>
              <button ?disabled=${this.busy} @click=${() => this.deleteOne(c.id)}>${t.delete}</button></li>`,
          )}</ul>`}
      <label>${t.importCheckpoint} <input class="import" type="file" accept=".tar,application/x-tar" @change=${(e: Event) => this.importFile(e.target as HTMLInputElement)} /></label>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-checkpoint-list': LabCheckpointList;
  }
}
