/**
 * The search tree as plain, serialisable data (`reasoning-lab/tree@1`): nodes in creation order,
 * the event log that lets a UI replay the search step by step, and summary stats.
 */
import type { Role } from './roles.js';

export const TREE_SCHEMA = 'reasoning-lab/tree@1';

export interface TreeNode {
  id: number;
  parent: number | null;
  /** 'root' holds the question; every other node is a thought node. */
  role: Role | 'root';
  /** Node content (without tags and role prompt). */
  text: string;
  /** Engine id that wrote it ('' for the root). */
  model: string;
  tokens: number;
  visits: number;
  /** Mean of the rewards back-propagated through this node. */
  value: number;
  /** For Answer nodes: verifier result. */
  verdict: { correct: boolean; extracted: string | null; reason: string; reward: number } | null;
  depth: number;
  /** Rollout in which the node was created (0-based). */
  iteration: number;
  /** The generation ended before the role's close tag (eos or token limit). */
  truncated: boolean;
  /** Another role's tag the generation ran into, where the node was cut (absent: none). */
  cutAt?: string;
  children: number[];
}

export type TreeEvent =
  | { type: 'select'; iteration: number; node: number; candidates: { node: number; uct: number | null; visits: number; value: number }[] }
  | { type: 'expand'; iteration: number; node: number; role: Role; model: string; children: number[] }
  | { type: 'evaluate'; iteration: number; node: number; correct: boolean; reward: number; extracted: string | null; reason: string }
  | { type: 'backprop'; iteration: number; path: number[]; reward: number }
  | { type: 'backtrack'; iteration: number; from: number; to: number; reflection: number; model: string };

export interface TreeStats {
  rollouts: number;
  nodes: number;
  answers: number;
  correct: number;
  tokens: number;
  seconds: number;
  stoppedBy: 'rollouts' | 'target' | 'tokens' | 'time' | 'abort';
  /** Nodes cut at another role's tag (the model started or closed another node inside one). */
  strayTags?: number;
}

export interface Tree {
  schema: typeof TREE_SCHEMA;
  id: string;
  task: { family: string; problemId: string; question: string; answer: string };
  config: Record<string, unknown>;
  nodes: TreeNode[];
  events: TreeEvent[];
  stats: TreeStats;
}

/** Node ids from the root to `id`. */
export function pathTo(nodes: readonly TreeNode[], id: number): number[] {
  const out: number[] = [];
  for (let n: TreeNode | undefined = nodes[id]; n; n = n.parent === null ? undefined : nodes[n.parent]) out.push(n.id);
  return out.reverse();
}
