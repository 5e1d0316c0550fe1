/** Test@N: real engine on generated problems; the summary recomputes from records; diagnostics. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlError, parseJsonl, stringField } from '../../src/core/jsonl.js';
import { diagnose, endsInLoop, repetitionShare } from '../../src/eval/diagnostics.js';
import { compareTable, runTestN, summarise } from '../../src/eval/testn.js';
import type { OrtEngine } from '../../src/engines/ort/engine.js';
import { loadNodeEngine } from '../../src/engines/ort/node.js';
import { family, generateProblems } from '../../src/tasks/index.js';
import { subsetPassAtK } from './subset-passk.js';

let engine: OrtEngine;
beforeAll(async () => {
  engine = await loadNodeEngine('tiny-a');
});
afterAll(async () => engine.dispose());

describe('runTestN (tiny-a, letters)', () => {
  it('Test@k is monotone in k, recomputes from the records, and batched = sequential samples', async () => {
    const problems = generateProblems('letters', 6, 3);
    const cfg = { n: 6, ks: [1, 2, 4, 6], decode: 'sample' as const, temperature: 0.9, maxTokens: 200, seed: 5, bootstrap: 200 };
    const r = await runTestN(problems, family('letters'), { think: engine }, cfg);
    const vals = cfg.ks.map((k) => r.summary[`test@${k}`]!);
    for (let i = 1; i < vals.length; i++) expect(vals[i]!).toBeGreaterThanOrEqual(vals[i - 1]!);
    // Test@k against an independent count: for each problem, the share of k-subsets of its samples
    // (as verified by the task itself) that hold a correct one, averaged over problems.
    const verifier = family('letters');
    for (const k of cfg.ks) {
      const perProblem = r.problems.map((p, i) => subsetPassAtK(p.samples.length, p.samples.filter((smp) => verifier.verify(problems[i]!, smp.text).correct).length, k));
      expect(Math.abs(r.summary[`test@${k}`]! - perProblem.reduce((a, b) => a + b, 0) / perProblem.length)).toBeLessThan(1e-12);
    }
    // summarise() on the records alone gives the same summary (what a saved run is rebuilt from).
    expect(summarise(r.problems, cfg.ks, 'sample', 200, 5)).toEqual(r.summary);
    for (const p of r.problems) {
      expect(p.n).toBe(6);
      expect(p.correct).toBe(p.samples.filter((s) => s.correct).length);
      expect(new Set(p.samples.map((s) => s.id)).size).toBe(6);
    }
    for (const k of cfg.ks) {
      const [lo, hi] = r.summary.ci[`test@${k}`]!;
      expect(lo).toBeLessThanOrEqual(r.summary[`test@${k}`]!);
      expect(hi).toBeGreaterThanOrEqual(r.summary[`test@${k}`]!);
    }
    const seq = await runTestN(problems, family('letters'), { think: engine }, { ...cfg, sequential: true });
    expect(seq.problems.map((p) => p.samples.map((s) => s.text))).toEqual(r.problems.map((p) => p.samples.map((s) => s.text)));
    expect(compareTable([{ label: 'a', summary: r.summary }], cfg.ks)).toMatch(/\| a \| /);
  });

  it('MCTS decoding answers each sample with a blind search', async () => {
    const problems = generateProblems('letters', 2, 4);
    const r = await runTestN(problems, family('letters'), { think: engine }, { n: 2, ks: [1, 2], decode: 'mcts', temperature: 0.8, maxTokens: 200, seed: 1, mctsRollouts: 2, bootstrap: 50 });
    expect(r.problems).toHaveLength(2);
    for (const p of r.problems) for (const s of p.samples) expect(s.text).toMatch(/<Answer>|^$/);
    expect(r.summary.decode).toBe('mcts');
  });

  it('Stop during MCTS decoding rejects instead of scoring the partial tree', async () => {
    const problems = generateProblems('letters', 3, 9);
    const ctl = new AbortController();
    let calls = 0;
    // The real engine; Stop is pressed right after the third generate call returns, in the middle
    // of the first search, so the search itself sees the abort and returns its partial tree.
    const stopping = { ...engine, info: engine.info, tokenize: engine.tokenize.bind(engine), dispose: async () => {}, generate: async (req: Parameters<OrtEngine['generate']>[0], signal?: AbortSignal) => {
      const out = await engine.generate(req, signal);
      if (++calls === 3) ctl.abort();
      return out;
    } };
    const done: number[] = [];
    const run = runTestN(problems, family('letters'), { think: stopping }, { n: 2, ks: [1], decode: 'mcts', temperature: 0.8, maxTokens: 120, seed: 1, mctsRollouts: 3, bootstrap: 10 }, { signal: ctl.signal, onProblem: (d) => done.push(d) });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(done).toEqual([]);
  });

  it('rejects k larger than n', async () => {
    await expect(runTestN([], family('letters'), { think: engine }, { n: 2, ks: [4], decode: 'sample', temperature: 1, maxTokens: 10, seed: 0 })).rejects.toThrow(/k=4/);
  });
});

describe('diagnostics', () => {
  it('flag a crafted looping text and not a clean one', () => {
    const loop = '<Thinking>Let me count the letters again. ' + 'Wait, let me check the count. '.repeat(12);
    const d = diagnose(loop, 120);
    expect(d.loop).toBe(true);
    expect(d.flags).toEqual(expect.arrayContaining(['loop', 'repetitive', 'over-reflection', 'answerless']));
    const clean = diagnose('<Sub-Task>Firstly, I need to break down this task. Spell "strawberry".</Sub-Task><Thinking>s,t,r(1),a,w,b,e,r(2),r(3),y. Total: 3.</Thinking><Answer>The answer is: \\boxed{3}</Answer>', 90);
    expect(clean.flags).toEqual([]);
    expect(endsInLoop('abcdefgh'.repeat(2))).toBe(false);
    expect(repetitionShare('one two three four')).toBe(0);
  });
});

describe('JSONL input', () => {
  it('names file, line and field', () => {
    expect(() => parseJsonl('', 'x.jsonl')).toThrow(/x\.jsonl:1: the file is empty/);
    expect(() => parseJsonl('{"a":1}\n{oops}', 'x.jsonl')).toThrow(/x\.jsonl:2: not valid JSON/);
    expect(() => parseJsonl('[1,2]', 'x.jsonl')).toThrow(/x\.jsonl:1: each line must be a JSON object/);
    const rows = parseJsonl('\n{"question":"q"}\n', 'x.jsonl');
    expect(rows[0]!.line).toBe(2);
    expect(() => stringField(rows[0]!, 'answer', 'x.jsonl')).toThrow(JsonlError);
    expect(() => stringField(rows[0]!, 'answer', 'x.jsonl')).toThrow(/x\.jsonl:2: field "answer": is missing/);
    expect(() => parseJsonl('{"a":"' + 'x'.repeat(4 * 1024 * 1024 + 1) + '"}', 'big.jsonl')).toThrow(/big\.jsonl:1: line is \d+ characters long/);
  });
});
