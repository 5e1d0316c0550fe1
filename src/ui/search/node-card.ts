import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { TreeNode } from '../../mcts/tree.js';
import { search as t } from '../messages/search.js';
import type { Candidates } from './replay.js';

/** Q and UCT values as short text. */
export const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3));

/**
 * The card of one thought node at a replay step: role, full text (untrusted model text, rendered
 * as text only), model, tokens, visits, Q, the verdict and reward once evaluated, and the UCT
 * scores of the siblings compared at the node's last selection.
 *
 * @csspart card - the card's box.
 */
@customElement('lab-node-card')
export class LabNodeCard extends LitElement {
  @property({ attribute: false }) node: TreeNode | null = null;
  /** All nodes of the tree (for the roles of UCT candidates). */
  @property({ attribute: false }) nodes: readonly TreeNode[] = [];
  @property({ type: Number }) visits = 0;
  @property({ type: Number }) value = 0;
  @property({ type: Boolean }) evaluated = false;
  /** The last selection that compared this node, at this step. */
  @property({ attribute: false }) selection: { iteration: number; chosen: number; candidates: Candidates } | null = null;

  static override styles = css`
    :host { display: block; }
    .card { border: 1px solid #d8dce6; border-radius: 8px; padding: 0.5rem 0.75rem; background: #fff; }
    h3 { margin: 0 0 0.25rem; font-size: 1rem; }
    pre { white-space: pre-wrap; word-break: break-word; background: #f6f7fa; padding: 0.5rem; border-radius: 6px; margin: 0.25rem 0; max-height: 16rem; overflow: auto; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.75rem; margin: 0.25rem 0; }
    dt { color: #4a5163; }
    dd { margin: 0; }
    table { border-collapse: collapse; font-size: 0.9em; }
    th, td { padding: 0.1rem 0.5rem; text-align: right; border-bottom: 1px solid #eceff4; }
    th:first-child, td:first-child { text-align: left; }
    .chosen { font-weight: 600; }
    .ok { color: #17603a; }
    .bad { color: #9b1c1c; }
  `;

  private verdict(n: TreeNode) {
    if (n.role !== 'Answer') return nothing;
    const v = n.verdict;
    const body = !this.evaluated || !v
      ? t.notEvaluated
      : html`<span class=${v.correct ? 'ok' : 'bad'}>${v.correct ? '✓ ' + t.correct : '✗ ' + t.wrong}</span> — ${v.reason}${v.extracted !== null ? html` (<code>${v.extracted}</code>)` : nothing}`;
    return html`<dt>${t.verdict}</dt><dd>${body}</dd>${this.evaluated && v ? html`<dt>${t.reward}</dt><dd>${fmt(v.reward)}</dd>` : nothing}`;
  }

  private uctTable() {
    const s = this.selection;
    if (!s) return html`<p>${t.uctNone}</p>`;
    return html`<table>
      <caption>${t.uctTitle(s.iteration)}</caption>
      <thead><tr><th scope="col">${t.candidate}</th><th scope="col">${t.visits}</th><th scope="col">Q</th><th scope="col">${t.uct}</th></tr></thead>
      <tbody>
        ${s.candidates.map(
          (c) => html`<tr class=${c.node === s.chosen ? 'chosen' : ''}>
            <td>#${c.node} ${this.nodes[c.node]?.role ?? ''}${c.node === this.node?.id ? ' ◀' : ''}${c.node === s.chosen ? html` <strong>(${t.chosen})</strong>` : nothing}</td>
            <td>${c.visits}</td><td>${fmt(c.value)}</td><td>${c.uct === null ? t.unvisited : fmt(c.uct)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  override render() {
    const n = this.node;
    if (!n) return nothing;
    return html`<section class="card" part="card" aria-label=${`${t.card} #${n.id}`}>
      <h3>#${n.id} ${n.role === 'root' ? t.question : n.role}</h3>
      <pre>${n.text}</pre>
      <dl>
        ${n.role !== 'root' ? html`<dt>${t.model}</dt><dd>${n.model} · ${t.tokensOf(n.tokens)}${n.truncated ? html` · ${t.truncated}` : nothing} · ${t.createdIn(n.iteration)}</dd>` : nothing}
        <dt>${t.visits}</dt><dd>${this.visits}</dd>
        <dt>${t.q}</dt><dd>${fmt(this.value)}</dd>
        ${this.verdict(n)}
      </dl>
      ${n.role !== 'root' ? this.uctTable() : nothing}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-node-card': LabNodeCard;
  }
}
