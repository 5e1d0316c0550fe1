import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { evaluate as t } from '../messages/evaluate.js';
import type { EvalResult } from './results.js';

/** Samples listed per problem before "+N more". */
const SHOWN = 8;

/**
 * Per-problem results of an evaluation: one table per run with each problem's id, reference
 * answer, correct samples out of n, and every sample's extracted answer and the verifier's reason
 * (the family's own verifier, as `lab verify` prints). Model text is rendered as text only.
 */
@customElement('lab-eval-problems')
export class LabEvalProblems extends LitElement {
  @property({ attribute: false }) results: readonly EvalResult[] = [];

  static override styles = css`
    :host { display: block; }
    details { margin: 0.3rem 0; }
    table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
    caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
    th, td { padding: 0.2rem 0.5rem; border-bottom: 1px solid #eceef3; text-align: left; vertical-align: top; word-break: break-word; }
    ul { margin: 0; padding-left: 1rem; }
    .ok { color: #17603a; }
    .bad { color: #9b1c1c; }
  `;

  override render() {
    return this.results.map(
      (r, ri) => html`<details ?open=${ri === 0}>
        <summary>${t.perProblem}: ${r.label}</summary>
        <table class="problems" data-run=${r.label}>
          <caption>${t.perProblemCaption(r.label)}</caption>
          <thead><tr><th scope="col">${t.problem}</th><th scope="col">${t.reference}</th><th scope="col">${t.correctOfN}</th><th scope="col">${t.sampleVerdicts}</th></tr></thead>
          <tbody>
            ${r.problems.map(
              (p) => html`<tr data-problem=${p.id}>
                <th scope="row">${p.id}</th>
                <td><code>${p.answer}</code></td>
                <td>${p.correct}/${p.n}</td>
                <td><ul>
                  ${p.samples.slice(0, SHOWN).map(
                    (x) => html`<li class="sample" data-sample=${x.id}><span class=${x.correct ? 'ok' : 'bad'}>${x.correct ? '✓' : '✗'}</span>
                      <code class="extracted">${x.extracted ?? t.noExtracted}</code> — <span class="reason">${x.reason ?? ''}</span></li>`,
                  )}
                  ${p.samples.length > SHOWN ? html`<li>${t.moreSamples(p.samples.length - SHOWN)}</li>` : nothing}
                </ul></td>
              </tr>`,
            )}
          </tbody>
        </table>
      </details>`,
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-eval-problems': LabEvalProblems;
  }
}
