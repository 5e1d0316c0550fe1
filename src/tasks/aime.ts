import { JsonlError } from '../core/jsonl.js';
import { lastBoxed } from './answer.js';
import { mathValue, rowId, rowText, safeVerdict } from './math-equiv.js';
import type { DatasetFamily, Problem, RowContext, Verdict } from './types.js';

/**
 * AIME (2024, 2025): answers are integers from 0 to 999, sometimes written with leading zeros
 * ("025"). A model answer is the last `\boxed{...}`; it must evaluate to the same integer.
 */

function fromRow(row: Record<string, unknown>, ctx: RowContext): Problem {
  const id = rowId(row, ctx);
  const question = rowText(row, ctx, ['problem', 'question']);
  const answer = rowText(row, ctx, ['answer']).trim();
  if (!/^\d{1,4}$/.test(answer)) throw new JsonlError(ctx.file, ctx.line, 'answer', `must be an integer (AIME answers are 0-999), got ${JSON.stringify(answer).slice(0, 40)}`);
  const data: Record<string, unknown> = {};
  for (const field of ['solution', 'url']) if (typeof row[field] === 'string') data[field] = row[field];
  return { id, family: 'aime', question, answer, data };
}

function verify(problem: Problem, output: string): Verdict {
  return safeVerdict(() => {
    const extracted = lastBoxed(output);
    if (extracted === null) return { correct: false, extracted: null, reason: 'no \\boxed{} answer' };
    const got = mathValue(extracted);
    const want = Number(problem.answer);
    const correct = got !== null && Number.isFinite(want) && Math.abs(got - want) < 1e-9;
    return { correct, extracted, reason: correct ? 'match' : `expected ${problem.answer}, got ${extracted}` };
  });
}

/** AIME as a dataset family: rows `{id, problem, answer}`, answers compared as integers. */
export const aime: DatasetFamily = {
  name: 'aime',
  description: 'AIME 2024/2025 problems; integer answer 0-999 in \\boxed{}, compared as integers ("025" = 25).',
  fromRow,
  verify,
};
