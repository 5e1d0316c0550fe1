/**
 * A synthetic `reasoning-lab/tree@1` of an exact node count, for the diagram's screenshots, tests
 * and bench/ui.ts: plain data written the way src/mcts/search.ts writes a tree (UCT selection,
 * expansion down a Sub-Task → Thinking → Answer pattern with 2–3 samples, evaluation,
 * back-propagation, a Reflection under the nearest Thinking after a wrong answer), with a seeded
 * coin for the verdicts. No model and no search code: it only has to be a well-formed tree.
 */
import { Rng } from '../../src/core/rng.js';
import type { Role } from '../../src/mcts/roles.js';
import type { Tree, TreeEvent, TreeNode } from '../../src/mcts/tree.js';

const NEXT: Partial<Record<Role | 'root', Role>> = { root: 'Sub-Task', 'Sub-Task': 'Thinking', Thinking: 'Answer', Reflection: 'Thinking' };

export function syntheticTree(target = 200, seed = 1): Tree {
  const rng = new Rng(seed);
  const nodes: TreeNode[] = [];
  const events: TreeEvent[] = [];
  const make = (parent: TreeNode | null, role: Role | 'root', it: number): TreeNode => {
    const correct = rng.chance(0.45);
    const n: TreeNode = {
      id: nodes.length, parent: parent?.id ?? null, role, text: role === 'root' ? 'How many times does the letter "r" appear in "strawberry"?' : `${role} text of node ${nodes.length} <b>not markup</b>`,
      model: role === 'root' ? '' : role === 'Reflection' ? 'tiny-b' : 'tiny-a', tokens: 20, visits: 0, value: 0,
      verdict: role === 'Answer' ? { correct, extracted: correct ? '3' : '2', reason: correct ? 'matches 3' : 'expected 3', reward: correct ? 1 : 0 } : null,
      depth: parent ? parent.depth + 1 : 0, iteration: it, truncated: false, children: [],
    };
    nodes.push(n);
    parent?.children.push(n.id);
    return n;
  };
  const root = make(null, 'root', 0);
  let it = 0;
  let answers = 0, correct = 0;
  while (nodes.length < target) {
    let node = root;
    while (node.children.length && node.role !== 'Answer') {
      const kids = node.children.map((id) => nodes[id]!);
      const uct = kids.map((k) => (k.visits === 0 ? Infinity : k.value + 1.4 * Math.sqrt(Math.log(Math.max(1, node.visits)) / k.visits)));
      const best = Math.max(...uct);
      const chosen = kids[uct.indexOf(best)]!;
      events.push({ type: 'select', iteration: it, node: chosen.id, candidates: kids.map((k, i) => ({ node: k.id, uct: Number.isFinite(uct[i]!) ? uct[i]! : null, visits: k.visits, value: k.value })) });
      node = chosen;
    }
    while (node.role !== 'Answer' && nodes.length < target) {
      const role = node.depth >= 6 ? 'Answer' : NEXT[node.role]!;
      const k = Math.min(target - nodes.length, 2 + rng.int(2));
      const made = Array.from({ length: k }, () => make(node, role, it));
      events.push({ type: 'expand', iteration: it, node: node.id, role, model: made[0]!.model, children: made.map((m) => m.id) });
      node = made[0]!;
      events.push({ type: 'select', iteration: it, node: node.id, candidates: made.map((m) => ({ node: m.id, uct: null, visits: 0, value: 0 })) });
    }
    const v = node.verdict ?? { correct: false, extracted: null, reason: 'no answer node', reward: 0 };
    answers++;
    if (v.correct) correct++;
    events.push({ type: 'evaluate', iteration: it, node: node.id, correct: v.correct, reward: v.reward, extracted: v.extracted, reason: v.reason });
    const path: number[] = [];
    for (let n: TreeNode | undefined = node; n; n = n.parent === null ? undefined : nodes[n.parent]) path.unshift(n.id);
    for (const id of path) {
      const n = nodes[id]!;
      n.value = (n.value * n.visits + v.reward) / (n.visits + 1);
      n.visits++;
    }
    events.push({ type: 'backprop', iteration: it, path, reward: v.reward });
    const anchor = [...path].reverse().map((id) => nodes[id]!).find((n) => n.role === 'Thinking');
    if (!v.correct && anchor && nodes.length < target) {
      const refl = make(anchor, 'Reflection', it);
      events.push({ type: 'expand', iteration: it, node: anchor.id, role: 'Reflection', model: refl.model, children: [refl.id] });
      events.push({ type: 'backtrack', iteration: it, from: node.id, to: anchor.id, reflection: refl.id, model: refl.model });
    }
    it++;
  }
  return {
    schema: 'reasoning-lab/tree@1', id: `synthetic-${target}-${seed}`,
    task: { family: 'letters', problemId: 'synthetic', question: root.text, answer: '3' },
    config: { pattern: 'subtask-think-answer (synthetic)', c: 1.4, seed },
    nodes, events,
    stats: { rollouts: it, nodes: nodes.length, answers, correct, tokens: 20 * (nodes.length - 1), seconds: 0, stoppedBy: 'rollouts' },
  };
}
