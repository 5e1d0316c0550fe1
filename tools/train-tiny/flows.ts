/**
 * Assembles solver traces into the paper's four reasoning flows (Figure 2) as thought-node text.
 *   a: Sub-Task → Thinking → Answer            (slip variant: Thinking✗ → Reflection → Answer)
 *   b: Sub-Task → Hypothesis → Thinking → Answer
 *   c: Sub-Task → Thinking → Double-Check → Answer  (slip variant: the check catches it)
 *   d: Reclarify → Sub-Task → Thinking → Double-Check → Answer
 * Each segment says whether the model should learn it: a deliberate slip is context only (its
 * tokens carry no loss), so the model learns to reflect on mistakes without learning to make them.
 */
import type { Rng } from '../../src/core/rng.js';
import { formatNode, type Role } from '../../src/mcts/roles.js';
import type { Problem, SolverTrace } from '../../src/tasks/index.js';

export type FlowName = 'a' | 'b' | 'c' | 'd';
export interface Segment {
  text: string;
  learn: boolean;
}

function node(role: Role, content: string, learn = true): Segment {
  return { text: formatNode(role, content), learn };
}

/** Thought-node segments of one worked example; `slip` asks for the mistake-and-fix variant. */
export function composeFlow(flow: FlowName, problem: Problem, t: SolverTrace, slip: boolean, rng: Rng): Segment[] {
  const answer = node('Answer', `\\boxed{${t.answer}}`);
  const canSlip = slip && t.wrongThinking !== null;
  switch (flow) {
    case 'a':
      return canSlip
        ? [node('Sub-Task', t.subTask), node('Thinking', t.wrongThinking!, false), node('Reflection', t.reflection), answer]
        : [node('Sub-Task', t.subTask), node('Thinking', t.thinking), answer];
    case 'b': {
      const steps = problem.family === 'blocksworld';
      const rightGuess = rng.chance(0.5) || t.wrongAnswer === null;
      const guess = steps
        ? `the plan has ${t.answer.split(', ').length + (rightGuess ? 0 : rng.pick([-2, 2]))} steps.`
        : `the answer is ${rightGuess ? t.answer : t.wrongAnswer}.`;
      const verdict = rightGuess ? ' The hypothesis holds.' : ' The hypothesis is wrong.';
      return [node('Sub-Task', t.subTask), node('Hypothesis', guess), node('Thinking', t.thinking + verdict), answer];
    }
    case 'c':
      return canSlip
        ? [node('Sub-Task', t.subTask), node('Thinking', t.wrongThinking!, false), node('Double-Check', t.doubleCheckFix), answer]
        : [node('Sub-Task', t.subTask), node('Thinking', t.thinking), node('Double-Check', t.doubleCheck), answer];
    case 'd':
      return [node('Reclarify', t.reclarify), ...composeFlow('c', problem, t, slip, rng)];
  }
}
