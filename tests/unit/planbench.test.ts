/** PlanBench Blocksworld: gold plans valid (100%), broken plans rejected, `lab verify` output. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonl } from '../../src/core/jsonl.js';
import { planbench } from '../../src/tasks/blocksworld.js';

const FILE = new URL('../../../shared/data/blocksworld/planbench_public.jsonl', import.meta.url).pathname;
const present = existsSync(FILE);
if (!present) console.warn(`[planbench] ${FILE} is absent: skipping the PlanBench data cases`);

const row = {
  id: 'tiny',
  objects: ['a', 'b'],
  object_names: { a: 'red block', b: 'blue block' },
  init: ['clear b', 'on b a', 'ontable a', 'handempty'],
  goal: ['on a b'],
  ground_truth_plan: ['unstack b a', 'put-down b', 'pick-up a', 'stack a b'],
};
const ctx = { file: 'x.jsonl', line: 3, index: 2 };

describe('planbench family', () => {
  it('accepts id, colour and English phrasing; names the failing step', () => {
    const p = planbench.fromRow(row, ctx);
    expect(planbench.verify(p, '(unstack b a)\n(put-down b)\n(pick-up a)\n(stack a b)').correct).toBe(true);
    expect(planbench.verify(p, 'unstack the blue block from on top of the red block\nput down the blue block\npick up the red block\nstack the red block on top of the blue block').correct).toBe(true);
    expect(planbench.verify(p, '\\boxed{unstack blue red, put-down blue, pick-up red, stack red blue}').correct).toBe(true);
    const bad = planbench.verify(p, '(pick-up a)');
    expect(bad.correct).toBe(false);
    expect(bad.reason).toMatch(/step 1.*a is not clear/);
  });

  it('names file, line and field for malformed rows', () => {
    expect(() => planbench.fromRow({ ...row, init: 'on b a' }, ctx)).toThrow(/x\.jsonl:3: field "init": must be an array of strings/);
    expect(() => planbench.fromRow({ ...row, goal: undefined }, ctx)).toThrow(/field "goal": is missing/);
  });

  it('never throws on arbitrary output', () => {
    const p = planbench.fromRow(row, ctx);
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => typeof planbench.verify(p, s).correct === 'boolean'));
  });
});

describe.skipIf(!present)('PlanBench public data', () => {
  it('all ground-truth plans are valid and broken ones are rejected', () => {
    const rows = parseJsonl(readFileSync(FILE, 'utf8'), FILE);
    let valid = 0;
    let rejected = 0;
    rows.forEach((r, index) => {
      const p = planbench.fromRow(r.value, { file: FILE, line: r.line, index });
      const gt = r.value.ground_truth_plan as string[];
      if (planbench.verify(p, gt.map((a) => `(${a})`).join('\n')).correct) valid++;
      // Broken: drop the first action (its effects are needed by the rest) or stop one short.
      const broken = gt.length > 1 ? gt.slice(1) : [];
      if (!planbench.verify(p, broken.join(', ')).correct) rejected++;
    });
    expect(valid).toBe(rows.length);
    expect(rejected).toBe(rows.length);
  });

  it('lab verify prints one JSON line per row, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-verify-'));
    const rows = readFileSync(FILE, 'utf8').trim().split('\n').slice(0, 5).map((l) => JSON.parse(l) as Record<string, unknown>);
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, rows.map((r, i) => JSON.stringify({ ...r, response: i === 1 ? '(pick-up zz)' : r.ground_truth_plan_colors })).join('\n'));
    const { stdout } = await promisify(execFile)('node', ['bin/lab.js', 'verify', '--task', 'blocksworld', '--input', input]);
    const out = stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; correct: boolean });
    expect(out.map((o) => o.id)).toEqual(rows.map((r) => r.id));
    expect(out.map((o) => o.correct)).toEqual([true, false, true, true, true]);
    writeFileSync(input, JSON.stringify(rows[0]) + '\n');
    const err = await promisify(execFile)('node', ['bin/lab.js', 'verify', '--task', 'blocksworld', '--input', input]).catch((e: { stderr: string; code: number }) => e);
    expect((err as { code: number }).code).not.toBe(0);
    expect((err as { stderr: string }).stderr).toMatch(/in\.jsonl:1: field "response": is missing/);
  });
});
