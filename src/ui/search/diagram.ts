import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { TreeEvent, TreeNode } from '../../mcts/tree.js';
import { diagram as t } from '../messages/diagram.js';
import { search as ts } from '../messages/search.js';
import { downloadDiagram } from './diagram-export.js';
import {
  NODE_R, PATH_COLOR, ROLE_STYLE, SELECT_COLOR, diagramModel, fitBox, layoutTree, shapePath, zoomBox,
  type Box, type DiagramLayout, type DiagramModel, type DiagramNode,
} from './diagram-model.js';
import type { ReplayState } from './replay.js';
import type { NodeSelectEvent } from './search-tree.js';

let nextId = 0;
const ZOOM = 1.25;
const BACKTRACK_COLOR = ROLE_STYLE.Reflection.color;

/**
 * The search tree at a replay step as a node-link picture (SVG, laid out by d3-hierarchy): role by
 * colour and shape, Q by fill, visits by edge width, ✓/✗ on evaluated Answers, the replayed path
 * with a halo, the selected node ringed, UCT scores at a selection, and a dashed curve from each
 * wrong Answer to the Reflection backtracking attached for it. Wheel zooms, drag pans, the
 * buttons zoom, fit and export (SVG / PNG); a click selects a node.
 *
 * Accessibility: the picture is one `role="img"` with a text summary (step, counts, the path).
 * Its nodes are not focusable on purpose: `<lab-search-tree>` beside it is the keyboard and
 * screen-reader view of the same tree and selection, so the nodes would only be read twice.
 *
 * @fires lab-node-select - {id} when a node is clicked (the same event as `<lab-search-tree>`).
 */
@customElement('lab-search-diagram')
export class LabSearchDiagram extends LitElement {
  @property({ attribute: false }) nodes: readonly TreeNode[] = [];
  @property({ attribute: false }) events: readonly TreeEvent[] = [];
  @property({ attribute: false }) replay: ReplayState | null = null;
  @property({ type: Number }) selected = 0;
  /** Identity of the tree shown; zoom and pan are forgotten when it changes. */
  @property() treeId = '';
  /** Name of exported files (without extension). */
  @property() fileName = 'search-tree';
  /** The zoomed / panned view box; null: fit the whole tree (and keep fitting as it grows). */
  @state() private view: Box | null = null;
  @state() private error = '';
  private layout: DiagramLayout | null = null;
  private layoutKey: { nodes: readonly TreeNode[]; n: number } | null = null;
  private drag: { x: number; y: number; view: Box; moved: boolean } | null = null;
  private dragged = false;
  private readonly uid = `sd${nextId++}`;

  static override styles = css`
    :host { display: block; }
    .bar { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center; margin-bottom: 0.25rem; }
    .bar button { min-width: 2.2rem; }
    .hint { font-size: 0.8em; color: #4a5163; }
    svg.diagram { display: block; width: 100%; height: var(--diagram-height, 400px); border: 1px solid #d8dce6; border-radius: 6px; background: #fff; touch-action: none; cursor: grab; user-select: none; }
    svg.diagram.dragging { cursor: grabbing; }
    g[data-id] { cursor: pointer; }
    ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 0.15rem 0.9rem; padding: 0; margin: 0.3rem 0 0; font-size: 0.8em; color: #1f2430; }
    ul.legend li { display: flex; align-items: center; gap: 0.3rem; }
    .error { color: #9b1c1c; }
  `;

  private currentLayout(): DiagramLayout {
    if (!this.layout || this.layoutKey?.nodes !== this.nodes || this.layoutKey.n !== this.nodes.length) {
      this.layout = layoutTree(this.nodes);
      this.layoutKey = { nodes: this.nodes, n: this.nodes.length };
    }
    return this.layout;
  }

