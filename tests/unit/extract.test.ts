/**
 * Extraction invariants on search trees (built with a scripted unit-test engine so that correct and
 * incorrect answers are guaranteed), and the `lab logprobs` / `lab dpo-loss` CLIs against
 * ../shared/reference (skipped visibly when absent).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commonPrefixChars, dpoRecord, lengthBuckets, selectDpo, selectSft, treePaths } from '../../src/data/extract.js';
import { parseDpoRows, parseTrees } from '../../src/data/trees-io.js';
import { BUILTIN_PATTERNS } from '../../src/mcts/patterns.js';
import { runSearch } from '../../src/mcts/search.js';
import { family, generateProblems } from '../../src/tasks/index.js';
import { scripted } from './scripted-engine.js';


const task = family('letters');

async function trees() {
  const out = [];
  for (const p of generateProblems('letters', 3, 2)) {
    const wrong = String(Number(p.answer) + 1);
    out.push(await runSearch(p, task, { think: scripted('A', [p.answer, wrong, wrong], true), reflect: scripted('B', [p.answer], true) }, { pattern: BUILTIN_PATTERNS[2]!, rollouts: 12, seed: 4 }));
  }
  return out;
}

describe('extraction', () => {
  it('chosen is correct, rejected incorrect, the prefix is the real and minimal common prefix', async () => {
    const ts = await trees();
    let pairs = 0;
    for (const t of ts) {
      const paths = treePaths(t);
      const problem = generateProblems('letters', 3, 2).find((p) => p.id === t.task.problemId)!;
      for (const pair of selectDpo(paths)) {
        pairs++;
        expect(task.verify(problem, pair.chosen.text).correct).toBe(true);
        expect(task.verify(problem, pair.rejected.text).correct).toBe(false);
        expect(pair.commonPrefixChars).toBe(commonPrefixChars(pair.chosen.text, pair.rejected.text));
        expect(pair.chosen.text.slice(0, pair.commonPrefixChars)).toBe(pair.rejected.text.slice(0, pair.commonPrefixChars));
        for (const w of paths.filter((p) => !p.correct)) expect(commonPrefixChars(pair.chosen.text, w.text)).toBeGreaterThanOrEqual(pair.commonPrefixChars);
        const rec = dpoRecord(pair) as { chosen: { content: string }[]; meta: { length_bucket: string } };
        expect(rec.chosen[0]!.content).toBe(pair.chosen.text);
        expect(['short', 'medium', 'long']).toContain(rec.meta.length_bucket);
      }
      const longest = selectSft(paths, 'longest')[0];
      const shortest = selectSft(paths, 'shortest')[0];
      if (longest && shortest) expect(longest.tokens).toBeGreaterThanOrEqual(shortest.tokens);
      for (const p of selectSft(paths, 'all')) expect(p.correct).toBe(true);
    }
    expect(pairs).toBeGreaterThan(0);
    // Trees survive a JSONL round trip through the validated reader.
    const text = ts.map((t) => JSON.stringify(t)).join('\n');
    expect(parseTrees(text, 't.jsonl')).toEqual(JSON.parse(`[${ts.map((t) => JSON.stringify(t)).join(',')}]`));
  });

  it('buckets by relative length within a question', () => {
    const b = lengthBuckets([10, 20, 30, 40, 50, 60]);
    expect([10, 35, 60].map(b)).toEqual(['short', 'medium', 'long']);
    const scaled = lengthBuckets([1000, 2000, 3000, 4000, 5000, 6000]);
    expect([1000, 3500, 6000].map(scaled)).toEqual(['short', 'medium', 'long']);
  });

  it('rejects malformed tree and DPO files with file:line:field', () => {
    expect(() => parseTrees('{"schema":"nope"}', 't.jsonl')).toThrow(/t\.jsonl:1: field "schema"/);
    expect(() => parseTrees('{"schema":"reasoning-lab/tree@1","nodes":[{"id":1}],"task":{"question":"q"}}', 't.jsonl')).toThrow(/field "nodes\[0\]\.id"/);
    expect(() => parseDpoRows('{"prompt":"p","chosen":"c"}', 'd.jsonl')).toThrow(/d\.jsonl:1: field "rejected"/);
  });
});

const REF = new URL('../../../shared/reference/', import.meta.url).pathname;
const present = existsSync(REF + 'dpo_cases.json');
if (!present) console.warn(`[reference] ${REF} is absent: skipping lab logprobs / lab dpo-loss reference checks`);

describe.skipIf(!present)('lab logprobs and lab dpo-loss reproduce the reference', () => {
  const run = promisify(execFile);
  it('lab logprobs', async () => {
    const cases = JSON.parse(readFileSync(REF + 'logprob_cases.json', 'utf8')) as { input: Record<string, unknown>; expected: { id: string; token_logps: number[]; sum: number; count: number } }[];
    const dir = mkdtempSync(join(tmpdir(), 'lab-lp-'));
    writeFileSync(join(dir, 'in.jsonl'), cases.map((c) => JSON.stringify(c.input)).join('\n'));
    const { stdout } = await run('node', ['bin/lab.js', 'logprobs', '--input', join(dir, 'in.jsonl')], { maxBuffer: 64 << 20 });
    const rows = stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; token_logps: number[]; sum: number; count: number });
    expect(rows).toHaveLength(cases.length);
    rows.forEach((r, i) => {
      const e = cases[i]!.expected;
      expect(r.id).toBe(e.id);
      expect(r.count).toBe(e.count);
      expect(Math.abs(r.sum - e.sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e.sum)));
      r.token_logps.forEach((v, t) => expect(Math.abs(v - e.token_logps[t]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e.token_logps[t]!))));
    });
  });
  it('lab dpo-loss', async () => {
    const cases = JSON.parse(readFileSync(REF + 'dpo_cases.json', 'utf8')) as { args: { loss: string; beta: number; eps: number; alpha: number; mask_common_prefix: boolean }; pairs: unknown[]; expected: Record<string, number> }[];
    const dir = mkdtempSync(join(tmpdir(), 'lab-dpo-'));
    for (const c of cases.slice(0, 8)) {
      writeFileSync(join(dir, 'p.jsonl'), c.pairs.map((p) => JSON.stringify(p)).join('\n'));
      const a = c.args;
      const { stdout } = await run('node', ['bin/lab.js', 'dpo-loss', '--input', join(dir, 'p.jsonl'), '--loss', a.loss, '--beta', String(a.beta), '--eps', String(a.eps), '--alpha', String(a.alpha), ...(a.mask_common_prefix ? ['--mask-common-prefix'] : [])]);
      const m = JSON.parse(stdout) as Record<string, number>;
      for (const [k, v] of Object.entries(c.expected)) expect(Math.abs(m[k]! - v), `${a.loss} ${k}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
    }
  });
});
