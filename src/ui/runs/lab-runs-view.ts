import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { Tree } from '../../mcts/tree.js';
import { LabStore, type RunMeta } from '../../store/db.js';
import { formatHash, readLesson } from '../app/lesson-link.js';
import { session, SessionController } from '../app/session.js';
import { EVAL_RUN_KEY } from '../evaluate/settings.js';
import { runs as t } from '../messages/runs.js';
import { exportFileName, formatBytes, formatShare } from './format.js';
import { viewStyles } from '../app/view-styles.js';
import { train as tt } from '../messages/train.js';
import { loadCheckpointModel } from '../app/engines.js';
import '../train/checkpoint-list.js';

/**
 * Runs view: the runs saved in IndexedDB (newest first), storage use against the quota, delete
 * with an inline confirmation, export of one run as a JSON file, import of a file (validated by
 * the store; errors shown with their message; an import is one transaction and never replaces an
 * existing run). "Open" publishes a search run's trees on the session and switches to Search;
 * an eval run opens in Evaluate.
 */
@customElement('lab-runs-view')
export class LabRunsView extends LitElement {
  @state() private list: RunMeta[] = [];
  @state() private usage: { usage: number; quota: number } | null | undefined = undefined;
  @state() private persisted: boolean | null = null;
  @state() private confirming = '';
  @state() private message = '';
  @state() private error = '';
  @state() private busy = false;
  private readonly ses = new SessionController(this, session);
  private lastStore: LabStore | null = null;
  private readonly onHash = () => {
    if (readLesson().view === 'runs') void this.refresh();
  };

