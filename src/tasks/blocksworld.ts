import type { Rng } from '../core/rng.js';
import { lastBoxed } from './answer.js';
import { JsonlError } from '../core/jsonl.js';
import type { DatasetFamily, GenerateOptions, Problem, RowContext, SolverTrace, TaskFamily, Verdict } from './types.js';

/**
 * Blocksworld planning under the 4-operator STRIPS rules (pick-up, put-down, stack, unstack),
 * as in PlanBench. States are sets of facts ("on a b", "ontable a", "clear a", "handempty",
 * "holding a"); the verifier simulates a plan step by step and names the first failing step.
 */
export interface BlocksData {
  blocks: string[];
  init: string[];
  goal: string[];
  /** PlanBench display names, e.g. {a: "red block"}: plans may refer to blocks by them. */
  names?: Record<string, string>;
}

/** Towers listed bottom to top. */
type Towers = string[][];

function towersToFacts(towers: Towers): string[] {
  const facts: string[] = [];
  for (const t of towers) {
    facts.push(`ontable ${t[0]}`);
    for (let i = 1; i < t.length; i++) facts.push(`on ${t[i]} ${t[i - 1]}`);
    facts.push(`clear ${t[t.length - 1]}`);
  }
  facts.push('handempty');
  return facts;
}

function randomTowers(rng: Rng, blocks: string[]): Towers {
  const towers: Towers = [];
  for (const b of rng.shuffle(blocks)) {
    if (towers.length === 0 || rng.chance(0.45)) towers.push([b]);
    else rng.pick(towers).push(b);
  }
  return towers;
}

/** Apply one action to a fact set; returns the error text if a precondition fails. */
export function applyAction(state: Set<string>, action: string): string | null {
  const [op, x, y] = action.split(' ');
  const need = (f: string) => state.has(f);
  if (op === 'pick-up' && x && !y) {
    if (!need(`clear ${x}`)) return `${x} is not clear`;
    if (!need(`ontable ${x}`)) return `${x} is not on the table`;
    if (!need('handempty')) return 'the hand is not empty';
    state.delete(`clear ${x}`);
    state.delete(`ontable ${x}`);
    state.delete('handempty');
    state.add(`holding ${x}`);
  } else if (op === 'put-down' && x && !y) {
    if (!need(`holding ${x}`)) return `not holding ${x}`;
    state.delete(`holding ${x}`);
    state.add(`ontable ${x}`);
    state.add(`clear ${x}`);
    state.add('handempty');
  } else if (op === 'stack' && x && y) {
    if (!need(`holding ${x}`)) return `not holding ${x}`;
    if (!need(`clear ${y}`)) return `${y} is not clear`;
    state.delete(`holding ${x}`);
    state.delete(`clear ${y}`);
    state.add(`on ${x} ${y}`);
    state.add(`clear ${x}`);
    state.add('handempty');
  } else if (op === 'unstack' && x && y) {
    if (!need(`on ${x} ${y}`)) return `${x} is not on ${y}`;
    if (!need(`clear ${x}`)) return `${x} is not clear`;
    if (!need('handempty')) return 'the hand is not empty';
    state.delete(`on ${x} ${y}`);
    state.delete(`clear ${x}`);
    state.delete('handempty');
    state.add(`holding ${x}`);
    state.add(`clear ${y}`);
  } else {
    return `unknown action "${action}"`;
  }
  return null;
}

/** Normalise a written action ("Unstack the a from on top of b", "(pick-up a)") to "op x [y]". */
export function normaliseAction(text: string): string {
  const t = text.toLowerCase().replace(/[()]/g, ' ').replace(/\b(the|block|from|on top of|onto|on|to|up)\b/g, (w) => (w === 'up' ? 'up' : ' ')).trim();
  const words = t.replace(/pick\s+up/, 'pick-up').replace(/put\s+down/, 'put-down').split(/\s+/).filter(Boolean);
  return words.join(' ');
}

/** Replace PlanBench block names ("the red block", "red") by object ids, longest names first. */
function applyNames(text: string, names?: Record<string, string>): string {
  if (!names) return text;
  let t = text;
  const pairs = Object.entries(names).flatMap(([id, name]) => [[name.toLowerCase(), id], [name.toLowerCase().replace(/ block$/, ''), id]] as const);
  pairs.sort((a, b) => b[0].length - a[0].length);
  for (const [name, id] of pairs) t = t.replace(new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'gi'), id);
  return t;
}

/** Split a plan into actions (commas, semicolons, newlines or numbered lines). */
export function parsePlan(text: string, names?: Record<string, string>): string[] {
  return applyNames(text, names)
    .split(/[,;\n]|\\\\/)
    .map((s) => normaliseAction(s.replace(/^\s*\d+[.)]\s*/, '')))
    .filter(Boolean);
}

