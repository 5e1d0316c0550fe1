import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { readLesson } from '../app/lesson-link.js';
import { lessons as t } from '../messages/lessons.js';
import { shell } from '../messages/shell.js';
import { currentStep, LESSON_STEPS, maskingExample, MASKING_ROWS, stepHash } from './steps.js';

/**
 * Lessons view: a guided sequence tied to the live views. "Go" sets the URL hash
 * (`#view=<name>&...&lesson=<i>`); the shell switches views on `hashchange`. The masking step
 * computes its numbers live with the lab's DPO loss code.
 */
@customElement('lab-lessons-view')
export class LabLessonsView extends LitElement {
  @state() private step = -1;
  @state() private alpha = 1;
  private readonly onHash = () => (this.step = currentStep(readLesson()));

  static override styles = css`
    :host { display: block; }
    ol { padding-left: 0; list-style: none; counter-reset: step; }
    li { border: 1px solid #d8dce6; border-radius: 8px; padding: 0.6rem 1rem; margin: 0.6rem 0; }
    li[aria-current='step'] { border-width: 3px; border-color: #3558c8; }
    h3 { margin: 0.2rem 0 0.4rem; font-size: 1.05rem; }
    .here { font-size: 0.8rem; font-weight: 600; margin-left: 0.5rem; }
    .stepno { font-size: 0.8rem; color: #4b5563; }
    table { border-collapse: collapse; margin: 0.5rem 0; }
    th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #eceef3; text-align: right; }
    th:first-child { text-align: left; }
    caption { text-align: left; font-weight: 600; }
    td.prefix { text-decoration: underline dotted; }
    .same { color: #374151; }
    .changed { font-weight: 700; }
    input[type='number'] { width: 5rem; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.onHash);
    this.onHash();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onHash);
  }

  private go(i: number): void {
    location.hash = stepHash(LESSON_STEPS[i]!, i);
  }

  private renderMasking() {
    const m = t.masking;
    const demo = maskingExample(this.alpha);
    const fmt = (x: number) => x.toFixed(4);
    const seqs = ['policyChosen', 'refChosen', 'policyRejected', 'refRejected'] as const;
    const width = Math.max(...seqs.map((k) => demo.pair[k].length));
    return html`
      <label>${m.alpha} <input id="lesson-alpha" type="number" min="0" max="10" step="0.1" .value=${String(this.alpha)} @change=${(e: Event) => (this.alpha = Math.max(0, Number((e.target as HTMLInputElement).value) || 0))} /></label>
      <table id="masking-logps">
        <caption>${m.tokensCaption}</caption>
        <thead><tr><th scope="col">${m.sequence}</th>${Array.from({ length: width }, (_, i) => html`<th scope="col">t${i + 1}${i < demo.pair.commonPrefix ? html` (${m.prefix})` : nothing}</th>`)}</tr></thead>
        <tbody>
          ${seqs.map((k) => html`<tr><th scope="row">${m.seqNames[k]}</th>${Array.from({ length: width }, (_, i) => html`<td class=${i < demo.pair.commonPrefix ? 'prefix' : ''}>${demo.pair[k][i] === undefined ? '' : demo.pair[k][i]!.toFixed(2)}</td>`)}</tr>`)}
        </tbody>
      </table>
      <table id="masking-metrics">
        <caption>${m.caption}</caption>
        <thead><tr><th scope="col">${m.metric}</th><th scope="col">${m.plain}</th><th scope="col">${m.masked}</th><th scope="col">${m.changed}</th></tr></thead>
        <tbody>
          ${MASKING_ROWS.map((key) => {
            const changed = Math.abs(demo.plain[key] - demo.masked[key]) > 1e-9;
            return html`<tr><th scope="row">${m.rows[key] ?? key}</th><td>${fmt(demo.plain[key])}</td><td>${fmt(demo.masked[key])}</td><td class=${changed ? 'changed' : 'same'}>${changed ? m.yes : m.no}</td></tr>`;
          })}
        </tbody>
      </table>
    `;
  }

  override render() {
    const n = LESSON_STEPS.length;
    return html`
      <h2>${t.heading}</h2>
      <p>${t.intro}</p>
      <ol>
        ${LESSON_STEPS.map((step, i) => {
          const s = t.steps[step.id];
          const here = i === this.step;
          return html`<li aria-current=${here ? 'step' : 'false'} aria-labelledby="lesson-${step.id}">
            <span class="stepno">${t.stepOf(i + 1, n)}</span>${here ? html`<span class="here">(${t.current})</span>` : nothing}
            <h3 id="lesson-${step.id}">${s.title}</h3>
            ${s.body.map((p) => html`<p>${p}</p>`)}
            ${step.live === 'masking' ? this.renderMasking() : nothing}
            <button class="go" data-step=${i + 1} @click=${() => this.go(i)}>${t.go(shell.views[step.view])}</button>
          </li>`;
        })}
      </ol>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-lessons-view': LabLessonsView;
  }
}
