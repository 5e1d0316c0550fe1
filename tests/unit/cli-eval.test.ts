/**
 * `lab eval` as a real process on tiny-a: the `--csv` test@k column is each problem's unbiased
 * pass@k (checked against a count over every k-subset of the samples, not against passAtK), its
 * column means are the summary's Test@k, and `--out` keeps full precision, so the saved summary
 * recomputes exactly from the saved per-problem records.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { subsetPassAtK } from './subset-passk.js';

const run = promisify(execFile);

describe('lab eval --csv / --out', () => {
  it('prints the unbiased pass@k per problem and saves a summary that recomputes exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-eval-'));
    const file = join(dir, 'eval.json');
    const ks = [1, 2, 4];
    const { stdout } = await run('node', ['bin/lab.js', 'eval', '--task', 'letters', '--count', '8', '--seed', '3', '--model', 'tiny-a', '--n', '6', '--k', ks.join(','), '--temperature', '1', '--csv', '--out', file], { timeout: 120_000 });
    const [head, ...rows] = stdout.trim().split('\n');
    expect(head).toBe('run,problem,n,correct,test@1,test@2,test@4');
    expect(rows).toHaveLength(8);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    const cols = ks.map(() => [] as number[]);
    rows.forEach((line, i) => {
      const [, id, n, c, ...vals] = line.split(',');
      const rec = saved.problems[i];
      expect(id).toBe(rec.id);
      // The record's own count of correct samples, not the CSV's, drives the check.
      const correct = rec.samples.filter((s: { correct: boolean }) => s.correct).length;
      expect([Number(n), Number(c)]).toEqual([6, correct]);
      ks.forEach((k, j) => {
        expect(Number(vals[j])).toBeCloseTo(subsetPassAtK(6, correct, k), 12);
        cols[j]!.push(Number(vals[j]));
      });
    });
    // Some problem is neither all right nor all wrong, so the old 0/1 column would differ here.
    expect(rows.some((r) => /,0\.\d/.test(r))).toBe(true);
    ks.forEach((k, j) => {
      const mean = cols[j]!.reduce((a, b) => a + b, 0) / cols[j]!.length;
      const fromRecords = saved.problems.reduce((a: number, p: { samples: { correct: boolean }[] }) => a + subsetPassAtK(6, p.samples.filter((s) => s.correct).length, k), 0) / saved.problems.length;
      expect(Math.abs(saved.summary[`test@${k}`] - fromRecords)).toBeLessThan(1e-12);
      expect(Math.abs(mean - fromRecords)).toBeLessThan(1e-12);
    });
    const samples = saved.problems.flatMap((p: { samples: { answered: boolean; tokens: number }[] }) => p.samples);
    expect(Math.abs(saved.summary.no_answer_ratio - samples.filter((s: { answered: boolean }) => !s.answered).length / samples.length)).toBeLessThan(1e-12);
    expect(Math.abs(saved.summary.mean_tokens - samples.reduce((a: number, s: { tokens: number }) => a + s.tokens, 0) / samples.length)).toBeLessThan(1e-12);
  }, 180_000);
});