  static override styles = [
    viewStyles,
    css`
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #eceef3; vertical-align: top; }
    td.num { text-align: right; }
    .actions { display: flex; gap: 0.35rem; flex-wrap: wrap; }
    .confirm { background: #fff4d6; border: 1px solid #e0b94a; padding: 0.4rem 0.6rem; border-radius: 6px; margin-top: 0.3rem; }
    meter { width: 14rem; }
    .toolbar { display: flex; gap: 0.75rem; align-items: center; flex-wrap: wrap; }
  `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.onHash);
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onHash);
  }

  override willUpdate(): void {
    // The store opens after the shell mounts: list runs as soon as it is there.
    if (session.state.store !== this.lastStore) {
      this.lastStore = session.state.store;
      void this.refresh();
    }
  }

  private async refresh(): Promise<void> {
    const store = session.state.store;
    try {
      this.usage = await LabStore.usage().catch(() => null);
      this.persisted = (await navigator.storage?.persisted?.().catch(() => null)) ?? null;
      this.list = store ? await store.listRuns() : [];
    } catch (e) {
      this.error = t.failed((e as Error).message);
    }
  }

  private async act(fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = '';
    this.message = '';
    try {
      await fn();
    } catch (e) {
      this.error = t.failed((e as Error).message);
    } finally {
      this.busy = false;
    }
  }

  private async open(run: RunMeta): Promise<void> {
    const store = session.state.store;
    if (!store) return;
    if (run.kind === 'eval') {
      location.hash = formatHash({ ...readLesson(), view: 'evaluate', [EVAL_RUN_KEY]: run.id });
      return;
    }
    const got = await store.getRun(run.id);
    if (!got) throw new Error(`no run "${run.id}"`);
    const trees = got.items.filter((it) => it.type === 'tree').map((it) => it.payload as Tree);
    if (!trees.length) {
      this.message = t.noTrees(run.title);
      return;
    }
    session.update({ runId: run.id, trees });
    this.message = t.opened(run.title, trees.length);
    location.hash = formatHash({ ...readLesson(), view: 'search' });
  }

  private async exportRun(run: RunMeta): Promise<void> {
    const store = session.state.store;
    if (!store) return;
    const text = await store.exportRun(run.id);
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = exportFileName(run.id);
    a.rel = 'noopener';
    this.renderRoot.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private async deleteRun(run: RunMeta): Promise<void> {
    const store = session.state.store;
    if (!store) return;
    await store.deleteRun(run.id);
    this.confirming = '';
    if (session.state.runId === run.id) session.update({ runId: null, trees: [] });
    this.message = t.deleted(run.title);
    await this.refresh();
  }

  private async importFile(input: HTMLInputElement): Promise<void> {
    const store = session.state.store;
    const file = input.files?.[0];
    if (!store || !file) return;
    this.busy = true;
    this.error = '';
    this.message = '';
    try {
      const meta = await store.importRun(await file.text(), file.name);
      this.message = t.imported(meta.title, meta.id);
      await this.refresh();
    } catch (e) {
      this.error = t.importFailed((e as Error).message);
    } finally {
      input.value = '';
      this.busy = false;
    }
  }

  private async persist(): Promise<void> {
    this.persisted = (await navigator.storage?.persist?.().catch(() => false)) ?? false;
  }

  private renderStorage() {
    const u = this.usage;
    return html`
      <p id="runs-usage">
        ${u === undefined ? '…' : u === null ? t.usageUnknown : html`<meter min="0" max=${u.quota || 1} value=${u.usage} aria-label=${t.storage}></meter> ${t.usage(formatBytes(u.usage), formatBytes(u.quota), formatShare(u.usage, u.quota))}`}
      </p>
      ${this.persisted === null ? nothing : html`<p>${this.persisted ? t.persisted : html`${t.notPersisted} <button @click=${() => this.persist()}>${t.persist}</button>`}</p>`}
    `;
  }

  private renderRow(run: RunMeta) {
    const canOpen = run.kind === 'search' || run.kind === 'eval';
    const dis = this.busy;
    return html`<tr data-run=${run.id}>
      <td>${run.title}<br /><code>${run.id}</code></td>
      <td>${t.kinds[run.kind] ?? run.kind}</td>
      <td>${run.status}</td>
      <td class="num">${run.items}</td>
      <td><time datetime=${new Date(run.updatedAt).toISOString()}>${new Date(run.updatedAt).toLocaleString()}</time></td>
      <td>
        <div class="actions">
          ${canOpen ? html`<button class="open" aria-label=${t.openLabel(run.title)} ?disabled=${dis} @click=${() => this.act(() => this.open(run))}>${t.open}</button>` : nothing}
          <button class="export" aria-label=${t.exportLabel(run.title)} ?disabled=${dis} @click=${() => this.act(() => this.exportRun(run))}>${t.export}</button>
          <button class="delete" aria-label=${t.deleteLabel(run.title)} aria-expanded=${this.confirming === run.id ? 'true' : 'false'} ?disabled=${dis} @click=${() => this.askDelete(run)}>${t.delete}</button>
        </div>
        ${this.confirming === run.id
          ? html`<div class="confirm" role="group" aria-label=${t.confirmDelete(run.title)}>
              ${t.confirmDelete(run.title)}
              <button class="confirm-delete" ?disabled=${dis} @click=${() => this.act(() => this.deleteRun(run))}>${t.confirm}</button>
              <button class="cancel-delete" @click=${() => this.cancelDelete()}>${t.cancel}</button>
            </div>`
          : nothing}
      </td>
    </tr>`;
  }

  private askDelete(run: RunMeta): void {
    this.confirming = run.id;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('.cancel-delete')?.focus());
  }

  private cancelDelete(): void {
    const id = this.confirming;
    this.confirming = '';
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>(`tr[data-run="${CSS.escape(id)}"] .delete`)?.focus());
  }

  override render() {
    const store = session.state.store;
    return html`
      <section aria-labelledby="runs-h">
        <h2 id="runs-h">${t.heading}</h2>
        <p>${t.intro}</p>
        <h3>${t.storage}</h3>
        ${this.renderStorage()}
        ${store
          ? html`<div class="toolbar">
              <label>${t.import} <input id="runs-import" type="file" accept=".json,application/json" ?disabled=${this.busy} @change=${(e: Event) => this.importFile(e.target as HTMLInputElement)} /></label>
              <button id="runs-refresh" @click=${() => this.refresh()}>${t.refresh}</button>
            </div>`
          : html`<p role="note">${t.noStore}</p>`}
        <p role="status" aria-live="polite" id="runs-message">${this.message}</p>
        ${this.error ? html`<p class="error" role="alert" id="runs-error">${this.error}</p>` : nothing}
      </section>
      ${store
        ? html`<section>
            ${this.list.length
              ? html`<table id="runs-table">
                  <caption>${t.caption}</caption>
                  <thead><tr><th scope="col">${t.title}</th><th scope="col">${t.kind}</th><th scope="col">${t.status}</th><th scope="col">${t.items}</th><th scope="col">${t.updated}</th><th scope="col">${t.actions}</th></tr></thead>
                  <tbody>${this.list.map((r) => this.renderRow(r))}</tbody>
                </table>`
              : html`<p>${t.empty}</p>`}
          </section>`
        : nothing}
      <section aria-labelledby="runs-ckpt-h">
        <h3 id="runs-ckpt-h">${tt.checkpoints}</h3>
        <lab-checkpoint-list @load-checkpoint=${(e: CustomEvent<{ id: string; base: string }>) => void loadCheckpointModel(e.detail, 'wasm')}></lab-checkpoint-list>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-runs-view': LabRunsView;
  }
}
