import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { catalogue } from '../../core/catalogue.js';
import { loadEngine } from '../app/engines.js';
import { server as t } from '../messages/server.js';

const KEY_STORE = 'reasoning-lab.openai-key';

/**
 * Connect an OpenAI-compatible server (lab serve, vLLM, llama.cpp server, Ollama) as an engine.
 * It runs in its own engine worker like any model. The API key is kept in that worker's memory,
 * and in this tab's sessionStorage only when asked: never in the URL, IndexedDB or exports.
 */
@customElement('lab-server-connect')
export class LabServerConnect extends LitElement {
  @state() private baseUrl = 'http://127.0.0.1:8000/v1';
  @state() private model = 'tiny-a';
  @state() private apiKey = sessionStorage.getItem(KEY_STORE) ?? '';
  @state() private remember = sessionStorage.getItem(KEY_STORE) !== null;
  @state() private template = 'tiny-a';
  @state() private status = '';
  @state() private error = '';
  @state() private busy = false;

  static override styles = css`
    :host { display: block; }
    form { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; }
    label { display: flex; flex-direction: column; font-size: 0.9rem; }
    .error { background: #fde8e8; border: 1px solid #d66; padding: 0.4rem 0.6rem; border-radius: 6px; white-space: pre-wrap; margin-top: 0.5rem; }
  `;

  private async connect(e: Event): Promise<void> {
    e.preventDefault();
    this.busy = true;
    this.error = '';
    this.status = t.connecting(this.baseUrl);
    if (this.remember && this.apiKey) sessionStorage.setItem(KEY_STORE, this.apiKey);
    else sessionStorage.removeItem(KEY_STORE);
    const id = `server:${this.model}`;
    try {
      const engine = await loadEngine({ backend: 'openai', id, baseUrl: this.baseUrl, model: this.model, ...(this.apiKey ? { apiKey: this.apiKey } : {}), ...(this.template ? { templateUrl: `${import.meta.env.BASE_URL}models/${this.template}/` } : {}) });
      const can = engine.info.can;
      this.status = t.connected(id, [can.score ? t.canScore : t.cannotScore, can.topLogprobs ? t.logprobs(can.topLogprobs) : t.noLogprobs, can.batch ? t.batch : t.noBatch].join(', '));
    } catch (err) {
      this.status = '';
      this.error = t.failed(this.baseUrl, (err as Error).message);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const templates = catalogue().filter((m) => m.embedded);
    return html`
      <p>${t.intro}</p>
      <form @submit=${(e: Event) => this.connect(e)} aria-label=${t.title}>
        <label>${t.baseUrl}<input name="base-url" type="url" required .value=${this.baseUrl} @input=${(e: Event) => (this.baseUrl = (e.target as HTMLInputElement).value)} /></label>
        <label>${t.model}<input name="server-model" required .value=${this.model} @input=${(e: Event) => (this.model = (e.target as HTMLInputElement).value)} /></label>
        <label>${t.key}<input name="api-key" type="password" autocomplete="off" .value=${this.apiKey} @input=${(e: Event) => (this.apiKey = (e.target as HTMLInputElement).value)} /></label>
        <label>${t.template}
          <select name="template" .value=${this.template} @change=${(e: Event) => (this.template = (e.target as HTMLSelectElement).value)}>
            <option value="">${t.noTemplate}</option>
            ${templates.map((m) => html`<option value=${m.id}>${m.id}</option>`)}
          </select>
        </label>
        <label style="flex-direction: row; gap: 0.3rem"><input type="checkbox" .checked=${this.remember} @change=${(e: Event) => (this.remember = (e.target as HTMLInputElement).checked)} />${t.remember}</label>
        <button id="connect" type="submit" ?disabled=${this.busy}>${t.connect}</button>
      </form>
      ${this.status ? html`<p role="status" id="server-status">${this.status}</p>` : nothing}
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-server-connect': LabServerConnect;
  }
}
