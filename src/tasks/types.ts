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

/** Options shared by generators; without `difficulty` a family uses its `defaultDifficulty`. */
export interface GenerateOptions {
  difficulty?: number;
}

/** A built-in task family: seeded generator, programmatic solver and rule-based verifier. */
export interface TaskFamily {
  readonly name: FamilyName;
  readonly description: string;
  /**
   * The level used when a caller names none (the UI, the CLI, the embedded models' held-out
   * evaluation): chosen so the embedded models are sometimes right and sometimes wrong.
   */
  readonly defaultDifficulty: number;
  generate(rng: Rng, index: number, opts?: GenerateOptions): Problem;
  solve(problem: Problem, rng: Rng): SolverTrace;
  verify(problem: Problem, output: string): Verdict;
}

/** Where a dataset row came from, for error messages (file:line:field). */
export interface RowContext {
  file: string;
  /** 1-based line number in the JSONL file. */
  line: number;
  /** 0-based index of the row among the file's rows. */
  index: number;
}

/**
 * A task family backed by a dataset file (GSM8K, MATH-500, AIME, PlanBench, IFEval): rows become
 * Problems, and a rule-based verifier judges model outputs. Verifiers never throw on any string.
 */
export interface DatasetFamily {
  readonly name: string;
  readonly description: string;
  /**
   * Turn one parsed JSONL row (the dataset's own fields) into a Problem. Throws a JsonlError
   * (src/core/jsonl.ts) naming file, line and field when a required field is missing or malformed.
   * The Problem id is the row's id field when present, else String(ctx.index).
   */
  fromRow(row: Record<string, unknown>, ctx: RowContext): Problem;
  verify(problem: Problem, output: string): Verdict;
}
