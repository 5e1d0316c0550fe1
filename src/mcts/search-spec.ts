/**
 * A search described as plain, serialisable data (what the Search view sends to the search worker
 * and what a lesson link encodes), and its resolution into the arguments of `runSearch`: the
 * problem, its verifier and the SearchConfig. Pure: no DOM, no Node.
 */
import { fnv1a, Rng } from '../core/rng.js';
import { dataset } from '../tasks/datasets.js';
import { family, generateProblems, type FamilyName, type Problem } from '../tasks/index.js';
import { choosePattern, validatePattern, type ReasoningPattern } from './patterns.js';
import type { SearchConfig, Verifier } from './search.js';

/** Which problem: generated problem `index` of the set from `setSeed`, a custom prompt, or a dataset row. */
export type ProblemRef =
  | { family: FamilyName; setSeed: number; index: number }
  /** A custom prompt; with an empty `answer` the search runs blind (confidence reward, no verifier). */
  | { family: FamilyName; prompt: string; answer: string }
  /**
   * A row of an imported dataset (`dataset` names the file, for the record), already parsed by
   * the family's row parser; `family` is a dataset family (gsm8k, math, blocksworld…) whose
   * verifier judges the answers.
   */
  | { family: string; dataset: string; row: Problem };

export interface SearchSpec {
  problem: ProblemRef;
  /** A built-in pattern name, or "random" (seeded by the search seed and the problem, as in the CLI). */
  pattern: string;
  /**
   * A custom pattern (the pattern editor's, as in `lab mcts --pattern FILE.json`): when present it
   * is validated and used instead of `pattern`, which then only names it.
   */
  customPattern?: ReasoningPattern;
  c: number;
  rollouts: number;
  seed: number;
  /** Total generated-token budget, 0 = none. */
  tokenBudget: number;
  /** Wall-clock budget in milliseconds, 0 = none. */
  timeBudgetMs: number;
  maxDepth?: number;
  maxNodeTokens?: number;
  temperature?: number;
}

/** The problem a ref names (throws with the reason on a bad family, index or empty prompt). */
export function resolveProblem(ref: ProblemRef): Problem {
  if ('row' in ref) {
    const r = ref.row as Partial<Problem> | null;
    dataset(ref.family);
    if (!r || typeof r.question !== 'string' || !r.question.trim()) throw new Error(`dataset ${ref.dataset}: the row has no question`);
    if (typeof r.answer !== 'string' || typeof r.id !== 'string') throw new Error(`dataset ${ref.dataset}: the row has no id or reference answer`);
    return { ...(r as Problem), family: ref.family };
  }
  if ('prompt' in ref) {
    const question = ref.prompt.trim();
    if (!question) throw new Error('the custom prompt is empty: type a question or pick a generated problem');
    family(ref.family);
    return { id: `custom-${fnv1a(question).toString(16)}`, family: ref.family, question, answer: ref.answer.trim() };
  }
  if (!Number.isInteger(ref.index) || ref.index < 0) throw new Error(`problem index must be a whole number ≥ 0, got ${ref.index}`);
  return generateProblems(ref.family, ref.index + 1, ref.setSeed)[ref.index]!;
}

/** Everything `runSearch` needs, from a spec. */
export function resolveSpec(spec: SearchSpec): { problem: Problem; verifier: Verifier; config: SearchConfig } {
  const problem = resolveProblem(spec.problem);
  const verifier = 'row' in spec.problem ? dataset(spec.problem.family) : family(spec.problem.family);
  const blind = 'prompt' in spec.problem && !problem.answer;
  const pattern = spec.customPattern ? validatePattern(spec.customPattern, 'customPattern') : choosePattern(spec.pattern, new Rng(`pattern:${spec.seed}:${problem.id}`));
  const config: SearchConfig = {
    pattern,
    c: spec.c,
    rollouts: spec.rollouts,
    seed: spec.seed,
    ...(spec.tokenBudget > 0 ? { tokenBudget: spec.tokenBudget } : {}),
    ...(spec.timeBudgetMs > 0 ? { timeBudgetMs: spec.timeBudgetMs } : {}),
    ...(spec.maxDepth !== undefined ? { maxDepth: spec.maxDepth } : {}),
    ...(spec.maxNodeTokens !== undefined ? { maxNodeTokens: spec.maxNodeTokens } : {}),
    ...(spec.temperature !== undefined ? { temperature: spec.temperature } : {}),
    ...(blind ? { blind: true } : {}),
  };
  return { problem, verifier, config };
}
