import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { objectives as t } from '../messages/objectives.js';
import type { StripCell, StripModel } from '../objectives/strip-model.js';

/**
 * One sequence's per-token log-probs (the paper's Figure 4): every token with its log-prob
 * printed under it and a shade by probability band; the shared prefix is boxed and labelled, and
 * when masked it is hatched grey and shows 0. Colour is never the only cue: values are printed,
 * the prefix carries a text badge, and a collapsible table lists every token.
 *
 * @property model - from `stripModel()`.
 * @property label - e.g. "Policy · chosen".
 */
@customElement('lab-logprob-strip')
export class LabLogprobStrip extends LitElement {
  @property({ attribute: false }) model: StripModel | null = null;
  @property() label = '';
  /** The table is built only while its <details> is open (a strip may have hundreds of tokens). */
  @state() private tableOpen = false;

  static override styles = css`
    :host { display: block; margin: 0.5rem 0 0.75rem; }
    .head { font-size: 0.9rem; margin-bottom: 0.2rem; }
    .strip { line-height: 2.9; font: 0.8rem/2.9 ui-monospace, monospace; max-height: 14rem; overflow: auto; border: 1px solid #d8dce6; border-radius: 6px; padding: 0.25rem 0.4rem; }
    .tok { display: inline-flex; flex-direction: column; align-items: center; vertical-align: top; line-height: 1.15; margin: 1px; padding: 1px 3px; border: 1px solid #c9ced9; border-radius: 3px; min-width: 1.2em; }
    .tok .v { font-size: 0.68rem; }
    .l0 { background: #ffffff; }
    .l1 { background: #fde9c9; }
    .l2 { background: #fbc98a; }
    .l3 { background: #f39b52; }
    .l4 { background: #c8431f; color: #fff; }
    .group { border: 2px dashed #6b7285; border-radius: 4px; padding: 2px 2px; box-decoration-break: clone; -webkit-box-decoration-break: clone; }
    .group.masked { background: repeating-linear-gradient(135deg, #eceef2 0 5px, #d9dce3 5px 10px); }
    .tok.masked { background: transparent; color: #6b7285; border-style: dotted; }
    .tok.masked .t { text-decoration: line-through; }
    .badge { display: inline-block; font: 600 0.72rem/1.3 system-ui, sans-serif; background: #3c4352; color: #fff; border-radius: 3px; padding: 1px 5px; margin: 0 4px; vertical-align: middle; }
    .badge.diverge { background: #fff; color: #3c4352; border: 1px solid #3c4352; }
    table { border-collapse: collapse; font-size: 0.8rem; }
    th, td { border: 1px solid #d8dce6; padding: 0.1rem 0.4rem; }
    td.num { text-align: right; }
  `;

  private cell(c: StripCell) {
    const value = c.masked ? '0' : c.logprob.toFixed(2);
    return html`<span class="tok l${c.level}${c.masked ? ' masked' : ''}" title=${`${c.text} · log p = ${c.logprob.toFixed(4)}${c.masked ? ' → 0 (masked)' : ''}`}
      ><span class="t">${c.text}</span><span class="v">${value}</span></span
    >`;
  }

  override render() {
    const m = this.model;
    if (!m) return nothing;
    const pre = m.cells.slice(0, m.prefix);
    const rest = m.cells.slice(m.prefix);
    const low = m.cells.filter((c) => !c.masked && c.level === 4).length;
    return html`
      <div class="head"><strong>${this.label}</strong> — ${t.stripStats(m.total, m.prefix, m.counted, m.sum, m.masking)}</div>
      <div class="strip" role="img" tabindex="0" aria-label=${t.stripSummary(this.label, m.total, m.prefix, m.sum, m.masking, low)}>
        ${pre.length
          ? html`<span class="group${m.masking ? ' masked' : ''}" data-part="prefix"
              ><span class="badge">${m.masking ? t.maskedBadge(m.prefix) : t.prefixBadge(m.prefix)}</span>${pre.map((c) => this.cell(c))}</span
            ><span class="badge diverge">${t.divergeBadge}</span>`
          : nothing}${rest.map((c) => this.cell(c))}
      </div>
      <details @toggle=${(e: Event) => (this.tableOpen = (e.target as HTMLDetailsElement).open)}>
        <summary>${t.tokenTable}</summary>
        ${this.tableOpen ? this.table(m) : nothing}
      </details>
    `;
  }

  private table(m: StripModel) {
    return html`<table>
          <thead><tr><th scope="col">#</th><th scope="col">${t.tokenCol}</th><th scope="col">${t.logprobCol}</th><th scope="col">${t.usedCol}</th></tr></thead>
          <tbody>
            ${m.cells.map((c) => html`<tr><td class="num">${c.index + 1}</td><td>${c.text}</td><td class="num">${c.logprob.toFixed(4)}</td><td class="num">${c.masked ? t.maskedCell : c.shown.toFixed(4)}</td></tr>`)}
          </tbody>
        </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-logprob-strip': LabLogprobStrip;
  }
}
