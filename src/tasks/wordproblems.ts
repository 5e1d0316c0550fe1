import type { Rng } from '../core/rng.js';
import { verifyNumeric } from './answer.js';
import type { GenerateOptions, Problem, SolverTrace, TaskFamily, Verdict } from './types.js';

/**
 * Short word problems: a quantity changes in two or three steps (gain, loss, groups of).
 * The solver tracks the running total one step per clause, GSM8K-style but small.
 */
const NAMES = ['Tom', 'Mia', 'Ravi', 'Lena', 'Omar', 'Sofia', 'Ken', 'Ada', 'Luis', 'Zoe', 'Ivan', 'Nora', 'Yuki', 'Ben', 'Ama', 'Leo'];
const ITEMS = ['apples', 'marbles', 'stickers', 'books', 'coins', 'pencils', 'cookies', 'shells', 'cards', 'stamps', 'eggs', 'flowers'];

/**
 * Level 2 (two or three changes, a start up to 25, changes up to 19) is the default: at level 1 (two
 * small changes) the embedded models of run 7 were right 93-100% of the time, and search, DPO
 * pairs and Test@N need a reasoner that is sometimes wrong.
 */
const WORD_DEFAULT_DIFFICULTY = 2;

type Step = { kind: 'gain' | 'loss' | 'times'; n: number; text: string };

interface WordData {
  start: number;
  steps: Step[];
}

function makeStep(rng: Rng, total: number, name: string, item: string, allowTimes: boolean, difficulty: number): Step {
  const r = rng.next();
  const max = 5 + 7 * difficulty;
  if (allowTimes && r < 0.2 && total <= 12) {
    const n = rng.range(2, 4);
    return { kind: 'times', n, text: rng.pick([`Then ${name}'s pile grows to ${n} times as many.`, `Then ${name} ends up with ${n} times as many ${item}.`]) };
  }
  if (r < 0.6 || total < 3) {
    const n = rng.range(2, max);
    return { kind: 'gain', n, text: rng.pick([`${name} buys ${n} more.`, `A friend gives ${name} ${n} more ${item}.`, `${name} finds ${n} more.`]) };
  }
  const n = rng.range(1, Math.min(total - 1, max));
  return { kind: 'loss', n, text: rng.pick([`${name} gives away ${n}.`, `${name} loses ${n} ${item}.`, `${name} uses ${n} of them.`]) };
}

function apply(total: number, s: Step): number {
  return s.kind === 'gain' ? total + s.n : s.kind === 'loss' ? total - s.n : total * s.n;
}

function generate(rng: Rng, index: number, opts: GenerateOptions = {}): Problem {
  const d = opts.difficulty ?? WORD_DEFAULT_DIFFICULTY;
  const name = rng.pick(NAMES);
  const item = rng.pick(ITEMS);
  const start = rng.range(3, 5 + 10 * d);
  const steps: Step[] = [];
  let total = start;
  const count = d > 1 ? rng.range(2, 1 + d) : 2;
  for (let i = 0; i < count; i++) {
    const s = makeStep(rng, total, name, item, d > 1 || i === 0, d);
    steps.push(s);
    total = apply(total, s);
  }
  const question = `${name} has ${start} ${item}. ${steps.map((s) => s.text).join(' ')} How many ${item} does ${name} have now?`;
  const data: WordData = { start, steps };
  return { id: `wordproblems-${index}`, family: 'wordproblems', question, answer: String(total), data };
}

function working(data: WordData, slip = -1): { text: string; result: number } {
  let total = data.start;
  const parts = [`Start: ${total}.`];
  data.steps.forEach((s, i) => {
    let next = apply(total, s);
    if (i === slip) next += s.kind === 'loss' ? -1 : 1;
    const sym = s.kind === 'gain' ? '+' : s.kind === 'loss' ? '-' : 'x';
    parts.push(`${s.kind === 'gain' ? 'Gain' : s.kind === 'loss' ? 'Lose' : 'Times'} ${s.n}: ${total}${sym}${s.n}=${next}.`);
    total = next;
  });
  return { text: parts.join(' '), result: total };
}

function solve(problem: Problem, rng: Rng): SolverTrace {
  const data = problem.data as WordData;
  const right = working(data);
  const wrong = working(data, rng.int(data.steps.length));
  const item = /How many (\w+)/.exec(problem.question)?.[1] ?? 'items';
  return {
    subTask: `Track the number of ${item} step by step.`,
    thinking: right.text,
    wrongThinking: wrong.text,
    wrongAnswer: String(wrong.result),
    reflection: right.text,
    doubleCheck: `Each step uses the previous total, so ${right.result}.`,
    doubleCheckFix: `Redo: ${right.text} So ${right.result}, not ${wrong.result}.`,
    reclarify: `start with ${data.start}, apply ${data.steps.length} changes, give the final count.`,
    answer: String(right.result),
  };
}

function verify(problem: Problem, output: string): Verdict {
  return verifyNumeric(output, problem.answer);
}

export const wordproblems: TaskFamily = {
  name: 'wordproblems',
  defaultDifficulty: WORD_DEFAULT_DIFFICULTY,
  description: 'Short word problems with two or three changes to a quantity.',
  generate,
  solve,
  verify,
};
