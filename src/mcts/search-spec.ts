/**
 * A search described as plain, serialisable data (what the Search view sends to the search worker
 * and what a lesson link encodes), and its resolution into the arguments of `runSearch`: the
 * problem, its verifier and the SearchConfig. Pure: no DOM, no Node.
 */
import { fnv1a, Rng } from '../core/rng.js';
import { family, generateProblems, type FamilyName, type Problem } from '../tasks/index.js';
import { choosePattern, validatePattern, type ReasoningPattern } from './patterns.js';
import type { SearchConfig, Verifier } from './search.js';

/** Which problem: generated problem `index` of the set from `setSeed`, or a custom prompt. */
export type ProblemRef =
  | { family: FamilyName; setSeed: number; index: number }
  /** A custom prompt; with an empty `answer` the search runs blind (confidence reward, no verifier). */
  | { family: FamilyName; prompt: string; answer: string };

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
  const verifier = family(spec.problem.family);
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