/** Simulate `plan` from `init`; valid when every step applies and all goal facts hold at the end. */
export function checkPlan(init: string[], goal: string[], plan: string[]): { valid: boolean; reason: string } {
  if (plan.length === 0) return { valid: goal.every((g) => init.includes(g)), reason: 'empty plan' };
  const state = new Set(init);
  for (let i = 0; i < plan.length; i++) {
    const err = applyAction(state, plan[i]!);
    if (err) return { valid: false, reason: `step ${i + 1} (${plan[i]}): ${err}` };
  }
  const unmet = goal.filter((g) => !state.has(g));
  return unmet.length ? { valid: false, reason: `goal not met: ${unmet.join(', ')}` } : { valid: true, reason: 'plan reaches the goal' };
}

/** Display names of the generated blocks (ids a-f), as PlanBench names its blocks by colour. */
const COLOURS: Record<string, string> = { a: 'red', b: 'blue', c: 'green', d: 'yellow', e: 'purple', f: 'white' };
const colour = (b: string): string => COLOURS[b] ?? b;

/** Start facts as clauses, tower by tower from the top ("red is on green, green is on the table"). */
function startClauses(towers: Towers): { block: string; below: string | null }[] {
  return towers.flatMap((t) => [...t].reverse().map((b, i, top) => ({ block: b, below: top[i + 1] ?? null })));
}

/** Goal facts as clauses, chain by chain from the bottom ("blue is on red, green is on blue"). */
function goalClauses(goal: string[]): { block: string; below: string }[] {
  return goalChains(goal).flatMap((c) => c.slice(1).map((b, i) => ({ block: b, below: c[i]! })));
}

const clause = (block: string, below: string | null): string => `${colour(block)} is on ${below ? colour(below) : 'the table'}`;

function generate(rng: Rng, index: number, opts: GenerateOptions = {}): Problem {
  const d = opts.difficulty ?? 1;
  // Difficulty 1: 3 blocks; 2: 4 blocks; up to 6.
  const n = Math.min(6, 2 + d);
  const blocks = 'abcdef'.slice(0, n).split('');
  for (;;) {
    const init = towersToFacts(randomTowers(rng, blocks));
    const goalTowers = randomTowers(rng, blocks).filter((t) => t.length > 1);
    const goal = goalTowers.flatMap((t) => t.slice(1).map((b, i) => `on ${b} ${t[i]}`));
    if (goal.length === 0 || goal.every((g) => init.includes(g))) continue;
    // Start facts tower by tower from the top (the order towers are taken apart), goal facts chain
    // by chain from the bottom (the order they are built): the plan walks both lists forwards.
    const start = startClauses(currentTowers(init)).map((c) => clause(c.block, c.below)).join(', ');
    const target = goalClauses(goal).map((c) => clause(c.block, c.below)).join(', ');
    const question = `Start: ${start}. Goal: ${target}. Give a plan.`;
    const names = Object.fromEntries(blocks.map((b) => [b, `${COLOURS[b]} block`]));
    const data: BlocksData = { blocks, init, goal, names };
    const plan = solvePlan(data).plan;
    return { id: `blocksworld-${index}`, family: 'blocksworld', question, answer: plan.join(', '), data };
  }
}

function currentTowers(init: string[]): Towers {
  const on = new Map<string, string>(); // below -> above
  const bottoms: string[] = [];
  for (const f of init) {
    const [p, x, y] = f.split(' ');
    if (p === 'on') on.set(y!, x!);
    else if (p === 'ontable') bottoms.push(x!);
  }
  return bottoms.sort().map((b) => {
    const t = [b];
    while (on.has(t[t.length - 1]!)) t.push(on.get(t[t.length - 1]!)!);
    return t;
  });
}

function goalChains(goal: string[]): Towers {
  const above = new Map<string, string>();
  const hasBelow = new Set<string>();
  for (const g of goal) {
    const [, x, y] = g.split(' ');
    above.set(y!, x!);
    hasBelow.add(x!);
  }
  return [...above.keys()]
    .filter((b) => !hasBelow.has(b))
    .sort()
    .map((b) => {
      const t = [b];
      while (above.has(t[t.length - 1]!)) t.push(above.get(t[t.length - 1]!)!);
      return t;
    });
}

/**
 * Unstack every tower to the table, then build each goal chain bottom-up. The worked text repeats
 * the question's clauses in order, each followed by its moves ("red is on green, so unstack red
 * green, put-down red."), so writing it is a walk through the question, one clause at a time, and
 * every move copies colours from its own clause.
 */
function solvePlan(data: BlocksData, dropTop = -1): { plan: string[]; text: string } {
  const down: string[] = [];
  const start: string[] = [];
  currentTowers(data.init).forEach((t, ti) => {
    const top = [...t].reverse();
    top.forEach((b, i) => {
      // A slip misreads the start: the top block of tower `dropTop` is taken to be on the table.
      const below = ti === dropTop && i === 0 ? null : (top[i + 1] ?? null);
      if (below === null) {
        start.push(`${clause(b, null)}.`);
        return;
      }
      const moves = [`unstack ${colour(b)} ${colour(below)}`, `put-down ${colour(b)}`];
      start.push(`${clause(b, below)}, so ${moves.join(', ')}.`);
      down.push(...moves);
    });
  });
  const up: string[] = [];
  const build: string[] = [];
  for (const c of goalClauses(data.goal)) {
    const moves = [`pick-up ${colour(c.block)}`, `stack ${colour(c.block)} ${colour(c.below)}`];
    build.push(`${clause(c.block, c.below)}, so ${moves.join(', ')}.`);
    up.push(...moves);
  }
  return { plan: [...down, ...up], text: `Start: ${start.join(' ')} Goal: ${build.join(' ')}` };
}

