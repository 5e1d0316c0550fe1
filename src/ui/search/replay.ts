/**
 * Replay of a search's event log, as pure functions: given the tree's nodes and events, the visible
 * state after the first `step` events — which nodes exist, visits and values so far, the phase of
 * the MCTS loop, the highlighted path and the UCT candidates of a selection. Step 0 is the bare
 * root; step `events.length` is the finished tree (visits and values equal the tree's own, since
 * the back-propagation arithmetic is replayed in the same order).
 */
import type { TreeEvent, TreeNode } from '../../mcts/tree.js';

export type Phase = 'idle' | 'select' | 'expand' | 'evaluate' | 'backprop' | 'backtrack';

/** The four phases of one MCTS iteration, in order, plus the backtracking step of Marco-o1 v2. */
export const PHASES: readonly Exclude<Phase, 'idle'>[] = ['select', 'expand', 'evaluate', 'backprop', 'backtrack'];

export type Candidates = Extract<TreeEvent, { type: 'select' }>['candidates'];

export interface ReplayState {
  /** Events applied (0..total). */
  step: number;
  total: number;
  /** The last applied event, null at step 0. */
  event: TreeEvent | null;
  phase: Phase;
  /** Iteration (rollout) of the last applied event, null at step 0. */
  iteration: number | null;
  /** Per node id: created by step `step`. */
  exists: boolean[];
  visits: number[];
  values: number[];
  /** Per node id: an Answer node that has been evaluated (its reward is known). */
  evaluated: boolean[];
  /** Node ids from the root to the node the last event is about (the path to highlight). */
  path: number[];
  /** The node the last event is about. */
  focus: number | null;
  /** Nodes created by the last event (an expansion). */
  created: number[];
  /** UCT candidates compared by the last event, when it is a selection. */
  candidates: Candidates | null;
}

function pathTo(nodes: readonly Pick<TreeNode, 'id' | 'parent'>[], id: number): number[] {
  const out: number[] = [];
  for (let n = nodes[id]; n; n = n.parent === null ? undefined : nodes[n.parent]) out.push(n.id);
  return out.reverse();
}

/** Clamp a step into 0..total (non-numbers become 0). */
export function clampStep(step: number, total: number): number {
  return Number.isFinite(step) ? Math.max(0, Math.min(total, Math.trunc(step))) : 0;
}

/** The visible state after the first `step` events. */
export function replayAt(nodes: readonly TreeNode[], events: readonly TreeEvent[], step: number): ReplayState {
  const total = events.length;
  const k = clampStep(step, total);
  const n = nodes.length;
  const exists = new Array<boolean>(n).fill(false);
  const visits = new Array<number>(n).fill(0);
  const values = new Array<number>(n).fill(0);
  const evaluated = new Array<boolean>(n).fill(false);
  if (n > 0) exists[0] = true;
  for (let i = 0; i < k; i++) {
    const e = events[i]!;
    if (e.type === 'expand') for (const c of e.children) exists[c] = true;
    else if (e.type === 'evaluate') evaluated[e.node] = true;
    else if (e.type === 'backprop') {
      for (const id of e.path) {
        values[id] = (values[id]! * visits[id]! + e.reward) / (visits[id]! + 1);
        visits[id]!++;
      }
    }
  }
  const event = k > 0 ? events[k - 1]! : null;
  let focus: number | null = null;
  let path: number[] = [];
  let created: number[] = [];
  let candidates: Candidates | null = null;
  if (event) {
    switch (event.type) {
      case 'select':
        focus = event.node;
        candidates = event.candidates;
        break;
      case 'expand':
        focus = event.node;
        created = event.children;
        break;
      case 'evaluate':
        focus = event.node;
        break;
      case 'backprop':
        focus = event.path[event.path.length - 1] ?? null;
        break;
      case 'backtrack':
        focus = event.reflection;
        break;
    }
    path = event.type === 'backprop' ? [...event.path] : focus !== null ? pathTo(nodes, focus) : [];
  }
  return { step: k, total, event, phase: event?.type ?? 'idle', iteration: event?.iteration ?? null, exists, visits, values, evaluated, path, focus, created, candidates };
}

/** The most recent selection, before `step`, that compared `node` with its siblings. */
export function lastSelection(events: readonly TreeEvent[], step: number, node: number): { iteration: number; chosen: number; candidates: Candidates } | null {
  for (let i = clampStep(step, events.length) - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'select' && e.candidates.some((c) => c.node === node)) return { iteration: e.iteration, chosen: e.node, candidates: e.candidates };
  }
  return null;
}

/** Step at the end of the iteration of the next unapplied event (or `total`). */
export function nextIterationStep(events: readonly TreeEvent[], step: number): number {
  const k = clampStep(step, events.length);
  if (k >= events.length) return events.length;
  const it = events[k]!.iteration;
  let j = k;
  while (j < events.length && events[j]!.iteration === it) j++;
  return j;
}

/** Step at the start of the iteration of the last applied event (so always earlier), or 0. */
export function prevIterationStep(events: readonly TreeEvent[], step: number): number {
  const k = clampStep(step, events.length);
  if (k === 0) return 0;
  const it = events[k - 1]!.iteration;
  let j = k - 1;
  while (j > 0 && events[j - 1]!.iteration === it) j--;
  return j;
}

/** Steps at which each iteration ends, in order (tick marks for the scrubber). */
export function iterationEnds(events: readonly TreeEvent[]): number[] {
  const out: number[] = [];
  events.forEach((e, i) => {
    if (i === events.length - 1 || events[i + 1]!.iteration !== e.iteration) out.push(i + 1);
  });
  return out;
}
