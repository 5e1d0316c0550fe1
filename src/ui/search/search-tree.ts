import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { TreeNode } from '../../mcts/tree.js';
import { search as t } from '../messages/search.js';
import { fmt } from './node-card.js';
import type { ReplayState } from './replay.js';
import { navigate, shownChildren } from './tree-nav.js';

/** Selection changed in the tree. */
export type NodeSelectEvent = CustomEvent<{ id: number }>;

const excerpt = (s: string, n = 90) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * The search tree at a replay step, as an ARIA tree: nodes that exist at the step, each with role,
 * an excerpt of its text (as text), visits, Q and verdict; the highlighted path marked with text
 * as well as colour; collapsible subtrees; keyboard navigation like `sl-tree` (↑/↓, ←/→,
 * Home/End, Enter) with one tab stop (roving tabindex).
 *
 * @fires lab-node-select - {id} when the selected node changes.
 */
@customElement('lab-search-tree')
export class LabSearchTree extends LitElement {
  @property({ attribute: false }) nodes: readonly TreeNode[] = [];
  @property({ attribute: false }) replay: ReplayState | null = null;
  @property({ type: Number }) selected = 0;
  /** Identity of the tree shown; collapsed subtrees are forgotten when it changes. */
  @property() treeId = '';
  @state() private collapsed = new Set<number>();
  private focusAfterUpdate = false;

  static override styles = css`
    :host { display: block; }
    ul { list-style: none; margin: 0; padding: 0; }
    ul[role='group'] { padding-left: 1.1rem; border-left: 1px dotted #c2c7d3; margin-left: 0.45rem; }
    li { margin: 0.1rem 0; }
    li:focus { outline: none; }
    li:focus-visible > .row { outline: 2px solid #2d5bd7; outline-offset: 1px; }
    .row { display: flex; gap: 0.4rem; align-items: baseline; padding: 0.1rem 0.3rem; border-radius: 4px; cursor: pointer; border-left: 3px solid transparent; }
    li[aria-selected='true'] > .row { background: #e6edff; }
    .on-path > .row { border-left-color: #d97706; background: #fff6e5; }
    li[aria-selected='true'].on-path > .row { background: #ffe9c2; }
    .focus > .row { font-weight: 600; }
    .twist { width: 1em; display: inline-block; color: #4a5163; }
    .role { font-size: 0.8em; padding: 0 0.3rem; border-radius: 3px; background: #eef0f5; white-space: nowrap; }
    .text { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .stat { font-size: 0.8em; color: #4a5163; white-space: nowrap; font-variant-numeric: tabular-nums; }
    .mark { color: #b45309; }
    .new { font-size: 0.75em; color: #1d4ed8; }
    .ok { color: #17603a; }
    .bad { color: #9b1c1c; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `;

  private select(id: number, focus: boolean): void {
    this.focusAfterUpdate = focus;
    if (focus) this.requestUpdate();
    if (id !== this.selected) {
      this.selected = id;
      this.dispatchEvent(new CustomEvent('lab-node-select', { detail: { id }, bubbles: true, composed: true }));
    }
  }

  private toggle(id: number): void {
    const next = new Set(this.collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.collapsed = next;
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.replay || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const r = navigate(e.key, this.selected, this.nodes, this.replay.exists, this.collapsed);
    if (!r) return;
    e.preventDefault();
    e.stopPropagation();
    if (r.collapsed) this.collapsed = r.collapsed;
    this.select(r.selected, true);
    this.focusAfterUpdate = true;
    this.requestUpdate();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('treeId') && changed.get('treeId') !== undefined) this.collapsed = new Set();
  }

  protected override updated(): void {
    if (!this.focusAfterUpdate) return;
    this.focusAfterUpdate = false;
    this.renderRoot.querySelector<HTMLElement>(`li[data-id="${this.selected}"]`)?.focus();
  }

  private verdict(n: TreeNode, r: ReplayState) {
    if (n.role !== 'Answer' || !n.verdict || !r.evaluated[n.id]) return nothing;
    return n.verdict.correct ? html`<span class="ok">✓ ${t.correct}</span>` : html`<span class="bad">✗ ${t.wrong}</span>`;
  }

  private item(id: number, level: number, r: ReplayState, onPath: ReadonlySet<number>, tabStop: number): TemplateResult {
    const n = this.nodes[id]!;
    const kids = shownChildren(this.nodes, r.exists, id);
    const open = !this.collapsed.has(id);
    const cls = [onPath.has(id) ? 'on-path' : '', r.focus === id ? 'focus' : ''].join(' ');
    return html`<li role="treeitem" data-id=${id} class=${cls} aria-level=${level} aria-selected=${id === this.selected ? 'true' : 'false'}
        aria-expanded=${kids.length ? String(open) : nothing} aria-labelledby=${`row-${id}`} tabindex=${id === tabStop ? 0 : -1}>
      <div class="row" id=${`row-${id}`} @click=${(e: Event) => { e.stopPropagation(); this.select(id, true); }}>
        <span class="twist" aria-hidden="true" @click=${(e: Event) => { e.stopPropagation(); if (kids.length) this.toggle(id); this.select(id, true); }}>${kids.length ? (open ? '▾' : '▸') : '·'}</span>
        ${onPath.has(id) ? html`<span class="mark" aria-hidden="true">▶</span><span class="sr">${t.onPath}</span>` : nothing}
        <span class="role">${n.role === 'root' ? t.question : n.role}</span>
        <span class="text">${excerpt(n.text)}</span>
        ${r.created.includes(id) ? html`<span class="new">${t.newNode}</span>` : nothing}
        ${this.verdict(n, r)}
        <span class="stat">N ${r.visits[id]} · Q ${fmt(r.values[id] ?? 0)}</span>
        ${!open && kids.length ? html`<span class="stat">(${t.collapsedCount(kids.length)})</span>` : nothing}
      </div>
      ${kids.length && open ? html`<ul role="group">${kids.map((k) => this.item(k, level + 1, r, onPath, tabStop))}</ul>` : nothing}
    </li>`;
  }

  override render() {
    const r = this.replay;
    if (!r || !this.nodes.length) return nothing;
    // The tab stop is the selected node when it is visible, else the root.
    let tabStop = r.exists[this.selected] ? this.selected : 0;
    for (let p = this.nodes[tabStop]?.parent ?? null; p !== null; p = this.nodes[p]?.parent ?? null) if (this.collapsed.has(p)) tabStop = p;
    return html`<ul role="tree" aria-label=${t.tree} @keydown=${this.onKey}>${this.item(0, 1, r, new Set(r.path), tabStop)}</ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-search-tree': LabSearchTree;
  }
}
