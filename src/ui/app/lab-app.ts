import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LabStore } from '../../store/db.js';
import { shell as t } from '../messages/index.js';
import { detectGpu, type GpuReport } from '../models/gpu-detect.js';
import '../models/models-view.js';
import '../search/lab-search-view.js';
import '../demo-loader.js';
import '../data/lab-data-view.js';
import '../objectives/lab-objectives-view.js';
import '../train/lab-train-view.js';
import '../evaluate/lab-eval-view.js';
import '../lessons/lab-lessons-view.js';
import '../runs/lab-runs-view.js';
import { lessonLink, readLesson, writeLesson } from './lesson-link.js';
import { applyDemo, loadDemo } from '../demos.js';
import { lastSearchRun } from './resume.js';
import { session } from './session.js';

export const VIEWS = ['models', 'search', 'data', 'objectives', 'train', 'evaluate', 'lessons', 'runs'] as const;
export type ViewName = (typeof VIEWS)[number];

/**
 * The lab shell: WebGPU detection before any download, the IndexedDB store, tabbed views that
 * stay mounted (so a running search keeps going while you read another view), the view and its
 * settings in the URL hash (lesson links), and a wasm banner when there is no WebGPU.
 * All model text is rendered as text (Lit escapes it).
 */
@customElement('lab-app')
export class LabApp extends LitElement {
  @state() private gpu: GpuReport | null = null;
  @state() private view: ViewName = 'models';
  @state() private notice = '';
  @state() private storeError = '';
  private readonly onHash = () => this.syncView();

  static override styles = css`
    :host { display: block; font-family: system-ui, sans-serif; max-width: 1100px; margin: 0 auto; padding: 1rem; color: #1d2330; }
    header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
    h1 { font-size: 1.4rem; margin: 0; }
    .banner { background: #fff4d6; border: 1px solid #e0b94a; padding: 0.5rem 0.75rem; border-radius: 6px; margin: 0.5rem 0; }
    [role='tablist'] { display: flex; gap: 0.25rem; border-bottom: 1px solid #d8dce6; margin: 0.75rem 0; flex-wrap: wrap; }
    nav button { border: 1px solid transparent; border-bottom: none; background: none; padding: 0.4rem 0.8rem; cursor: pointer; font: inherit; border-radius: 6px 6px 0 0; }
    nav button[aria-selected='true'] { border-color: #d8dce6; background: #fff; font-weight: 600; text-decoration: underline; }
    nav button:focus-visible { outline: 2px solid #3558c8; }
    .spacer { flex: 1; }
    [hidden] { display: none !important; }
  `;

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    addEventListener('hashchange', this.onHash);
    this.syncView();
    void this.openStore();
    this.gpu = await detectGpu();
  }

  /** Open IndexedDB, resume the last search run, or show a recorded demo: the screen is never empty. */
  private async openStore(): Promise<void> {
    try {
      const store = await LabStore.open();
      session.update({ store });
      // A saved run that cannot be opened never blocks the app: the demo shows, with the reason.
      const last = await lastSearchRun(store).catch((e: Error) => {
        this.storeError = t.resumeFailed(e.message);
        return null;
      });
      if (last) {
        session.update(last);
        return;
      }
    } catch (e) {
      this.storeError = (e as Error).message;
    }
    if (session.state.trees.length) return;
    try {
      applyDemo(await loadDemo());
    } catch (e) {
      this.notice = (e as Error).message;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onHash);
  }

  private syncView(): void {
    const v = readLesson().view as ViewName | undefined;
    this.view = v && (VIEWS as readonly string[]).includes(v) ? v : 'models';
  }

  private show(view: ViewName, focus = false): void {
    this.view = view;
    writeLesson({ view });
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>(`#tab-${view}`)?.focus());
  }

  private onTabKey(e: KeyboardEvent): void {
    const i = VIEWS.indexOf(this.view);
    const next = e.key === 'ArrowRight' ? (i + 1) % VIEWS.length : e.key === 'ArrowLeft' ? (i + VIEWS.length - 1) % VIEWS.length : e.key === 'Home' ? 0 : e.key === 'End' ? VIEWS.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    this.show(VIEWS[next]!, true);
  }

  private async copyLink(): Promise<void> {
    const link = lessonLink();
    try {
      await navigator.clipboard.writeText(link);
      this.notice = t.linkCopied;
    } catch {
      this.notice = link; // no clipboard permission: show the link so it can be copied by hand
    }
  }

  private panel(view: ViewName, body: unknown) {
    return html`<div role="tabpanel" id="panel-${view}" aria-labelledby="tab-${view}" ?hidden=${this.view !== view}>${body}</div>`;
  }

  override render() {
    const gpu = this.gpu;
    return html`
      <header>
        <h1>${t.title}</h1><span>${t.tagline}</span><span class="spacer"></span>
        <button id="copy-link" @click=${() => this.copyLink()}>${t.copyLink}</button>
        ${this.notice ? html`<span role="status" id="notice">${this.notice}</span>` : nothing}
      </header>
      ${gpu && !gpu.available ? html`<div class="banner" role="status">${t.noWebGpu(gpu.reason ?? '')}</div>` : nothing}
      ${this.storeError ? html`<div class="banner" role="alert">${this.storeError}</div>` : nothing}
      <nav aria-label=${t.viewsNav}>
        <div role="tablist" aria-label=${t.title} @keydown=${(e: KeyboardEvent) => this.onTabKey(e)}>
          ${VIEWS.map(
            (v) => html`<button role="tab" id="tab-${v}" aria-controls="panel-${v}" aria-selected=${this.view === v ? 'true' : 'false'} tabindex=${this.view === v ? 0 : -1} @click=${() => this.show(v)}>${t.views[v]}</button>`,
          )}
        </div>
      </nav>
      <main>
      ${this.panel('models', html`<lab-models-view .gpu=${gpu}></lab-models-view>`)}
      ${this.panel('search', html`<lab-demo-loader></lab-demo-loader><lab-search-view></lab-search-view>`)}
      ${this.panel('data', html`<lab-data-view></lab-data-view>`)}
      ${this.panel('objectives', html`<lab-objectives-view></lab-objectives-view>`)}
      ${this.panel('train', html`<lab-train-view></lab-train-view>`)}
      ${this.panel('evaluate', html`<lab-eval-view></lab-eval-view>`)}
      ${this.panel('lessons', html`<lab-lessons-view></lab-lessons-view>`)}
      ${this.panel('runs', html`<lab-runs-view></lab-runs-view>`)}
      </main>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-app': LabApp;
  }
}
