import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Engine } from '../../core/engine.js';

/**
 * Sample from the loaded model: n samples as one batch, streamed token by token, interruptible.
 * Output is untrusted model text and is rendered as text only.
 */
@customElement('lab-playground')
export class LabPlayground extends LitElement {
  @property({ attribute: false }) engine: Engine | null = null;
  @state() private prompt = "How many r's are in strawberry?";
  @state() private n = 4;
  @state() private seed = 1;
  @state() private temperature = 0.7;
  @state() private maxTokens = 256;
  @state() private outputs: string[] = [];
  @state() private running = false;
  @state() private error = '';
  private ctl: AbortController | null = null;

  static override styles = css`
    :host { display: block; border: 1px solid #d8dce6; border-radius: 8px; padding: 0.75rem 1rem; }
    textarea { width: 100%; box-sizing: border-box; }
    input[type='number'] { width: 5rem; }
    pre { white-space: pre-wrap; word-break: break-word; background: #f6f7fa; padding: 0.5rem; border-radius: 6px; }
    .error { color: #a00; }
  `;

  private async run(): Promise<void> {
    if (!this.engine) return;
    this.ctl = new AbortController();
    this.running = true;
    this.error = '';
    this.outputs = new Array(this.n).fill('');
    try {
      await this.engine.generate(
        { messages: [{ role: 'user', content: this.prompt }], n: this.n, seed: this.seed, temperature: this.temperature, maxTokens: this.maxTokens, onToken: (e) => { const o = [...this.outputs]; o[e.index] = e.text; this.outputs = o; } },
        this.ctl.signal,
      ).then((res) => (this.outputs = res.map((r) => r.text)));
    } catch (e) {
      this.error = (e as Error).name === 'AbortError' ? 'Stopped.' : (e as Error).message;
    } finally {
      this.running = false;
    }
  }

  private num(e: Event): number {
    return Number((e.target as HTMLInputElement).value);
  }

  override render() {
    return html`
      <h2>Generate</h2>
      <label for="prompt">Prompt</label>
      <textarea id="prompt" rows="2" .value=${this.prompt} @input=${(e: Event) => (this.prompt = (e.target as HTMLTextAreaElement).value)}></textarea>
      <p>
        <label>n <input type="number" min="1" max="16" .value=${String(this.n)} @change=${(e: Event) => (this.n = this.num(e))} /></label>
        <label>seed <input type="number" min="0" .value=${String(this.seed)} @change=${(e: Event) => (this.seed = this.num(e))} /></label>
        <label>temperature <input type="number" min="0" max="2" step="0.1" .value=${String(this.temperature)} @change=${(e: Event) => (this.temperature = this.num(e))} /></label>
        <label>max tokens <input type="number" min="1" max="1024" .value=${String(this.maxTokens)} @change=${(e: Event) => (this.maxTokens = this.num(e))} /></label>
        <button id="generate" @click=${() => this.run()} ?disabled=${this.running}>Generate</button>
        <button id="stop" @click=${() => this.ctl?.abort()} ?disabled=${!this.running}>Stop</button>
      </p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.outputs.map((o, i) => html`<h3>Sample ${i + 1}</h3><pre class="sample">${o}</pre>`)}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-playground': LabPlayground;
  }
}
