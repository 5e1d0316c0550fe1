import type { Rng } from '../core/rng.js';

/** Names of the task families that have a built-in generator. */
export type FamilyName = 'letters' | 'arithmetic' | 'wordproblems' | 'blocksworld';

/** One problem: what the user asks and the reference answer the verifier compares against. */
export interface Problem {
  /** Stable id, e.g. `letters-3-17` (family, seed, index). */
  id: string;
  family: string;
  question: string;
  /** Reference answer as text (a number, or a plan for Blocksworld). */
  answer: string;
  /** Family-specific structured data the verifier needs (e.g. Blocksworld init/goal). */
  data?: unknown;
}

/** The verifier's judgement of one model output. */
export interface Verdict {
  correct: boolean;
  /** The answer the verifier pulled out of the output, or null when none could be found. */
  extracted: string | null;
  /** Why: "match", "no \\boxed{} answer", "expected 3, got 2", "step 2: a is not clear"... */
  reason: string;
}

/**
 * A worked solution written by a programmatic solver, as node contents (without the role
 * prompts). The corpus builder assembles them into the paper's reasoning flows.
 */
export interface SolverTrace {
  subTask: string;
  /** Correct working, ending in the result. */
  thinking: string;
  /** A plausible mistaken working (null if the family has no natural slip for this problem). */
  wrongThinking: string | null;
  /** The result the mistaken working arrives at. */
  wrongAnswer: string | null;
  /** Redo of the work after "something is wrong" (follows the mistaken working). */
  reflection: string;
  /** Check that confirms a correct working. */
  doubleCheck: string;
  /** Check that catches the mistaken working and states the fix. */
  doubleCheckFix: string;
  /** Restatement of the question. */
  reclarify: string;
  /** The final answer (goes inside \boxed{}). */
  answer: string;
}

/** Options shared by generators; `difficulty` 1 is the default level. */
export interface GenerateOptions {
  difficulty?: number;
}

/** A built-in task family: seeded generator, programmatic solver and rule-based verifier. */
export interface TaskFamily {
  readonly name: FamilyName;
  readonly description: string;
  generate(rng: Rng, index: number, opts?: GenerateOptions): Problem;
  solve(problem: Problem, rng: Rng): SolverTrace;
  verify(problem: Problem, output: string): Verdict;
}
