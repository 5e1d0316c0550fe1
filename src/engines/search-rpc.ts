/**
 * The typed message protocol between the page and the search worker (workers/search.worker.ts):
 * start / event / done / error / interrupt. Engines are not in the search worker: `start` carries
 * one MessagePort per model, connected to that model's engine worker (`WorkerEngine.connect()`).
 *
 * Each `event` message carries one TreeEvent plus the nodes it created or changed (a delta), so
 * the page keeps a growing mirror of the tree without the whole tree crossing per event; `done`
 * carries the whole tree (the authoritative copy).
 */
import type { EngineInfo } from '../core/engine.js';
import type { SearchSpec } from '../mcts/search-spec.js';
import type { Tree, TreeEvent, TreeNode, TreeStats } from '../mcts/tree.js';

/** A model the search worker can use: a port into its engine worker and the engine's info. */
export interface EngineLink {
  port: MessagePort;
  info: EngineInfo;
}

export type ToSearchWorker =
  /** Start search `id`; `reflect` is omitted when the think model also reflects. */
  | { type: 'start'; id: number; spec: SearchSpec; think: EngineLink; reflect?: EngineLink }
  /** Abort search `id` (the running generation is interrupted in the engine worker). */
  | { type: 'interrupt'; id: number };

/** Everything of a tree except what grows. */
export type TreeHead = Pick<Tree, 'schema' | 'id' | 'task' | 'config'>;

/** One streamed event: `index` is its position in the event log, `nodes` the nodes it touched. */
export interface SearchEventMessage {
  type: 'event';
  id: number;
  index: number;
  event: TreeEvent;
  nodes: TreeNode[];
  stats: TreeStats;
  /** Sent with the first event only. */
  head?: TreeHead;
}

export type FromSearchWorker =
  | SearchEventMessage
  /** The search ended (rollouts, a budget, or interrupt: `stats.stoppedBy` says which). Null only when stopped before anything happened. */
  | { type: 'done'; id: number; tree: Tree | null }
  | { type: 'error'; id: number; error: { name: string; message: string } };

/** Ids of the nodes an event changed (besides nodes created since the previous event). */
function changedBy(e: TreeEvent): number[] {
  if (e.type === 'expand') return [e.node];
  if (e.type === 'backprop') return e.path;
  return [];
}

/**
 * The nodes to send with `event`: those created since `sent` nodes were sent, and those the event
 * changed (an expanded parent's children, visits and values along a back-propagated path).
 */
export function touchedNodes(tree: Tree, event: TreeEvent, sent: number): TreeNode[] {
  const ids = new Set<number>(changedBy(event));
  for (let i = sent; i < tree.nodes.length; i++) ids.add(i);
  return [...ids].sort((a, b) => a - b).map((i) => tree.nodes[i]!);
}

/** Apply one event message to the page's mirror of the tree (created from `head` on the first). */
export function applyEventMessage(mirror: Tree | null, msg: SearchEventMessage): Tree {
  let tree = mirror;
  if (!tree) {
    if (!msg.head) throw new Error(`search ${msg.id}: event ${msg.index} arrived before the tree header`);
    tree = { ...msg.head, nodes: [], events: [], stats: msg.stats };
  }
  if (msg.index !== tree.events.length) throw new Error(`search ${msg.id}: expected event ${tree.events.length}, got ${msg.index}`);
  for (const n of msg.nodes) tree.nodes[n.id] = n;
  tree.events.push(msg.event);
  tree.stats = msg.stats;
  return tree;
}
