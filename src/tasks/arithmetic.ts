import type { Rng } from '../core/rng.js';
import { verifyNumeric } from './answer.js';
import type { GenerateOptions, Problem, SolverTrace, TaskFamily, Verdict } from './types.js';

/**
 * Multi-digit arithmetic: addition and subtraction of 2-4 digit numbers and multiplication by a
 * one-digit number (difficulty raises the digit counts). The solver writes column arithmetic
 * right to left with explicit carries and borrows, which is what a small model can learn.
 */
type Op = '+' | '-' | 'x';

interface ArithData {
  a: number;
  b: number;
  op: Op;
}

function digits(rng: Rng, n: number): number {
  return rng.range(10 ** (n - 1), 10 ** n - 1);
}

function generate(rng: Rng, index: number, opts: GenerateOptions = {}): Problem {
  const d = opts.difficulty ?? 1;
  const op = rng.pick<Op>(['+', '+', '-', 'x']);
  let a: number;
  let b: number;
  // Difficulty 1: two-digit operands (x: two digits by one); each level adds a digit.
  if (op === 'x') {
    a = digits(rng, rng.range(2, 1 + d));
    b = rng.range(2, 9);
  } else {
    a = digits(rng, rng.range(2, 1 + d));
    b = digits(rng, rng.range(2, 1 + d));
    if (op === '-' && b > a) [a, b] = [b, a];
  }
  const shown = op === 'x' ? rng.pick(['*', 'x', '×']) : op;
  const question = rng.pick([`What is ${a} ${shown} ${b}?`, `Compute ${a} ${shown} ${b}.`, `Calculate ${a} ${shown} ${b}.`]);
  const data: ArithData = { a, b, op };
  return { id: `arithmetic-${index}`, family: 'arithmetic', question, answer: String(evaluate(data)), data };
}

function evaluate({ a, b, op }: ArithData): number {
  return op === '+' ? a + b : op === '-' ? a - b : a * b;
}

/** Column working; `slip` flips one carry/borrow to make a plausible mistake. */
function columns({ a, b, op }: ArithData, slip = -1): { text: string; result: number } {
  const da = [...String(a)].reverse().map(Number);
  const db = [...String(b)].reverse().map(Number);
  const steps: string[] = [];
  const out: number[] = [];
  let carry = 0;
  if (op === '+') {
    const n = Math.max(da.length, db.length);
    for (let i = 0; i < n; i++) {
      const x = da[i] ?? 0;
      const y = db[i] ?? 0;
      const s = x + y + carry;
      const terms = [x, y, ...(carry ? [carry] : [])].join('+');
      let c = Math.floor(s / 10);
      if (i === slip) c = c ? 0 : c;
      steps.push(`${terms}=${s} w${s % 10}${c ? ` c${c}` : ''}`);
      out.push(s % 10);
      carry = c;
    }
    if (carry) out.push(carry);
  } else if (op === '-') {
    for (let i = 0; i < da.length; i++) {
      const x = da[i]! - carry;
      const y = db[i] ?? 0;
      let borrow = x < y ? 1 : 0;
      if (i === slip && borrow) borrow = 0;
      const top = x + (x < y ? 10 : 0);
      const v = top - y;
      steps.push(`${carry ? `${da[i]}-1` : x}${x < y ? '+10' : ''}-${y}=${v} w${v}${borrow ? ' b1' : ''}`);
      out.push(v);
      carry = borrow;
    }
  } else {
    for (let i = 0; i < da.length; i++) {
      const p = da[i]! * b + carry;
      let c = Math.floor(p / 10);
      if (i === slip) c = Math.max(0, c - 1);
      const last = i === da.length - 1;
      steps.push(`${da[i]}x${b}${carry ? `+${carry}` : ''}=${p} w${last ? p : p % 10}${!last && c ? ` c${c}` : ''}`);
      if (last) out.push(...[...String(p)].reverse().map(Number));
      else out.push(p % 10);
      carry = c;
    }
  }
  const result = Number(out.reverse().join('')) || 0;
  return { text: `${steps.join('; ')}. So ${result}.`, result };
}

function solve(problem: Problem, rng: Rng): SolverTrace {
  const data = problem.data as ArithData;
  const right = columns(data);
  const opWord = data.op === '+' ? 'add' : data.op === '-' ? 'subtract' : 'multiply';
  const symbol = data.op === 'x' ? 'x' : data.op;
  const n = String(data.a).length;
  let wrong = columns(data, rng.int(n));
  for (let i = 0; i < n && wrong.result === right.result; i++) wrong = columns(data, i);
  const hasSlip = wrong.result !== right.result;
  const check =
    data.op === '+' ? `${right.result}-${data.b}=${data.a}` : data.op === '-' ? `${right.result}+${data.b}=${data.a}` : `${right.result}/${data.b}=${data.a}`;
  return {
    // Restating the operands first gives the model a short copy to attend to while it works.
    subTask: `${opWord} ${data.a} ${symbol} ${data.b} column by column from the right, keeping carries.`,
    thinking: right.text,
    wrongThinking: hasSlip ? wrong.text : null,
    wrongAnswer: hasSlip ? String(wrong.result) : null,
    reflection: right.text,
    doubleCheck: `${check}, so ${right.result} is right.`,
    doubleCheckFix: `${check}, so it is ${right.result}, not ${wrong.result}.`,
    reclarify: `compute ${data.a} ${symbol} ${data.b}.`,
    answer: String(right.result),
  };
}

function verify(problem: Problem, output: string): Verdict {
  return verifyNumeric(output, problem.answer);
}

export const arithmetic: TaskFamily = {
  name: 'arithmetic',
  defaultDifficulty: 1,
  description: 'Multi-digit addition, subtraction and multiplication by one digit (difficulty 1: two digits).',
  generate,
  solve,
  verify,
};
