/**
 * The search tree as a node-link picture, as pure data (no Lit, no DOM): positions from
 * d3-hierarchy's tidy tree (Reingold–Tilford), then per replay step what each node and edge looks
 * like — role colour *and* shape, fill opacity by Q, edge width by visits, verdict marks, the
 * highlighted path, the UCT scores of a selection and the backtracking curves (a wrong Answer →
 * the Reflection attached for it, dashed, as in Marco-o1 v2's Figure 1). `diagram.ts` draws it.
 */
import { hierarchy, tree as tidyTree } from 'd3-hierarchy';
import type { Role } from '../../mcts/roles.js';
import type { TreeEvent, TreeNode } from '../../mcts/tree.js';
import { search as t } from '../messages/search.js';
import { fmt } from './node-card.js';
import type { ReplayState } from './replay.js';

export type Shape = 'square' | 'circle' | 'diamond' | 'triangle-down' | 'hexagon' | 'pentagon' | 'triangle-up' | 'octagon';

/** Colour (Okabe–Ito, safe for colour-blind viewers) and shape per role: colour is never the only cue. */
export const ROLE_STYLE: Readonly<Record<Role | 'root', { color: string; shape: Shape }>> = {
  root: { color: '#4b5563', shape: 'square' },
  Thinking: { color: '#0072b2', shape: 'circle' },
  'Sub-Task': { color: '#009e73', shape: 'diamond' },
  Reflection: { color: '#d55e00', shape: 'triangle-down' },
  Hypothesis: { color: '#cc79a7', shape: 'hexagon' },
  'Double-Check': { color: '#56b4e9', shape: 'pentagon' },
  Reclarify: { color: '#b8860b', shape: 'triangle-up' },
  Answer: { color: '#1f1f1f', shape: 'octagon' },
};

/** Node radius and the spacing of the tidy tree, in SVG user units. */
export const NODE_R = 11;
export const SIBLING_DX = 34;
export const LEVEL_DY = 72;
/** Above this many nodes on screen the N/Q labels under the nodes are left to the tooltips. */
export const LABEL_LIMIT = 40;
export const PATH_COLOR = '#d97706';
export const SELECT_COLOR = '#2d5bd7';

const polygon = (k: number, r: number, rot: number) =>
  'M' + Array.from({ length: k }, (_, i) => {
    const a = rot + (2 * Math.PI * i) / k;
    return `${(r * Math.cos(a)).toFixed(2)} ${(r * Math.sin(a)).toFixed(2)}`;
  }).join('L') + 'Z';

/** SVG path of a shape centred on 0,0 with "radius" r (areas roughly alike). */
export function shapePath(shape: Shape, r: number): string {
  switch (shape) {
    case 'square': return `M${-r * 0.9} ${-r * 0.9}H${r * 0.9}V${r * 0.9}H${-r * 0.9}Z`;
    case 'circle': return `M${-r} 0A${r} ${r} 0 1 0 ${r} 0A${r} ${r} 0 1 0 ${-r} 0Z`;
    case 'diamond': return polygon(4, r * 1.2, -Math.PI / 2);
    case 'triangle-down': return polygon(3, r * 1.25, Math.PI / 2);
    case 'triangle-up': return polygon(3, r * 1.25, -Math.PI / 2);
    case 'hexagon': return polygon(6, r * 1.05, 0);
    case 'pentagon': return polygon(5, r * 1.1, -Math.PI / 2);
    case 'octagon': return polygon(8, r * 1.05, Math.PI / 8);
  }
}

export interface Box { x: number; y: number; w: number; h: number }

/** Positions of every node of the tree (also those not yet created at a replay step, so nodes keep their place while the replay runs). */
export interface DiagramLayout {
  x: number[];
  y: number[];
  /** Bounding box of all node centres, padded by a node. */
  bounds: Box;
}

type Shaped = Pick<TreeNode, 'id' | 'children'>;

/**
 * Tidy-tree layout (d3-hierarchy) of the nodes reachable from the root; root on top, depth
 * downwards. A wide, shallow tree gets taller levels (up to 3×) so the fitted picture comes near
 * `aspect` (width / height of the drawing area) instead of a flat strip.
 */
