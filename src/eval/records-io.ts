/**
 * Checks for saved evaluation records (what `lab eval --out` writes and an `eval` run saves): a
 * per-problem record with its samples, and a summary. Each problem is reported through `fail`
 * with the field's path, so callers name the file and record. Pure: no DOM, no Node.
 */
import type { ProblemRecord, TestNSummary } from './testn.js';

export type Fail = (field: string, why: string) => never;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

/** A ProblemRecord: id/question/answer strings, n samples, `correct` = the correct samples. */
export function checkProblemRecord(value: unknown, fail: Fail, at = ''): ProblemRecord {
  const f = (field: string) => (at ? `${at}.${field}` : field);
  if (!isObj(value)) fail(at, 'must be an object');
  const r = value as Record<string, unknown>;
  for (const k of ['id', 'question', 'answer'] as const) if (typeof r[k] !== 'string') fail(f(k), 'must be a string');
  if (!count(r.n) || (r.n as number) < 1) fail(f('n'), 'must be a whole number ≥ 1');
  if (!Array.isArray(r.samples) || r.samples.length !== r.n) fail(f('samples'), `must be a list of n = ${String(r.n)} samples`);
  (r.samples as unknown[]).forEach((s, i) => {
    const at2 = f(`samples[${i}]`);
    if (!isObj(s)) fail(at2, 'must be an object');
    if (typeof s.text !== 'string') fail(`${at2}.text`, 'must be a string');
    if (!count(s.tokens)) fail(`${at2}.tokens`, 'must be a whole number ≥ 0');
    for (const k of ['correct', 'answered', 'truncated'] as const) if (typeof s[k] !== 'boolean') fail(`${at2}.${k}`, 'must be true or false');
    if (s.extracted !== null && typeof s.extracted !== 'string') fail(`${at2}.extracted`, 'must be a string or null');
    if (s.reason !== undefined && typeof s.reason !== 'string') fail(`${at2}.reason`, 'must be a string (the verifier\'s reason)');
  });
  const correct = (r.samples as { correct: boolean }[]).filter((s) => s.correct).length;
  if (r.correct !== correct) fail(f('correct'), `must count the correct samples (${correct}), got ${JSON.stringify(r.correct)}`);
  return value as unknown as ProblemRecord;
}

/** A Test@N summary: every `test@k` a probability, the ratios and counts numbers. */
export function checkSummary(value: unknown, fail: Fail, at = ''): TestNSummary {
  const f = (field: string) => (at ? `${at}.${field}` : field);
  if (!isObj(value)) fail(at, 'must be an object');
  const s = value as Record<string, unknown>;
  const ks = Object.keys(s).filter((k) => /^test@\d+$/.test(k));
  if (!ks.length) fail(f('test@k'), 'is missing (no "test@1", "test@8", … field)');
  for (const k of [...ks, 'no_answer_ratio']) if (typeof s[k] !== 'number' || (s[k] as number) < 0 || (s[k] as number) > 1) fail(f(k), 'must be a number from 0 to 1');
  if (typeof s.mean_tokens !== 'number' || !Number.isFinite(s.mean_tokens)) fail(f('mean_tokens'), 'must be a number');
  return value as unknown as TestNSummary;
}