function solve(problem: Problem, rng: Rng): SolverTrace {
  const data = problem.data as BlocksData;
  const right = solvePlan(data);
  const tall = currentTowers(data.init).map((t, i) => (t.length > 1 ? i : -1)).filter((i) => i >= 0);
  const wrong = tall.length ? solvePlan(data, rng.pick(tall)) : null;
  const wrongCheck = wrong ? checkPlan(data.init, data.goal, parsePlan(wrong.plan.join(', '), data.names)) : null;
  const slip = wrong && wrongCheck && !wrongCheck.valid ? wrong : null;
  return {
    // Naming the blocks in a fixed order makes each colour predictable from the one before it, so
    // training must tell the colours apart (otherwise their embeddings stay nearly identical).
    subTask: `Blocks ${data.blocks.map(colour).join(', ')}: unstack all towers, then build the goal towers bottom-up.`,
    thinking: right.text,
    wrongThinking: slip ? slip.text : null,
    wrongAnswer: slip ? slip.plan.join(', ') : null,
    reflection: right.text,
    doubleCheck: 'Each clause is read from the question in order.',
    doubleCheckFix: `A block was missed. ${right.text}`,
    reclarify: `reach this goal with legal moves: ${goalClauses(data.goal).map((g) => clause(g.block, g.below)).join(', ')}.`,
    answer: right.plan.join(', '),
  };
}

function verify(problem: Problem, output: string): Verdict {
  const data = problem.data as BlocksData;
  const extracted = lastBoxed(output);
  if (extracted === null) return { correct: false, extracted: null, reason: 'no \\boxed{} answer' };
  const r = checkPlan(data.init, data.goal, parsePlan(extracted, data.names));
  return { correct: r.valid, extracted, reason: r.reason };
}

/** Plan text of an output: the last \boxed{}, else a [PLAN] … [PLAN END] block, else the whole text. */
function planText(output: string): string {
  const boxed = lastBoxed(output);
  if (boxed !== null) return boxed;
  const m = /\[PLAN\]([\s\S]*?)(\[PLAN END\]|$)/i.exec(output);
  return m ? m[1]! : output;
}

function strings(row: Record<string, unknown>, field: string, ctx: RowContext): string[] {
  const v = row[field];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new JsonlError(ctx.file, ctx.line, field, v === undefined ? 'is missing' : 'must be an array of strings');
  return v as string[];
}

/** PlanBench Blocksworld rows (objects, object_names, init, goal, ground_truth_plan…). */
export const planbench: DatasetFamily = {
  name: 'blocksworld',
  description: 'PlanBench Blocksworld instances (4-operator STRIPS), plans checked by simulation.',
  fromRow(row, ctx) {
    const blocks = strings(row, 'objects', ctx);
    const init = strings(row, 'init', ctx);
    const goal = strings(row, 'goal', ctx);
    const names = row.object_names;
    if (names !== undefined && (typeof names !== 'object' || names === null || Object.values(names).some((x) => typeof x !== 'string')))
      throw new JsonlError(ctx.file, ctx.line, 'object_names', 'must map object ids to names');
    const gt = Array.isArray(row.ground_truth_plan) ? (row.ground_truth_plan as unknown[]).filter((x): x is string => typeof x === 'string') : [];
    const data: BlocksData = { blocks, init, goal, ...(names ? { names: names as Record<string, string> } : {}) };
    const question =
      typeof row.planbench_task1_query === 'string' && row.planbench_task1_query
        ? row.planbench_task1_query
        : `Blocks ${blocks.join(', ')}. Start: ${init.join('; ')}. Goal: ${goal.join('; ')}. Give a plan.`;
    return { id: typeof row.id === 'string' ? row.id : String(ctx.index), family: 'blocksworld', question, answer: gt.join(', '), data };
  },
  verify(problem, output) {
    try {
      const data = problem.data as BlocksData;
      const text = planText(output);
      const r = checkPlan(data.init, data.goal, parsePlan(text, data.names));
      return { correct: r.valid, extracted: text.trim().slice(0, 500), reason: r.reason };
    } catch (e) {
      return { correct: false, extracted: null, reason: `could not check the plan: ${(e as Error).message}` };
    }
  },
};

export const blocksworld: TaskFamily = {
  name: 'blocksworld',
  defaultDifficulty: 1,
  description: 'Blocksworld plans with 3-4 coloured blocks (4-operator STRIPS), checked by simulation.',
  generate,
  solve,
  verify,
};