export function layoutTree(nodes: readonly Shaped[], aspect = 1.6): DiagramLayout {
  const x = new Array<number>(nodes.length).fill(0);
  const y = new Array<number>(nodes.length).fill(0);
  if (!nodes.length) return { x, y, bounds: { x: -50, y: -50, w: 100, h: 100 } };
  const root = hierarchy<Shaped>(nodes[0]!, (n) => n.children.map((c) => nodes[c]).filter((c): c is Shaped => !!c));
  const laid = tidyTree<Shaped>().nodeSize([SIBLING_DX, 1]).separation((a, b) => (a.parent === b.parent ? 1 : 1.25))(root);
  let x0 = Infinity, x1 = -Infinity;
  laid.each((p) => {
    x0 = Math.min(x0, p.x);
    x1 = Math.max(x1, p.x);
  });
  const depth = Math.max(1, laid.height);
  const dy = Math.max(LEVEL_DY, Math.min(3 * LEVEL_DY, (x1 - x0) / aspect / depth));
  laid.each((p) => {
    x[p.data.id] = p.x;
    y[p.data.id] = p.depth * dy;
  });
  const pad = NODE_R * 4;
  return { x, y, bounds: { x: x0 - pad, y: -pad, w: x1 - x0 + 2 * pad, h: laid.height * dy + 2 * pad } };
}

export interface DiagramNode {
  id: number;
  x: number;
  y: number;
  role: Role | 'root';
  color: string;
  shape: Shape;
  /** 0.08 for an unvisited node, else 0.2 + 0.8·Q (Q clamped to 0..1). */
  fillOpacity: number;
  onPath: boolean;
  selected: boolean;
  /** The node the current replay step is about. */
  focus: boolean;
  /** Created by the current step (an expansion). */
  created: boolean;
  /** Verdict mark, once the Answer has been evaluated at this step. */
  verdict: 'correct' | 'wrong' | null;
  /** Tooltip: id, role, N, Q, verdict and the start of the node's (untrusted) text — bound as text. */
  title: string;
  /** Short N/Q label under the node, or null in a big tree. */
  label: string | null;
  /** UCT score when the current step is a selection among this node and its siblings. */
  uct: { text: string; chosen: boolean } | null;
}

export interface DiagramEdge {
  from: number;
  to: number;
  d: string;
  /** Stroke width: 1 for an unvisited child, up to 7 for a child visited on every rollout. */
  width: number;
  visits: number;
  onPath: boolean;
}

export interface DiagramBacktrack {
  from: number;
  to: number;
  reflection: number;
  d: string;
}

export interface DiagramModel {
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  backtracks: DiagramBacktrack[];
  bounds: Box;
}

/** Stroke width of an edge into a child visited `visits` times of the root's `total`. */
export function edgeWidth(visits: number, total: number): number {
  return visits > 0 ? 1 + 6 * Math.sqrt(Math.min(1, visits / Math.max(1, total))) : 1;
}

/** Fill opacity of a node with mean reward `q` after `visits` visits. */
export function qOpacity(q: number, visits: number): number {
  return visits > 0 ? 0.2 + 0.8 * Math.max(0, Math.min(1, q)) : 0.08;
}

/** A vertical S-curve from parent to child (as d3-shape's linkVertical draws it). */
export function linkPath(x0: number, y0: number, x1: number, y1: number): string {
  const m = (y0 + y1) / 2;
  return `M${x0.toFixed(1)} ${y0.toFixed(1)}C${x0.toFixed(1)} ${m.toFixed(1)} ${x1.toFixed(1)} ${m.toFixed(1)} ${x1.toFixed(1)} ${y1.toFixed(1)}`;
}

/**
 * A bulging curve from a wrong Answer to its Reflection, bent to the side so it does not lie on
 * the tree's edges, from rim to rim of the two nodes (so the arrowhead shows).
 */
export function backtrackPath(x0: number, y0: number, x1: number, y1: number, r = NODE_R): string {
  const dx = x1 - x0, dy = y1 - y0;
  const len = Math.hypot(dx, dy) || 1;
  // At least 70 units: a Reflection next to its Answer gets a loop that clears the N/Q labels.
  const bend = Math.max(70, 0.4 * len);
  const side = dx >= 0 ? 1 : -1;
  const cx = (x0 + x1) / 2 - (dy / len) * bend * side, cy = (y0 + y1) / 2 + (dx / len) * bend * side;
  const rim = (px: number, py: number, gap: number) => {
    const l = Math.hypot(cx - px, cy - py) || 1;
    return [px + ((cx - px) / l) * gap, py + ((cy - py) / l) * gap] as const;
  };
  const [ax, ay] = rim(x0, y0, r + 2), [bx, by] = rim(x1, y1, r + 5);
  const f = (v: number) => v.toFixed(1);
  return `M${f(ax)} ${f(ay)}Q${f(cx)} ${f(cy)} ${f(bx)} ${f(by)}`;
}

