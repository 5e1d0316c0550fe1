/**
 * MCTS invariants. The scripted engine below is a unit-test fake (it lives only here): it answers
 * each role deterministically from the seed so the search logic can be checked exactly; the real
 * engine is exercised in mcts-real.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { BUILTIN_PATTERNS, choosePattern, validatePattern } from '../../src/mcts/patterns.js';
import { bestAnswer, confidenceReward, runSearch } from '../../src/mcts/search.js';
import { pathTo } from '../../src/mcts/tree.js';
import { generateProblems, family } from '../../src/tasks/index.js';
import { scripted } from './scripted-engine.js';


const problem = generateProblems('letters', 1, 7)[0]!;
const task = family('letters');
const wrong = String(Number(problem.answer) + 1);

describe('patterns', () => {
  it('ships four valid flows and picks one with the seed', () => {
    expect(BUILTIN_PATTERNS).toHaveLength(4);
    for (const p of BUILTIN_PATTERNS) expect(validatePattern(JSON.parse(JSON.stringify(p)))).toEqual(p);
    expect(choosePattern(undefined, new Rng(1)).name).toBe(choosePattern('random', new Rng(1)).name);
  });

  it('rejects bad patterns naming the field', () => {
    const base = { name: 'x', start: 'Sub-Task', next: { 'Sub-Task': { Answer: 1 }, Reflection: { Answer: 1 } }, backtrack: 'Sub-Task' };
    expect(() => validatePattern(base)).not.toThrow();
    expect(() => validatePattern({ ...base, start: 'Musing' })).toThrow(/field "start"/);
    expect(() => validatePattern({ ...base, next: { 'Sub-Task': { Musing: 1 }, Reflection: { Answer: 1 } } })).toThrow(/next\.Sub-Task\.Musing/);
    expect(() => validatePattern({ ...base, next: { 'Sub-Task': { Thinking: 1 }, Thinking: { 'Sub-Task': 1 }, Reflection: { Answer: 1 } } })).toThrow(/never reaches Answer/);
    expect(() => validatePattern({ ...base, next: { 'Sub-Task': { Thinking: 1, Answer: 1 }, Thinking: { Thinking: 1 }, Reflection: { Answer: 1 } } })).toThrow(/next\.Thinking.*cannot reach Answer/);
    expect(() => validatePattern({ ...base, next: { 'Sub-Task': { Answer: 0 }, Reflection: { Answer: 1 } } })).toThrow(/samples/);
    expect(() => validatePattern({ ...base, backtrack: 'Hypothesis' })).toThrow(/field "backtrack"/);
    expect(() => validatePattern('nope')).toThrow(/JSON object/);
    expect(() => validatePattern({ ...base, next: { 'Sub-Task': { Answer: 1 } } })).toThrow(/next\.Reflection/);
  });
});

describe('pattern loading never crashes', () => {
  it('arbitrary JSON either validates or fails with a message naming the source', () => {
    const role = fc.constantFrom('Thinking', 'Sub-Task', 'Reflection', 'Hypothesis', 'Double-Check', 'Reclarify', 'Answer', 'Musing', '');
    const shaped = fc.record({ name: fc.string(), start: role, rootSamples: fc.integer({ min: -2, max: 20 }),
      next: fc.dictionary(role, fc.dictionary(role, fc.integer({ min: -1, max: 20 }))), backtrack: role },
      { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), shaped), (raw) => {
        try {
          const p = validatePattern(raw, 'user.json');
          expect(p.next.Reflection).toBeDefined();
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message).toMatch(/^user\.json: /);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('runSearch invariants', () => {
  const pattern = BUILTIN_PATTERNS[0]!;
  const run = (seed: number) => runSearch(problem, task, { think: scripted('A', [problem.answer, wrong]), reflect: scripted('B', [problem.answer]) }, { pattern, rollouts: 12, seed });

  it('same seed → same tree; visits and values are consistent', async () => {
    const a = await run(3);
    const b = await run(3);
    // Each tree keeps its own stats (only the wall-clock seconds may differ).
    const strip = (t: typeof a) => JSON.stringify({ ...t, stats: { ...t.stats, seconds: 0 } });
    expect(strip(b)).toBe(strip(a));
    expect(b.stats.rollouts).toBe(12);
    // And the comparison can fail: another seed grows another tree.
    expect(strip(await run(4))).not.toBe(strip(a));
    expect(a.nodes[0]!.visits).toBe(12);
    // A parent's visits equal the rollouts that went through it: the sum over its visited children.
    for (const n of a.nodes) {
      const kidVisits = n.children.reduce((s, c) => s + a.nodes[c]!.visits, 0);
      if (n.role !== 'Answer' && n.children.length) expect(n.visits).toBe(kidVisits);
    }
    // Values are means of back-propagated rewards.
    const sums = new Map<number, number[]>();
    for (const e of a.events) if (e.type === 'backprop') for (const id of e.path) sums.set(id, [...(sums.get(id) ?? []), e.reward]);
    for (const [id, rs] of sums) expect(a.nodes[id]!.value).toBeCloseTo(rs.reduce((x, y) => x + y, 0) / rs.length, 12);
  });

  it('after a wrong answer a Reflection by the reflect model goes under the configured ancestor', async () => {
    const t = await run(5);
    const backtracks = t.events.filter((e) => e.type === 'backtrack');
    const wrongs = t.events.filter((e) => e.type === 'evaluate' && !e.correct);
    expect(wrongs.length).toBeGreaterThan(0);
    expect(backtracks.length).toBe(wrongs.length);
    for (const b of backtracks) {
      if (b.type !== 'backtrack') continue;
      const refl = t.nodes[b.reflection]!;
      expect(refl.role).toBe('Reflection');
      expect(refl.model).toBe('B');
      expect(t.nodes[b.to]!.role).toBe(pattern.backtrack);
      expect(refl.parent).toBe(b.to);
      expect(pathTo(t.nodes, b.from)).toContain(b.to);
    }
    expect(t.nodes.some((n) => n.role === 'Answer' && n.verdict?.correct)).toBe(true);
    expect(bestAnswer(t)?.verdict?.correct).toBe(true);
  });

  it('respects the depth cap, the target and abort', async () => {
    const deep = await runSearch(problem, task, { think: scripted('A', [wrong]) }, { pattern: BUILTIN_PATTERNS[3]!, rollouts: 10, maxDepth: 3, seed: 1 });
    expect(Math.max(...deep.nodes.map((n) => n.depth))).toBeLessThanOrEqual(3);
    expect(deep.nodes.filter((n) => n.role === 'Answer').every((n) => n.depth <= 3)).toBe(true);
    const target = await runSearch(problem, task, { think: scripted('A', [problem.answer]) }, { pattern, rollouts: 50, targetCorrect: 2, seed: 1 });
    expect(target.stats.stoppedBy).toBe('target');
    const ctl = new AbortController();
    ctl.abort();
    const aborted = await runSearch(problem, task, { think: scripted('A', [wrong]) }, { pattern, rollouts: 5, seed: 1 }, { signal: ctl.signal });
    expect(aborted.stats.stoppedBy).toBe('abort');
  });

  it('confidence reward is the mean of p(token) / sum of top-5 p', () => {
    const lp = (x: number) => Math.log(x);
    const c = { logprobs: [{ id: 1, token: 'a', logprob: lp(0.5), top: [0.5, 0.25, 0.25].map((p, i) => ({ id: i, token: '', logprob: lp(p) })) }, { id: 2, token: 'b', logprob: lp(0.2), top: [0.6, 0.2].map((p, i) => ({ id: i, token: '', logprob: lp(p) })) }] };
    expect(confidenceReward(c)).toBeCloseTo((0.5 / 1 + 0.2 / 0.8) / 2, 12);
  });
});
