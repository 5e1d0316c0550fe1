import { JsonlError } from '../core/jsonl.js';
import { lastBoxed } from './answer.js';
import { mathEquivalent, rowId, rowText, safeVerdict } from './math-equiv.js';
import type { DatasetFamily, Problem, RowContext, Verdict } from './types.js';

/**
 * MATH / MATH-500 (Hendrycks et al.; the PRM800K test split): competition problems whose answers
 * are LaTeX expressions. A model answer is the last `\boxed{...}`, judged by mathEquivalent
 * (normalised strings, then structural and numeric comparison).
 */

function fromRow(row: Record<string, unknown>, ctx: RowContext): Problem {
  const id = rowId(row, ctx);
  const question = rowText(row, ctx, ['problem', 'question']);
  let answer: string;
  if (row.answer === undefined && typeof row.solution === 'string') {
    // Older MATH files carry only the solution; its last box is the answer.
    const boxed = lastBoxed(row.solution);
    if (boxed === null || boxed.trim() === '') throw new JsonlError(ctx.file, ctx.line, 'answer', 'is missing, and the solution has no \\boxed{} answer');
    answer = boxed.trim();
  } else {
    answer = rowText(row, ctx, ['answer']).trim();
  }
  const data: Record<string, unknown> = {};
  for (const field of ['subject', 'level', 'solution']) if (row[field] !== undefined) data[field] = row[field];
  return { id, family: 'math', question, answer, data };
}

function verify(problem: Problem, output: string): Verdict {
  return safeVerdict(() => {
    const extracted = lastBoxed(output);
    if (extracted === null) return { correct: false, extracted: null, reason: 'no \\boxed{} answer' };
    const correct = mathEquivalent(problem.answer, extracted, { question: problem.question });
    return { correct, extracted, reason: correct ? 'match' : `expected ${problem.answer}, got ${extracted}` };
  });
}

/** MATH-500 as a dataset family: rows `{problem, solution, answer, subject, level, unique_id}`. */
export const math: DatasetFamily = {
  name: 'math',
  description: 'MATH-500 competition problems; LaTeX answer in \\boxed{}, judged by normalised, structural and numeric equivalence.',
  fromRow,
  verify,
};