const excerpt = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** What the picture shows at a replay step. */
export function diagramModel(nodes: readonly TreeNode[], events: readonly TreeEvent[], rs: ReplayState, layout: DiagramLayout, selected: number): DiagramModel {
  const onPath = new Set(rs.path);
  const created = new Set(rs.created);
  const uct = new Map<number, { text: string; chosen: boolean }>();
  if (rs.event?.type === 'select') for (const c of rs.event.candidates) uct.set(c.node, { text: c.uct === null ? 'UCT ∞' : `UCT ${fmt(c.uct)}`, chosen: c.node === rs.event.node });
  const shown = nodes.filter((n) => rs.exists[n.id]);
  const labels = shown.length <= LABEL_LIMIT;
  const total = rs.visits[0] ?? 0;
  const out: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  for (const n of shown) {
    const style = ROLE_STYLE[n.role];
    const v = rs.visits[n.id] ?? 0, q = rs.values[n.id] ?? 0;
    const verdict = n.role === 'Answer' && n.verdict && rs.evaluated[n.id] ? (n.verdict.correct ? 'correct' : 'wrong') : null;
    const name = n.role === 'root' ? t.question : n.role;
    const mark = verdict === 'correct' ? ` · ✓ ${t.correct}` : verdict === 'wrong' ? ` · ✗ ${t.wrong}` : '';
    out.push({
      id: n.id, x: layout.x[n.id] ?? 0, y: layout.y[n.id] ?? 0, role: n.role, color: style.color, shape: style.shape,
      fillOpacity: qOpacity(q, v), onPath: onPath.has(n.id), selected: n.id === selected, focus: rs.focus === n.id, created: created.has(n.id), verdict,
      title: `#${n.id} ${name} · N ${v} · Q ${fmt(q)}${mark}\n${excerpt(n.text)}`,
      label: labels ? `N${v} Q${Number.isInteger(q) ? q : q.toFixed(2)}` : null,
      uct: uct.get(n.id) ?? null,
    });
    if (n.parent !== null && rs.exists[n.parent]) {
      const px = layout.x[n.parent] ?? 0, py = layout.y[n.parent] ?? 0;
      edges.push({ from: n.parent, to: n.id, d: linkPath(px, py, layout.x[n.id] ?? 0, layout.y[n.id] ?? 0), width: edgeWidth(v, total), visits: v, onPath: onPath.has(n.id) && onPath.has(n.parent) });
    }
  }
  const backtracks: DiagramBacktrack[] = [];
  for (let i = 0; i < rs.step && i < events.length; i++) {
    const e = events[i]!;
    if (e.type !== 'backtrack' || !rs.exists[e.from] || !rs.exists[e.reflection]) continue;
    backtracks.push({ from: e.from, to: e.to, reflection: e.reflection, d: backtrackPath(layout.x[e.from] ?? 0, layout.y[e.from] ?? 0, layout.x[e.reflection] ?? 0, layout.y[e.reflection] ?? 0) });
  }
  return { nodes: out, edges, backtracks, bounds: layout.bounds };
}

/** The view box that shows `b` whole, at least `minW` × `minH` units (one node alone is not blown up). */
export function fitBox(b: Box, minW = 420, minH = 236): Box {
  const w = Math.max(b.w, minW), h = Math.max(b.h, minH);
  return { x: b.x - (w - b.w) / 2, y: b.y - (h - b.h) / 2, w, h };
}

/** Zoom `v` by `f` (< 1 zooms in) around the point px, py (user units). */
export function zoomBox(v: Box, f: number, px = v.x + v.w / 2, py = v.y + v.h / 2): Box {
  return { x: px - (px - v.x) * f, y: py - (py - v.y) * f, w: v.w * f, h: v.h * f };
}
