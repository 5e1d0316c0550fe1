import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { DpoPair } from '../../data/extract.js';
import { data as t } from '../messages/data.js';
import { splitPair } from './pair-split.js';

/** Fired when the user picks another pair. */
export type PairChangeEvent = CustomEvent<{ index: number }>;

/**
 * Browse DPO pairs: the shared prefix of chosen and rejected is shown once, hatched and labelled,
 * then the two diverging suffixes side by side (✓ / ✗ and a heading each, not only colour).
 * Model text is untrusted and rendered as text only. Keyboard: Previous / Next buttons, a select,
 * and ArrowLeft / ArrowRight / Home / End while focus is inside the browser.
 *
 * @property pairs - the pairs to browse.
 * @property index - the pair shown (clamped).
 * @fires pair-change - `{ index }` when the user moves to another pair.
 */
@customElement('lab-pair-browser')
export class LabPairBrowser extends LitElement {
  @property({ attribute: false }) pairs: readonly DpoPair[] = [];
  @property({ type: Number }) index = 0;

  static override styles = css`
    :host { display: block; }
    .nav { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
    .text { white-space: pre-wrap; word-break: break-word; font: 0.85rem/1.45 ui-monospace, monospace; max-height: 18rem; overflow: auto; padding: 0.5rem; border-radius: 6px; margin: 0.25rem 0 0; }
    .prefix { background: repeating-linear-gradient(135deg, #eef0f4 0 6px, #e2e5ec 6px 12px); border: 2px dashed #7a8194; color: #3c4352; }
    .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 0.75rem; margin-top: 0.5rem; }
    @media (max-width: 700px) { .cols { grid-template-columns: 1fr; } }
    .chosen .text { background: #eef7ee; border: 2px solid #2d7a32; }
    .rejected .text { background: #fbeeee; border: 2px solid #a33; }
    h4 { margin: 0.5rem 0 0; font-size: 0.95rem; }
    .diverge { font-size: 0.8rem; color: #555; margin: 0.25rem 0; }
    .meta { color: #555; font-size: 0.85rem; }
  `;

  private go(i: number): void {
    const n = this.pairs.length;
    if (!n) return;
    const index = Math.min(n - 1, Math.max(0, i));
    if (index === this.index) return;
    this.dispatchEvent(new CustomEvent('pair-change', { detail: { index }, bubbles: true, composed: true }));
  }

  private onKey(e: KeyboardEvent): void {
    if ((e.target as HTMLElement).tagName === 'SELECT') return;
    const moves: Record<string, number> = { ArrowLeft: this.index - 1, ArrowRight: this.index + 1, Home: 0, End: this.pairs.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      this.go(moves[e.key]!);
    }
  }

  override render() {
    const n = this.pairs.length;
    if (!n) return html`<p>${t.noPairs}</p>`;
    const i = Math.min(n - 1, Math.max(0, this.index));
    const pair = this.pairs[i]!;
    const s = splitPair(pair);
    return html`
      <div class="nav" @keydown=${this.onKey}>
        <button type="button" aria-label=${t.prev} ?disabled=${i === 0} @click=${() => this.go(i - 1)}>◀</button>
        <label>${t.pairPick}
          <select .value=${String(i)} @change=${(e: Event) => this.go(Number((e.target as HTMLSelectElement).value))}>
            ${this.pairs.map((p, k) => html`<option value=${k} ?selected=${k === i}>${t.pairOption(k, p.bucket, p.commonPrefixChars)}</option>`)}
          </select>
        </label>
        <button type="button" aria-label=${t.next} ?disabled=${i === n - 1} @click=${() => this.go(i + 1)}>▶</button>
        <span role="status" aria-live="polite">${t.pairOf(i, n)}</span>
      </div>
      <p><strong>${t.question}:</strong> <span class="question">${pair.question}</span></p>
      <p class="meta">${t.meta(pair.chosen.treeId, pair.bucket, pair.chosen.tokens, pair.rejected.tokens)}</p>
      <section aria-label=${t.prefixLabel(s.prefixChars, s.prefixTokens)}>
        <h4>${t.prefixLabel(s.prefixChars, s.prefixTokens)}</h4>
        ${s.prefixChars ? html`<div class="text prefix" data-part="prefix">${s.prefix}</div>` : html`<p>${t.prefixEmpty}</p>`}
        <p class="diverge" aria-hidden="true">${t.diverge}</p>
      </section>
      <div class="cols">
        <section class="chosen" aria-label=${t.chosenLabel}>
          <h4>${t.chosenLabel}</h4>
          <div class="text" data-part="chosen">${s.chosenSuffix || t.suffixEmpty}</div>
        </section>
        <section class="rejected" aria-label=${t.rejectedLabel}>
          <h4>${t.rejectedLabel}</h4>
          <div class="text" data-part="rejected">${s.rejectedSuffix || t.suffixEmpty}</div>
        </section>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-pair-browser': LabPairBrowser;
  }
}
