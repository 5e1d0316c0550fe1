import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { patterns as t } from '../messages/patterns.js';
import type { PatternDraft } from './draft.js';
import { layoutPattern, QUESTION, type GraphEdge, type GraphNode } from './layout.js';

const W = 112;
const H = 32;
const DX = 150;
const DY = 70;
const PAD = 24;
/** Room above the first row for self-loops and the arcs of back edges. */
const TOP = 64;

/** Where the segment from the centre of a box towards (tx, ty) leaves the box. */
function border(cx: number, cy: number, tx: number, ty: number): [number, number] {
  const dx = tx - cx;
  const dy = ty - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const s = Math.min(dx ? W / 2 / Math.abs(dx) : Infinity, dy ? H / 2 / Math.abs(dy) : Infinity);
  return [cx + dx * s, cy + dy * s];
}

/**
 * A picture of a pattern's node-transfer matrix (Figure 2): one box per role used, arrows
 * labelled with sample counts, the question's arrow into the start role, the start role drawn
 * bold, and a dashed arrow from the backtrack target to Reflection. It is `role="img"` with a
 * text description; the editor's table is the accessible twin that holds the same data.
 */
@customElement('lab-pattern-graph')
export class LabPatternGraph extends LitElement {
  @property({ attribute: false }) draft!: PatternDraft;

  static override styles = css`
    :host { display: block; overflow-x: auto; }
    svg { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
    .box { fill: #f6f7fa; stroke: #4a5163; stroke-width: 1.2; }
    .box.start { stroke-width: 3; }
    .box.Answer { fill: #e4f3e6; }
    .box.Reflection { fill: #fdf0e0; }
    .box.Question { fill: #fff; stroke-dasharray: 3 2; }
    .edge { fill: none; stroke: #4a5163; stroke-width: 1.3; }
    .edge.backtrack { stroke: #9c4a00; stroke-dasharray: 5 3; }
    .label { fill: #1d2230; paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
    .label.backtrack { fill: #9c4a00; }
    .mark { fill: #4a5163; font-size: 11px; }
  `;

  private pos(n: GraphNode): [number, number] {
    return [PAD + n.layer * DX + W / 2, TOP + n.row * DY + H / 2];
  }

  private edge(e: GraphEdge, at: Map<string, [number, number]>) {
    const [x1, y1] = at.get(e.from)!;
    const [x2, y2] = at.get(e.to)!;
    const label = e.kind === 'backtrack' ? t.backtrackEdge : `×${Number.isFinite(e.samples) ? e.samples : '?'}`;
    const cls = `edge ${e.kind}`;
    let d: string;
    let lx: number;
    let ly: number;
    const top = (y: number) => y - H / 2;
    if (e.from === e.to) {
      // A self-loop over the left part of the box.
      const a = x1 - W / 2 + 12;
      d = `M${a},${top(y1)} C${a - 10},${top(y1) - 34} ${a + 34},${top(y1) - 34} ${a + 24},${top(y1)}`;
      [lx, ly] = [a + 12, top(y1) - 30];
    } else if (e.back) {
      // Against the flow: an arc over the boxes, into the right part of the target's top.
      const [sx, sy] = [x1 - 6, top(y1)];
      const [tx, ty] = [x2 + 24, top(y2)];
      const cx = (sx + tx) / 2;
      const cy = Math.min(sy, ty) - 40 - 6 * Math.abs(sx - tx) / DX;
      d = `M${sx},${sy} Q${cx},${cy} ${tx},${ty}`;
      [lx, ly] = [cx, (sy + 2 * cy + ty) / 4 - 3];
    } else if (e.kind === 'backtrack') {
      const [sx, sy] = border(x1, y1, x2, y2);
      const [tx, ty] = border(x2, y2, x1, y1);
      d = `M${sx},${sy} L${tx},${ty}`;
      [lx, ly] = [(sx + 2 * tx) / 3 + 6, (sy + 2 * ty) / 3];
    } else {
      const [sx, sy] = border(x1, y1, x2, y2);
      const [tx, ty] = border(x2, y2, x1, y1);
      d = `M${sx},${sy} L${tx},${ty}`;
      [lx, ly] = [(sx + tx) / 2, (sy + ty) / 2 - 4];
    }
    return svg`<path class=${cls} d=${d} marker-end=${e.kind === 'backtrack' ? 'url(#arrow-bt)' : 'url(#arrow)'}></path>
      <text class="label ${e.kind}" x=${lx} y=${ly} text-anchor=${e.kind === 'backtrack' ? 'start' : 'middle'}>${label}</text>`;
  }

  override render() {
    const g = layoutPattern(this.draft);
    const at = new Map<string, [number, number]>(g.nodes.map((n) => [n.role, this.pos(n)]));
    const width = PAD * 2 + (g.layers - 1) * DX + W;
    const height = TOP + PAD + (g.rows - 1) * DY + H + 16;
    const described = g.edges.map((e) => (e.kind === 'backtrack' ? `${e.from} backtracks to Reflection` : `${e.from} to ${e.to} ×${e.samples}`)).join('; ');
    return html`<svg role="img" aria-labelledby="graph-title graph-desc" viewBox="0 0 ${width} ${height}" width=${width} height=${height}>
      <title id="graph-title">${t.graph(this.draft.name)}</title>
      <desc id="graph-desc">${t.graphDesc(described)}</desc>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4a5163"></path></marker>
        <marker id="arrow-bt" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#9c4a00"></path></marker>
      </defs>
      ${g.edges.map((e) => this.edge(e, at))}
      ${g.nodes.map((n) => {
        const [x, y] = this.pos(n);
        const marks = [n.start ? t.startMark : '', n.backtrack ? t.backtrackMark : ''].filter(Boolean).join(' · ');
        return svg`<g class="node" data-role=${n.role}>
          <rect class="box ${n.role} ${n.start ? 'start' : ''}" x=${x - W / 2} y=${y - H / 2} width=${W} height=${H} rx="6"></rect>
          <text x=${x} y=${y + 4} text-anchor="middle">${n.role === QUESTION ? t.question : n.role}</text>
          ${marks ? svg`<text class="mark" x=${x} y=${y + H / 2 + 13} text-anchor="middle">${marks}</text>` : ''}
        </g>`;
      })}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-pattern-graph': LabPatternGraph;
  }
}
