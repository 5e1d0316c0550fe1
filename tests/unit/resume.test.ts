/** Resuming after a reload: finished runs give their trees; a run cut short is rebuilt from its saved events. */
import { describe, expect, it } from 'vitest';
import { treesOfRun } from '../../src/ui/app/resume.js';
import type { RunItem } from '../../src/store/db.js';
import type { TreeNode } from '../../src/mcts/tree.js';

const node = (id: number, parent: number | null, extra: Partial<TreeNode> = {}): TreeNode => ({ id, parent, role: parent === null ? 'root' : 'Thinking', text: `n${id}`, model: 'tiny-a', tokens: 3, visits: 0, value: 0, verdict: null, depth: parent === null ? 0 : 1, iteration: 0, truncated: false, children: [], ...extra });
const item = (seq: number, type: string, payload: unknown): RunItem => ({ runId: 'r', seq, type, payload });

describe('treesOfRun', () => {
  it('returns the saved final trees when there are any', () => {
    const tree = { schema: 'reasoning-lab/tree@1', id: 't', nodes: [node(0, null)], events: [] };
    expect(treesOfRun('r', [item(0, 'spec', {}), item(1, 'tree', tree)])).toEqual([tree]);
  });

  it('rebuilds a partial tree from the event log of an interrupted run, in event order', () => {
    const spec = { problem: { family: 'letters', setSeed: 0, index: 0 }, pattern: 'random', c: 1.4, rollouts: 8, seed: 1, tokenBudget: 0, timeBudgetMs: 0 };
    const items = [
      item(0, 'spec', spec),
      item(2, 'event', { index: 1, event: { type: 'backprop', iteration: 0, path: [0, 1], reward: 1 }, nodes: [node(0, null, { visits: 1 }), node(1, 0, { visits: 1, verdict: { correct: true, extracted: '3', reason: 'ok', reward: 1 } })] }),
      item(1, 'event', { index: 0, event: { type: 'expand', iteration: 0, node: 0, role: 'Thinking', model: 'tiny-a', children: [1] }, nodes: [node(0, null), node(1, 0)] }),
    ];
    const [t] = treesOfRun('r', items);
    expect(t!.events.map((e) => e.type)).toEqual(['expand', 'backprop']);
    expect(t!.nodes.map((n) => n.visits)).toEqual([1, 1]);
    expect(t!.stats).toMatchObject({ rollouts: 1, nodes: 2, answers: 1, correct: 1, stoppedBy: 'abort' });
    expect(t!.task.family).toBe('letters');
    expect(t!.task.question.length).toBeGreaterThan(0);
  });

  it('gives nothing for a run with neither trees nor events', () => {
    expect(treesOfRun('r', [item(0, 'spec', {})])).toEqual([]);
  });
});
