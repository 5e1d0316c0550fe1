/**
 * Resume after a reload: the most recent search run comes back from IndexedDB. A finished run
 * has its `tree` items; a run cut short (tab closed mid-search) is rebuilt from its saved event
 * log, so nothing that was saved is lost. With no saved run the caller shows a recorded demo.
 */
import type { SearchSpec } from '../../mcts/search-spec.js';
import { resolveProblem } from '../../mcts/search-spec.js';
import { TREE_SCHEMA, type Tree, type TreeEvent, type TreeNode } from '../../mcts/tree.js';
import { checkTree } from '../../data/trees-io.js';
import type { LabStore, RunItem } from '../../store/db.js';
import { validateRunItems } from '../../store/run-items.js';

/** Trees of a saved search run: its final trees, or one partial tree rebuilt from its events. */
export function treesOfRun(runId: string, items: readonly RunItem[]): Tree[] {
  const trees = items.filter((i) => i.type === 'tree').map((i) => i.payload as Tree);
  if (trees.length) return trees;
  const events = items.filter((i) => i.type === 'event').map((i) => i.payload as { index: number; event: TreeEvent; nodes: TreeNode[] });
  if (!events.length) return [];
  const spec = items.find((i) => i.type === 'spec')?.payload as SearchSpec | undefined;
  let task = { family: '', problemId: '', question: '', answer: '' };
  try {
    if (spec) {
      const p = resolveProblem(spec.problem);
      task = { family: p.family, problemId: p.id, question: p.question, answer: p.answer };
    }
  } catch {
    // A spec that no longer resolves still leaves the nodes and events worth showing.
  }
  const nodes: TreeNode[] = [];
  const log: TreeEvent[] = [];
  for (const e of events.sort((a, b) => a.index - b.index)) {
    for (const n of e.nodes) nodes[n.id] = n;
    log.push(e.event);
  }
  const answers = nodes.filter((n) => n?.verdict);
  return [
    {
      schema: TREE_SCHEMA,
      id: `${runId}:partial`,
      task,
      config: { ...(spec ?? {}), partial: true },
      nodes: nodes.filter(Boolean),
      events: log,
      stats: { rollouts: log.filter((e) => e.type === 'backprop').length, nodes: nodes.filter(Boolean).length, answers: answers.length, correct: answers.filter((n) => n.verdict?.correct).length, tokens: nodes.reduce((a, n) => a + (n?.tokens ?? 0), 0), seconds: 0, stoppedBy: 'abort' },
    },
  ];
}

/** Why the most recent search run could not be opened (the app shows the demo and this). */
export class ResumeError extends Error {
  constructor(
    readonly runId: string,
    message: string,
  ) {
    super(message);
    this.name = 'ResumeError';
  }
}

/**
 * Load the most recent search run that has something to show into `{runId, trees}`, or null.
 * Its items and trees are checked first: a run that would break the Search view (saved by an
 * older version, or edited) throws a ResumeError naming the run, item and field instead.
 */
export async function lastSearchRun(store: LabStore): Promise<{ runId: string; trees: Tree[] } | null> {
  for (const run of (await store.listRuns()).filter((r) => r.kind === 'search')) {
    const got = await store.getRun(run.id);
    const where = `run "${run.title}" (${run.id})`;
    try {
      if (got) validateRunItems('search', got.items, where);
      const trees = got ? treesOfRun(run.id, got.items) : [];
      trees.forEach((t, i) =>
        checkTree(t, (field, why) => {
          throw new Error(`${where}: tree ${i}: ${field ? `field "${field}": ` : ''}${why}`);
        }),
      );
      if (trees.length) return { runId: run.id, trees };
    } catch (e) {
      throw new ResumeError(run.id, (e as Error).message);
    }
  }
  return null;
}
