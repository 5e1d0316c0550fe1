import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { catalogue } from '../../core/catalogue.js';
import { isLoopbackHost } from '../../core/loopback.js';
import { loadEngine } from '../app/engines.js';
import { server as t } from '../messages/server.js';

const KEY_STORE = 'reasoning-lab.openai-key';

/** True when `url` would carry a key unencrypted beyond this machine (http:, not loopback). */
export function keyWouldLeak(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && !isLoopbackHost(u.hostname);
}

/**
 * Connect an OpenAI-compatible server (lab serve, vLLM, llama.cpp server, Ollama) as an engine.
 * It runs in its own engine worker like any model. The API key is read from the password field
 * when Connect is pressed and handed to that worker; this element keeps no copy (the field is
 * cleared after a connection), and this tab's sessionStorage keeps one only when asked: never the
 * URL, IndexedDB or exports. A key bound for a plain-http server beyond this machine is sent only
 * after the user confirms.
 */
@customElement('lab-server-connect')
export class LabServerConnect extends LitElement {
  @state() private baseUrl = 'http://127.0.0.1:8000/v1';
  @state() private model = 'tiny-a';
  /** Whether the key field holds something (the key itself stays in the field). */
  @state() private hasKey = sessionStorage.getItem(KEY_STORE) !== null;
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

  private keyField(): HTMLInputElement | null {
    return this.renderRoot.querySelector<HTMLInputElement>('input[name="api-key"]');
  }

  override firstUpdated(): void {
    // A key remembered in this tab goes straight into the field, never into a property.
    const field = this.keyField();
    if (field) field.value = sessionStorage.getItem(KEY_STORE) ?? '';
  }

  private async connect(e: Event): Promise<void> {
    e.preventDefault();
    const field = this.keyField();
    const apiKey = field?.value ?? '';
    this.error = '';
    if (apiKey && keyWouldLeak(this.baseUrl) && !confirm(t.insecureConfirm(new URL(this.baseUrl).host))) {
      this.status = t.notSent;
      return;
    }
    this.busy = true;
    this.status = t.connecting(this.baseUrl);
    if (this.remember && apiKey) sessionStorage.setItem(KEY_STORE, apiKey);
    else sessionStorage.removeItem(KEY_STORE);
    const id = `server:${this.model}`;
    try {
      const engine = await loadEngine({ backend: 'openai', id, baseUrl: this.baseUrl, model: this.model, ...(apiKey ? { apiKey } : {}), ...(this.template ? { templateUrl: `${import.meta.env.BASE_URL}models/${this.template}/` } : {}) });
      // The engine worker has the key now; the page keeps none (unless remembered for this tab).
      if (field && !this.remember) {
        field.value = '';
        this.hasKey = false;
      }
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
        <label>${t.key}<input name="api-key" type="password" autocomplete="off" @input=${(e: Event) => (this.hasKey = (e.target as HTMLInputElement).value !== '')} /></label>
        <label>${t.template}
          <select name="template" .value=${this.template} @change=${(e: Event) => (this.template = (e.target as HTMLSelectElement).value)}>
            <option value="">${t.noTemplate}</option>
            ${templates.map((m) => html`<option value=${m.id}>${m.id}</option>`)}
          </select>
        </label>
        <label style="flex-direction: row; gap: 0.3rem"><input type="checkbox" .checked=${this.remember} @change=${(e: Event) => (this.remember = (e.target as HTMLInputElement).checked)} />${t.remember}</label>
        <button id="connect" type="submit" ?disabled=${this.busy}>${t.connect}</button>
      </form>
      ${this.hasKey && keyWouldLeak(this.baseUrl) ? html`<p class="warning" role="note" id="insecure-key">${t.insecureNote}</p>` : nothing}
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
