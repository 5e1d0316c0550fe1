/**
 * `lab mcts --out FILE --resume`: which trees of an earlier run may be kept. A kept tree must be
 * a tree@1 record searched with the settings this run would use for its problem (the `config`
 * every tree records: pattern, rollouts, C, depth, seed, temperature, reward, models and their
 * backends...), for one of this run's problems (same task, id, question and answer), and only
 * once. Otherwise the resume is refused with the file, line and first differing setting:
 * skipping by problem id alone would silently mix trees of two different runs in one file.
 */
import { checkTree } from '../data/trees-io.js';
import type { Problem } from '../tasks/types.js';
import type { KeptRecord } from './atomic-write.js';

/** The `lab mcts` flag behind each recorded setting (the others have no flag: the defaults of runSearch). */
const FLAG_OF: Record<string, string> = {
  pattern: '--pattern',
  c: '--c',
  rollouts: '--rollouts',
  maxDepth: '--max-depth',
  seed: '--seed',
  temperature: '--temperature',
  reward: '--reward',
  think: '--model',
  reflect: '--reflect-model',
  targetCorrect: '--target-correct',
  backends: '--engine',
};

/** Settings that trees written before they were recorded lack: absent there, they are not compared. */
const NEWER_SETTINGS = new Set(['backends']);

/** JSON with object keys sorted, so that two equal settings compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** One setting as the user would write it: `--rollouts 24`, `no --target-correct`, `maxNodeTokens 96`. */
function describe(key: string, value: unknown): string {
  const flag = FLAG_OF[key];
  if (value === undefined) return flag ? `no ${flag}` : `no ${key}`;
  if (key === 'backends') {
    const b = value as { think?: unknown; reflect?: unknown };
    return b.think === b.reflect ? `--engine ${String(b.think)}` : `--engine ${String(b.think)} (reflect model on ${String(b.reflect)})`;
  }
  const shown = typeof value === 'string' || typeof value === 'number' ? String(value) : canonical(value);
  return flag ? `${flag} ${shown}` : `${key} ${shown} (not a flag of lab mcts)`;
}

/** The first setting that differs, or null; the pattern last, since --pattern random draws it from the seed. */
function firstDifference(recorded: Record<string, unknown>, expected: Record<string, unknown>): string | null {
  const keys = [...Object.keys(expected), ...Object.keys(recorded).filter((k) => !(k in expected))].sort((a, b) => Number(a === 'pattern') - Number(b === 'pattern'));
  for (const k of keys) {
    if (!(k in recorded) && NEWER_SETTINGS.has(k)) continue;
    if (canonical(recorded[k]) !== canonical(expected[k])) return k;
  }
  return null;
}

/**
 * Check the records an earlier run left in `from` against this run; return the problem ids whose
 * trees are kept (to be skipped). `run.expected(problemId)` is the `config` this run would record
 * for that problem, `run.task` its task family and `run.problems` its problems: every kept tree
 * must be one of them. Throws an Error naming the file, the line and what differs.
 */
export function checkResume(
  kept: readonly KeptRecord[],
  from: string,
  run: { task: string; expected: (problemId: string) => Record<string, unknown>; problems: readonly Problem[] },
): Set<string> {
  const byId = new Map(run.problems.map((p) => [p.id, p]));
  const lineOf = new Map<string, number>();
  const refuse = (line: number, why: string): never => {
    throw new Error(`--resume: ${from}:${line} ${why}; resume with the same settings, or write to another --out file`);
  };
  for (const { line, value } of kept) {
    const tree = checkTree(value, (field, why) => refuse(line, `is not a tree of lab mcts (${field || 'record'} ${why})`));
    const id = (tree.task as { problemId?: unknown }).problemId;
    if (typeof id !== 'string' || id === '') return refuse(line, 'is not a tree of lab mcts (task.problemId is missing)');
    if (tree.task.family !== run.task) refuse(line, `(problem ${id}) was searched for --task ${String(tree.task.family)}, this run asks for --task ${run.task}`);
    const recorded = typeof tree.config === 'object' && tree.config !== null ? tree.config : {};
    const want = run.expected(id);
    const key = firstDifference(recorded, want);
    if (key !== null) refuse(line, `(problem ${id}) was searched with ${describe(key, recorded[key])}, this run asks for ${describe(key, want[key])}`);
    const p = byId.get(id);
    if (!p) refuse(line, `holds a tree of problem ${id}, which this run does not have (another --input, --seed or a smaller --count?)`);
    else if (p.question !== tree.task.question || p.answer !== tree.task.answer) {
      refuse(line, `holds a tree of another problem with the id ${id} (${p.question !== tree.task.question ? 'another question' : 'another reference answer'}: another --input?)`);
    }
    const before = lineOf.get(id);
    if (before !== undefined) refuse(line, `holds a second tree of problem ${id} (the first is on line ${before})`);
    lineOf.set(id, line);
  }
  return new Set(lineOf.keys());
}