  /** The box the SVG shows now. */
  viewBox(): Box {
    return this.view ?? fitBox(this.currentLayout().bounds);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('treeId') && changed.get('treeId') !== undefined) this.view = null;
    // Follow the replay: when zoomed in and the step's node is out of sight, bring it to the centre.
    const focus = this.replay?.focus ?? null;
    if (changed.has('replay') && this.view && focus !== null) {
      const l = this.currentLayout(), v = this.view;
      const x = l.x[focus] ?? 0, y = l.y[focus] ?? 0;
      const m = NODE_R * 2;
      if (x < v.x + m || x > v.x + v.w - m || y < v.y + m || y > v.y + v.h - m) this.view = { ...v, x: x - v.w / 2, y: y - v.h / 2 };
    }
  }

  private svgEl(): SVGSVGElement | null {
    return this.renderRoot.querySelector<SVGSVGElement>('svg.diagram');
  }

  /** Client (screen) coordinates to SVG user units. */
  private toUser(cx: number, cy: number): { x: number; y: number } | null {
    const ctm = this.svgEl()?.getScreenCTM();
    if (!ctm) return null;
    const p = new DOMPoint(cx, cy).matrixTransform(ctm.inverse());
    return { x: p.x, y: p.y };
  }

  /** Zoom by `f` (< 1 zooms in) around a client point, or the centre. */
  zoom(f: number, cx?: number, cy?: number): void {
    const p = cx !== undefined && cy !== undefined ? this.toUser(cx, cy) : null;
    this.view = zoomBox(this.viewBox(), f, p?.x, p?.y);
  }

  fit(): void {
    this.view = null;
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    this.zoom(e.deltaY > 0 ? ZOOM : 1 / ZOOM, e.clientX, e.clientY);
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.drag = { x: e.clientX, y: e.clientY, view: this.viewBox(), moved: false };
    this.dragged = false;
  }

  private onPointerMove(e: PointerEvent): void {
    const d = this.drag;
    if (!d || !(e.buttons & 1)) return;
    const dx = e.clientX - d.x, dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return;
    if (!d.moved) {
      d.moved = true;
      this.svgEl()?.setPointerCapture(e.pointerId);
      this.svgEl()?.classList.add('dragging');
    }
    const scale = this.svgEl()?.getScreenCTM()?.a || 1;
    this.view = { ...d.view, x: d.view.x - dx / scale, y: d.view.y - dy / scale };
  }

  private onPointerUp(): void {
    this.dragged = !!this.drag?.moved;
    this.drag = null;
    this.svgEl()?.classList.remove('dragging');
  }

  private onClick(e: MouseEvent): void {
    if (this.dragged) {
      this.dragged = false;
      return;
    }
    const g = e.composedPath().find((el): el is SVGGElement => el instanceof SVGGElement && el.dataset.id !== undefined);
    if (!g) return;
    const id = Number(g.dataset.id);
    if (id === this.selected) return;
    this.selected = id;
    this.dispatchEvent(new CustomEvent('lab-node-select', { detail: { id }, bubbles: true, composed: true }) as NodeSelectEvent);
  }

  private async export(format: 'svg' | 'png'): Promise<void> {
    const live = this.svgEl();
    if (!live) return;
    this.error = '';
    try {
      await downloadDiagram(live, fitBox(this.currentLayout().bounds), this.fileName, format);
    } catch (e) {
      this.error = t.exportFailed((e as Error).message);
    }
  }

  private node(n: DiagramNode) {
    const r = NODE_R;
    const mark = n.verdict === 'correct' ? '✓' : n.verdict === 'wrong' ? '✗' : '';
    return svg`<g data-id=${n.id} data-role=${n.role} data-on-path=${n.onPath ? 'true' : 'false'} data-selected=${n.selected ? 'true' : 'false'} data-focus=${n.focus ? 'true' : 'false'}
        transform="translate(${n.x.toFixed(1)} ${n.y.toFixed(1)})">
      <title>${n.title}</title>
      ${n.focus ? svg`<circle r=${r + 9} fill="none" stroke=${PATH_COLOR} stroke-width="2" stroke-dasharray="3 2"></circle>` : nothing}
      ${n.onPath ? svg`<circle r=${r + 5} fill=${PATH_COLOR} fill-opacity="0.35"></circle>` : nothing}
      ${n.selected ? svg`<circle r=${r + 5} fill="none" stroke=${SELECT_COLOR} stroke-width="3"></circle>` : nothing}
      <path d=${shapePath(n.shape, r)} fill="#ffffff"></path>
      <path class="shape" d=${shapePath(n.shape, r)} fill=${n.color} fill-opacity=${n.fillOpacity.toFixed(2)} stroke=${n.color} stroke-width="2"></path>
      ${mark ? svg`<g data-verdict=${n.verdict} transform="translate(${r} ${-r})">
        <circle r="7.5" fill="#ffffff" stroke=${n.verdict === 'correct' ? '#17603a' : '#9b1c1c'} stroke-width="1.8"></circle>
        <text y="3.6" text-anchor="middle" font-size="10" font-weight="700" fill=${n.verdict === 'correct' ? '#17603a' : '#9b1c1c'}>${mark}</text></g>` : nothing}
      ${n.label ? svg`<text y=${r + 13} text-anchor="middle" font-size="9" fill="#374151" stroke="#ffffff" stroke-width="3" paint-order="stroke">${n.label}</text>` : nothing}
      ${n.created ? svg`<text x=${-r - 3} y=${-r - 3} text-anchor="end" font-size="9" font-weight="700" fill="#1d4ed8" stroke="#ffffff" stroke-width="3" paint-order="stroke">${ts.newNode}</text>` : nothing}
      ${n.uct ? svg`<text data-uct x=${r + 5} y="4" font-size="10" font-weight=${n.uct.chosen ? '700' : '400'} text-decoration=${n.uct.chosen ? 'underline' : 'none'}
        fill="#111827" stroke="#ffffff" stroke-width="3" paint-order="stroke">${n.uct.chosen ? `▶ ${n.uct.text}` : n.uct.text}</text>` : nothing}
    </g>`;
  }

  private picture(m: DiagramModel, summary: string) {
    const v = this.viewBox();
    return html`<svg class="diagram" viewBox="${v.x} ${v.y} ${v.w} ${v.h}" preserveAspectRatio="xMidYMid meet" role="img" aria-label=${summary}
        font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="10"
        @wheel=${this.onWheel} @pointerdown=${this.onPointerDown} @pointermove=${this.onPointerMove} @pointerup=${this.onPointerUp} @pointercancel=${this.onPointerUp} @click=${this.onClick}>
      <defs>
        <marker id="${this.uid}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0 0L10 5L0 10Z" fill=${BACKTRACK_COLOR}></path>
        </marker>
      </defs>
      <g data-layer="edges">
        ${m.edges.map((e) => svg`<g data-edge="${e.from}-${e.to}" data-on-path=${e.onPath ? 'true' : 'false'}>
          ${e.onPath ? svg`<path d=${e.d} fill="none" stroke=${PATH_COLOR} stroke-opacity="0.55" stroke-width=${e.width + 7} stroke-linecap="round"></path>` : nothing}
          <path d=${e.d} fill="none" stroke=${e.onPath ? '#7c2d12' : '#7b8190'} stroke-width=${e.width.toFixed(2)} stroke-linecap="round"></path></g>`)}
      </g>
      <g data-layer="backtracks">
        ${m.backtracks.map((b) => svg`<path data-backtrack="${b.from}-${b.reflection}" d=${b.d} fill="none" stroke=${BACKTRACK_COLOR} stroke-width="2" stroke-dasharray="6 4"
          marker-end="url(#${this.uid}-arrow)"><title>${t.backtrackTitle(b.from, b.reflection, b.to)}</title></path>`)}
      </g>
      <g data-layer="nodes">${m.nodes.map((n) => this.node(n))}</g>
    </svg>`;
  }

  private legend() {
    const sw = (content: unknown) => html`<svg width="18" height="16" viewBox="-9 -8 18 16" aria-hidden="true">${content}</svg>`;
    return html`<ul class="legend" aria-label=${t.legend}>
      ${Object.entries(ROLE_STYLE).map(([role, s]) => html`<li>${sw(svg`<path d=${shapePath(s.shape, 6)} fill=${s.color} fill-opacity="0.6" stroke=${s.color} stroke-width="1.5"></path>`)}${role === 'root' ? t.question : role}</li>`)}
      <li>${sw(svg`<rect x="-8" y="-6" width="7" height="12" fill="#0072b2" fill-opacity="0.2" stroke="#0072b2"></rect><rect x="1" y="-6" width="7" height="12" fill="#0072b2" stroke="#0072b2"></rect>`)}${t.qScale}</li>
      <li>${sw(svg`<path d="M-8 4H8" stroke="#7b8190" stroke-width="1"></path><path d="M-8 -3H8" stroke="#7b8190" stroke-width="4"></path>`)}${t.edges}</li>
      <li>${sw(svg`<path d="M-8 0H8" stroke=${PATH_COLOR} stroke-opacity="0.55" stroke-width="7"></path><path d="M-8 0H8" stroke="#7c2d12" stroke-width="2"></path>`)}${t.path}</li>
      <li>${sw(svg`<circle r="6" fill="none" stroke=${SELECT_COLOR} stroke-width="2.5"></circle>`)}${t.selected}</li>
      <li>${sw(svg`<path d="M-8 3Q0 -8 8 3" fill="none" stroke=${BACKTRACK_COLOR} stroke-width="2" stroke-dasharray="4 2"></path>`)}${t.backtrack}</li>
      <li>${t.verdicts}</li>
    </ul>`;
  }

  override render() {
    const r = this.replay;
    if (!r || !this.nodes.length) return nothing;
    const m = diagramModel(this.nodes, this.events, r, this.currentLayout(), this.selected);
    const answers = m.nodes.filter((n) => n.verdict !== null);
    const summary = t.summary(r.step, r.total, m.nodes.length, answers.length, answers.filter((n) => n.verdict === 'correct').length, r.path);
    return html`
      <div class="bar" role="group" aria-label=${t.toolbar}>
        <button id="zoom-in" @click=${() => this.zoom(1 / ZOOM)} aria-label=${t.zoomIn} title=${t.zoomIn}>+</button>
        <button id="zoom-out" @click=${() => this.zoom(ZOOM)} aria-label=${t.zoomOut} title=${t.zoomOut}>−</button>
        <button id="fit" @click=${() => this.fit()} title=${t.fitLabel} aria-pressed=${this.view ? 'false' : 'true'}>${t.fit}</button>
        <button id="export-svg" @click=${() => this.export('svg')}>${t.exportSvg}</button>
        <button id="export-png" @click=${() => this.export('png')}>${t.exportPng}</button>
        <span class="hint">${t.hint}</span>
        ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
      </div>
      ${this.picture(m, summary)}
      ${this.legend()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-search-diagram': LabSearchDiagram;
  }
}
