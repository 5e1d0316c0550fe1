import { JsonlError } from '../core/jsonl.js';
import { lastBoxed } from './answer.js';
import { mathEquivalent, rowId, rowText, safeVerdict } from './math-equiv.js';
import type { DatasetFamily, Problem, RowContext, Verdict } from './types.js';

/**
 * GSM8K (openai/grade-school-math): grade-school word problems whose reference solution ends in
 * `#### N`. The reference answer is N with its thousands commas removed; a model answer is the
 * last `\boxed{...}`, or failing that the text after the last `#### `, judged numerically.
 */

/** The final answer of a GSM8K solution text: what follows the last `#### `, without commas. */
export function gsm8kFinalAnswer(solution: string): string | null {
  const at = solution.lastIndexOf('####');
  if (at < 0) return null;
  const line = (solution.slice(at + 4).split('\n')[0] ?? '').trim();
  return line === '' ? null : line;
}

/** A single number in `text` with only words around it (`18 apples`), else null. */
function loneNumber(text: string): string | null {
  const nums = text.match(/-?\d[\d,]*(?:\.\d+)?/g);
  if (!nums || nums.length !== 1) return null;
  const num = nums[0] ?? '';
  const rest = text.replace(num, '');
  if (/[\d+*/^=<>]/.test(rest)) return null;
  return num.replace(/,/g, '');
}

function fromRow(row: Record<string, unknown>, ctx: RowContext): Problem {
  const id = rowId(row, ctx);
  const question = rowText(row, ctx, ['question', 'problem']);
  const solution = rowText(row, ctx, ['answer']);
  // The answer after `#### `; a file that stores just the number is accepted too.
  const final = (gsm8kFinalAnswer(solution) ?? solution.trim()).replace(/,/g, '');
  if (!/^-?\d+(?:\.\d+)?$/.test(final)) {
    throw new JsonlError(ctx.file, ctx.line, 'answer', 'must end in "#### <number>" (the final answer)');
  }
  return { id, family: 'gsm8k', question, answer: final, data: { solution } };
}

function verify(problem: Problem, output: string): Verdict {
  return safeVerdict(() => {
    const extracted = lastBoxed(output) ?? gsm8kFinalAnswer(output);
    if (extracted === null) return { correct: false, extracted: null, reason: 'no \\boxed{} answer' };
    let correct = mathEquivalent(problem.answer, extracted);
    if (!correct) {
      const lone = loneNumber(extracted);
      correct = lone !== null && mathEquivalent(problem.answer, lone);
    }
    return { correct, extracted, reason: correct ? 'match' : `expected ${problem.answer}, got ${extracted}` };
  });
}

/** GSM8K as a dataset family: rows `{question, answer}` with the answer after `#### `. */
export const gsm8k: DatasetFamily = {
  name: 'gsm8k',
  description: 'GSM8K grade-school maths word problems; numeric answer in \\boxed{} (or after ####), compared as numbers.',
  fromRow,
  verify,
};
