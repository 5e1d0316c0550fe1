/**
 * Reasoning patterns as data (the paper's node-transfer matrix, Figure 2): from each role, which
 * child roles to expand and how many samples of each. `backtrack` names the ancestor role under
 * which a Reflection is attached after a wrong answer. User patterns load from JSON and are
 * validated with errors that name the field.
 */
import type { Rng } from '../core/rng.js';
import { isRole, ROLES, type Role } from './roles.js';

export interface ReasoningPattern {
  name: string;
  description: string;
  /** Role of the root's children. */
  start: Role;
  /** Samples of the start role under the root. */
  rootSamples: number;
  /** node-transfer matrix: role → { child role → samples }. Answer has no children. */
  next: Partial<Record<Role, Partial<Record<Role, number>>>>;
  /** After a wrong answer, a Reflection goes under the nearest ancestor with this role. */
  backtrack: Role;
}

/** The four flows of Figure 2. */
export const BUILTIN_PATTERNS: readonly ReasoningPattern[] = [
  {
    name: 'subtask-think-answer',
    description: 'Figure 2(a): Sub-Task → Thinking → Answer; Reflection after a wrong answer.',
    start: 'Sub-Task',
    rootSamples: 2,
    next: { 'Sub-Task': { Thinking: 2 }, Thinking: { Answer: 1 }, Reflection: { Answer: 1 } },
    backtrack: 'Thinking',
  },
  {
    name: 'subtask-hypothesis',
    description: 'Figure 2(b): Sub-Task → Hypothesis → Thinking → Answer.',
    start: 'Sub-Task',
    rootSamples: 2,
    next: { 'Sub-Task': { Hypothesis: 2 }, Hypothesis: { Thinking: 1 }, Thinking: { Answer: 1 }, Reflection: { Answer: 1 } },
    backtrack: 'Thinking',
  },
  {
    name: 'double-check',
    description: 'Figure 2(c): Sub-Task → Thinking → Double-Check → Answer.',
    start: 'Sub-Task',
    rootSamples: 2,
    next: { 'Sub-Task': { Thinking: 2 }, Thinking: { 'Double-Check': 1 }, 'Double-Check': { Answer: 1 }, Reflection: { Answer: 1 } },
    backtrack: 'Thinking',
  },
  {
    name: 'reclarify-double-check',
    description: 'Figure 2(d): Reclarify → Sub-Task → Thinking → Double-Check → Answer.',
    start: 'Reclarify',
    rootSamples: 1,
    next: { Reclarify: { 'Sub-Task': 2 }, 'Sub-Task': { Thinking: 2 }, Thinking: { 'Double-Check': 1 }, 'Double-Check': { Answer: 1 }, Reflection: { Answer: 1 } },
    backtrack: 'Thinking',
  },
];

/** A pattern by name, or the seeded choice among the built-ins (as the paper samples one per search). */
export function choosePattern(name: string | undefined, rng: Rng): ReasoningPattern {
  if (!name || name === 'random') return rng.pick(BUILTIN_PATTERNS);
  const p = BUILTIN_PATTERNS.find((x) => x.name === name);
  if (!p) throw new Error(`unknown pattern "${name}": choose one of ${BUILTIN_PATTERNS.map((x) => x.name).join(', ')}, "random", or a JSON file`);
  return p;
}

/**
 * A pattern file's text (what `lab mcts --pattern FILE.json` reads and the pattern editor exports
 * and imports): JSON, then `validatePattern`. Throws `source: …` naming the JSON error or field.
 */
export function parsePatternJson(text: string, source = 'pattern'): ReasoningPattern {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  return validatePattern(raw, source);
}

/** The pattern file text for a pattern (pretty JSON, fields in the order of ReasoningPattern). */
export function patternJson(p: ReasoningPattern): string {
  const { name, description, start, rootSamples, next, backtrack } = p;
  return `${JSON.stringify({ name, description, start, rootSamples, next, backtrack }, null, 2)}\n`;
}

/** Validate an untrusted pattern object; throws with the offending field named. */
export function validatePattern(raw: unknown, source = 'pattern'): ReasoningPattern {
  const fail = (field: string, why: string): never => {
    throw new Error(`${source}: field "${field}" ${why}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${source}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  if (typeof o.name !== 'string' || !o.name) fail('name', 'must be a non-empty string');
  if (!isRole(o.start)) fail('start', `must be one of ${ROLES.join(', ')}`);
  if (o.start === 'Answer') fail('start', 'cannot be Answer (the root needs at least one thought first)');
  const rootSamples = o.rootSamples ?? 1;
  if (!Number.isInteger(rootSamples) || (rootSamples as number) < 1 || (rootSamples as number) > 16) fail('rootSamples', 'must be an integer in 1..16');
  if (typeof o.next !== 'object' || o.next === null || Array.isArray(o.next)) fail('next', 'must be an object {role: {childRole: samples}}');
  const next = o.next as Record<string, unknown>;
  for (const [role, edges] of Object.entries(next)) {
    if (!isRole(role)) fail(`next.${role}`, `is not a role (roles: ${ROLES.join(', ')})`);
    if (typeof edges !== 'object' || edges === null || Array.isArray(edges)) fail(`next.${role}`, 'must be an object {childRole: samples}');
    if (role === 'Answer' && Object.keys(edges as object).length) fail('next.Answer', 'must be empty: Answer ends a path');
    for (const [child, n] of Object.entries(edges as Record<string, unknown>)) {
      if (!isRole(child)) fail(`next.${role}.${child}`, `is not a role (roles: ${ROLES.join(', ')})`);
      if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 16) fail(`next.${role}.${child}`, 'must be an integer number of samples in 1..16');
    }
  }
  if (!isRole(o.backtrack)) fail('backtrack', `must be one of ${ROLES.join(', ')}`);
  const p: ReasoningPattern = {
    name: o.name as string,
    description: typeof o.description === 'string' ? o.description : '',
    start: o.start as Role,
    rootSamples: rootSamples as number,
    next: next as ReasoningPattern['next'],
    backtrack: o.backtrack as Role,
  };
  // Every role reachable from start (and from Reflection, which backtracking adds) must reach Answer.
  const reach = (from: Role): Set<Role> => {
    const seen = new Set<Role>([from]);
    const stack = [from];
    while (stack.length) {
      for (const c of Object.keys(p.next[stack.pop()!] ?? {}) as Role[]) {
        if (seen.has(c)) continue;
        seen.add(c);
        stack.push(c);
      }
    }
    return seen;
  };
  if (!p.next.Reflection) fail('next.Reflection', 'is required: backtracking adds Reflection nodes, which must lead on to Answer');
  const reachable = new Set<Role>([...reach(p.start), ...reach('Reflection')]);
  if (!reach(p.start).has('Answer')) fail('next', `never reaches Answer from start role ${p.start}`);
  for (const r of reachable) {
    if (r === 'Answer') continue;
    if (!reach(r).has('Answer')) fail(`next.${r}`, `${r} cannot reach Answer (a cycle without an exit, or a dead end)`);
  }
  if (!reachable.has(p.backtrack)) fail('backtrack', `role ${p.backtrack} never occurs on a path of this pattern`);
  return p;
}
