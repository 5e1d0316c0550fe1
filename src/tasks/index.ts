import { Rng } from '../core/rng.js';
import { arithmetic } from './arithmetic.js';
import { blocksworld } from './blocksworld.js';
import { letters } from './letters.js';
import type { FamilyName, GenerateOptions, Problem, TaskFamily } from './types.js';
import { wordproblems } from './wordproblems.js';

export type { FamilyName, Problem, TaskFamily, Verdict, SolverTrace, GenerateOptions } from './types.js';

/** The built-in task families by name. */
export const FAMILIES: Readonly<Record<FamilyName, TaskFamily>> = { letters, arithmetic, wordproblems, blocksworld };

/** Look up a family, with an error that lists the valid names. */
export function family(name: string): TaskFamily {
  const f = (FAMILIES as Record<string, TaskFamily>)[name];
  if (!f) throw new Error(`unknown task "${name}": choose one of ${Object.keys(FAMILIES).join(', ')}`);
  return f;
}

/**
 * `count` problems of a family from `seed`. Problem i depends only on (family, seed, i), so a
 * longer set extends a shorter one. Ids carry the seed: `letters-s3-0`.
 */
export function generateProblems(name: string, count: number, seed: number, opts: GenerateOptions = {}): Problem[] {
  const f = family(name);
  const difficulty = opts.difficulty ?? f.defaultDifficulty;
  const out: Problem[] = [];
  for (let i = 0; i < count; i++) {
    const p = f.generate(new Rng(`${name}:${seed}:${i}:${difficulty}`), i, { ...opts, difficulty });
    out.push({ ...p, id: `${name}-s${seed}-${i}` });
  }
  return out;
}
