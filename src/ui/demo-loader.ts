import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { session } from './app/session.js';
import { demos as t } from './messages/runs.js';
import { applyDemo, loadDemo, type DemoRun } from './demos.js';

/**
 * `<lab-demo-loader>`: one button that fetches a recorded demo run and puts its tree on the
 * session (no model needed). Fires `demo-loaded` (bubbles, composed; detail = the DemoRun) so a
 * host view can start its replay. `auto` loads on connect when the session has no trees.
 */
@customElement('lab-demo-loader')
export class LabDemoLoader extends LitElement {
  @property() file = 'letters-demo.json';
  @property({ type: Boolean }) auto = false;
  @state() private status: 'idle' | 'loading' | 'loaded' | 'error' = 'idle';
  @state() private message = '';

  static override styles = css`
    :host { display: inline-block; }
    .error { color: #a00; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.auto && session.state.trees.length === 0) void this.load();
  }

  async load(): Promise<DemoRun | null> {
    this.status = 'loading';
    this.message = t.loading;
    try {
      const demo = await loadDemo(this.file);
      applyDemo(demo);
      this.status = 'loaded';
      this.message = t.loaded(demo.title);
      this.dispatchEvent(new CustomEvent('demo-loaded', { detail: demo, bubbles: true, composed: true }));
      return demo;
    } catch (e) {
      this.status = 'error';
      this.message = t.failed((e as Error).message);
      return null;
    }
  }

  override render() {
    return html`
      <button id="load-demo" @click=${() => this.load()} ?disabled=${this.status === 'loading'}>${t.load}</button>
      ${this.message ? html`<span role=${this.status === 'error' ? 'alert' : 'status'} class=${this.status === 'error' ? 'error' : ''}>${this.message}</span>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-demo-loader': LabDemoLoader;
  }
}
