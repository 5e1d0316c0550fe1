/**
 * A fixed layered layout of a pattern's graph, like the paper's Figure 2: the question on the
 * left, each role one column right of the longest forward path reaching it, the Reflection row
 * below, back edges (cycles) drawn as curves. Pure: the graph component only draws it.
 */
import { isRole, ROLES, type Role } from '../../mcts/roles.js';
import type { PatternDraft } from './draft.js';

export const QUESTION = 'Question';
export type GraphRole = Role | typeof QUESTION;

export interface GraphNode {
  role: GraphRole;
  layer: number;
  row: number;
  start: boolean;
  backtrack: boolean;
}

export interface GraphEdge {
  from: GraphRole;
  to: GraphRole;
  /** Sample count (NaN while an input is empty); null on the backtrack edge. */
  samples: number | null;
  kind: 'root' | 'edge' | 'backtrack';
  /** Goes against the flow (a cycle or self-loop): drawn curved. */
  back: boolean;
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  layers: number;
  rows: number;
}

/** Lay out the roles a draft uses (roles named in its matrix, start, backtrack). */
export function layoutPattern(d: Pick<PatternDraft, 'start' | 'rootSamples' | 'next' | 'backtrack'>): GraphLayout {
  const edges: GraphEdge[] = [{ from: QUESTION, to: d.start, samples: d.rootSamples, kind: 'root', back: false }];
  for (const [from, row] of Object.entries(d.next)) {
    if (!isRole(from)) continue;
    for (const [to, n] of Object.entries(row)) if (isRole(to)) edges.push({ from, to, samples: n, kind: 'edge', back: false });
  }
  edges.push({ from: d.backtrack, to: 'Reflection', samples: null, kind: 'backtrack', back: false });
  const used = new Set<GraphRole>([QUESTION]);
  for (const e of edges) used.add(e.from).add(e.to);
  const out = (r: GraphRole) => edges.filter((e) => e.from === r);
  // Depth-first from the question: an edge to a role still on the stack closes a cycle.
  const state = new Map<GraphRole, 'open' | 'done'>();
  const visit = (r: GraphRole) => {
    state.set(r, 'open');
    for (const e of out(r)) {
      const s = state.get(e.to);
      if (s === 'open') e.back = true;
      else if (!s) visit(e.to);
    }
    state.set(r, 'done');
  };
  visit(QUESTION);
  for (const r of used) if (!state.has(r)) visit(r);
  // Longest path over the forward edges (a DAG now): at most |roles| rounds of relaxation.
  const layer = new Map<GraphRole, number>([[QUESTION, 0]]);
  for (let round = 0; round < used.size; round++) {
    for (const e of edges) {
      if (e.back || !layer.has(e.from)) continue;
      const l = layer.get(e.from)! + 1;
      if ((layer.get(e.to) ?? -1) < l) layer.set(e.to, l);
    }
  }
  const last = Math.max(...layer.values());
  for (const r of used) if (!layer.has(r)) layer.set(r, last + 1);
  // Within a column: roles in the paper's order, Reflection last (the row below the main flow).
  const order = (r: GraphRole) => (r === QUESTION ? -1 : r === 'Reflection' ? ROLES.length : ROLES.indexOf(r));
  const byLayer = new Map<number, GraphRole[]>();
  for (const r of used) byLayer.set(layer.get(r)!, [...(byLayer.get(layer.get(r)!) ?? []), r]);
  const nodes: GraphNode[] = [];
  let rows = 1;
  for (const [l, roles] of byLayer) {
    roles.sort((a, b) => order(a) - order(b));
    roles.forEach((r, i) => {
      // Reflection sits in the bottom row when its column has room, as in Figure 2.
      const row = r === 'Reflection' ? Math.max(i, 1) : i;
      rows = Math.max(rows, row + 1);
      nodes.push({ role: r, layer: l, row, start: r === d.start, backtrack: r === d.backtrack });
    });
  }
  nodes.sort((a, b) => a.layer - b.layer || a.row - b.row);
  return { nodes, edges, layers: Math.max(...nodes.map((n) => n.layer)) + 1, rows };
}
