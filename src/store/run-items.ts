/**
 * Validation of a run's items before they enter the store (import) or a view (start-up resume),
 * with the parsers the CLI uses for the same records: trees (`checkTree`), evaluation records
 * (`checkProblemRecord`, `checkSummary`). Errors name the file, the item and the field, e.g.
 * `run.json: items[3] (tree): field "nodes[2].text": must be a string`.
 */
import { checkNode, checkTree } from '../data/trees-io.js';
import { checkProblemRecord, checkSummary } from '../eval/records-io.js';
import type { RunKind } from './db.js';
import { validatePattern } from '../mcts/patterns.js';

type Fail = (field: string, why: string) => never;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkSpec(p: unknown, fail: Fail): void {
  if (!isObj(p)) fail('', 'must be an object');
  const s = p as Record<string, unknown>;
  if (!isObj(s.problem) || typeof s.problem.family !== 'string') fail('problem.family', 'must be a string');
  if (typeof s.pattern !== 'string') fail('pattern', 'must be a string');
  if (s.customPattern !== undefined) {
    try {
      validatePattern(s.customPattern, 'customPattern');
    } catch (e) {
      fail('customPattern', (e as Error).message.replace(/^customPattern: /, ''));
    }
  }
  for (const k of ['rollouts', 'seed', 'c'] as const) if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) fail(k, 'must be a number');
}

function checkEvent(p: unknown, fail: Fail): void {
  if (!isObj(p)) fail('', 'must be an object');
  if (!Number.isInteger(p.index) || (p.index as number) < 0) fail('index', 'must be a whole number ≥ 0');
  if (!isObj(p.event) || typeof p.event.type !== 'string') fail('event.type', 'must be a string');
  if (!Array.isArray(p.nodes)) fail('nodes', 'must be an array');
  (p.nodes as unknown[]).forEach((n, i) => checkNode(n, `nodes[${i}]`, fail));
}

function checkEvalProblem(p: unknown, fail: Fail): void {
  if (!isObj(p)) fail('', 'must be an object');
  for (const k of ['run', 'model'] as const) if (typeof p[k] !== 'string') fail(k, 'must be a string');
  checkProblemRecord(p.record, fail, 'record');
}

function checkEvalSummary(p: unknown, fail: Fail): void {
  if (!isObj(p)) fail('', 'must be an object');
  for (const k of ['run', 'model'] as const) if (typeof p[k] !== 'string') fail(k, 'must be a string');
  if (!Array.isArray(p.ks) || !p.ks.every((k) => Number.isInteger(k) && (k as number) >= 1)) fail('ks', 'must be a list of whole numbers ≥ 1');
  checkSummary(p.summary, fail, 'summary');
}

/**
 * Item checkers per run kind. The app writes `search` and `eval` runs; `data` and `scores` runs
 * have no item types of their own yet, so their items are refused rather than stored unchecked.
 */
const CHECKS: Record<RunKind, Record<string, (p: unknown, fail: Fail) => void>> = {
  search: { spec: checkSpec, event: checkEvent, tree: (p, fail) => void checkTree(p, fail) },
  eval: { problem: checkEvalProblem, summary: checkEvalSummary },
  data: {},
  scores: {},
};

export class RunItemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunItemError';
  }
}

/** Throw a RunItemError naming `file`, the item and the field of the first bad item. */
export function validateRunItems(kind: RunKind, items: readonly { type: string; payload: unknown }[], file: string): void {
  const checks = CHECKS[kind];
  items.forEach((it, i) => {
    const check = checks[it.type];
    if (!check) {
      const known = Object.keys(checks);
      throw new RunItemError(`${file}: items[${i}]: field "type": "${it.type}" is not an item of a ${kind} run${known.length ? ` (expected ${known.join(', ')})` : ''}`);
    }
    check(it.payload, (field, why) => {
      throw new RunItemError(`${file}: items[${i}] (${it.type}): ${field ? `field "${field}": ` : ''}${why}`);
    });
  });
}
