/**
 * `lab mcts --resume` keeps an earlier run's trees only when they belong to this run: checkResume
 * (same settings, same task, one of this run's problems, once each) on hand-written tree records,
 * and JsonlAppender's reading of the earlier file (only an unfinished *last* line is dropped; a
 * refusal writes nothing). The CLI end of both is in cli-mcts-out.test.ts.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlAppender, type KeptRecord } from '../../src/cli/atomic-write.js';
import { checkResume } from '../../src/cli/mcts-resume.js';
import type { Problem } from '../../src/tasks/types.js';

/** The config a tree of `lab mcts --task letters --seed 7 --model tiny-a --rollouts 4` records (copied from such a file). */
const CONFIG = {
  pattern: 'reclarify-double-check', c: 1.4, rollouts: 4, maxDepth: 8, seed: 7, temperature: 0.8, maxNodeTokens: 160, reward: 'verifier',
  think: 'tiny-a', reflect: 'tiny-a', roleModels: { Reflection: 'reflect', 'Double-Check': 'reflect' }, backends: { think: 'ort', reflect: 'ort' },
};
const PROBLEMS: Problem[] = [
  { id: 'letters-s7-0', family: 'letters', question: 'How many "m" are there in "Cobgem"?', answer: '1' },
  { id: 'letters-s7-1', family: 'letters', question: 'How many "a" are there in "banana"?', answer: '3' },
];

/** A minimal tree@1 record of problem `p` searched with `config`. */
function tree(p: Problem, config: Record<string, unknown> = CONFIG): Record<string, unknown> {
  return {
    schema: 'reasoning-lab/tree@1', id: `${p.id}:x:7`, task: { family: p.family, problemId: p.id, question: p.question, answer: p.answer }, config,
    nodes: [{ id: 0, parent: null, role: 'root', text: p.question, model: '', tokens: 0, visits: 1, value: 0, verdict: null, depth: 0, iteration: 0, children: [] }], events: [], stats: {},
  };
}
const kept = (...values: Record<string, unknown>[]): KeptRecord[] => values.map((value, i) => ({ line: i + 1, value }));
const run = (expected: Record<string, unknown> = CONFIG) => ({ task: 'letters', expected: () => expected, problems: PROBLEMS });
const check = (k: KeptRecord[], r = run()) => () => checkResume(k, 'trees.jsonl.partial', r);

describe('checkResume', () => {
  it('keeps trees of the same settings and problems, and returns their problem ids', () => {
    expect([...checkResume(kept(tree(PROBLEMS[0]!), tree(PROBLEMS[1]!)), 'f', run())]).toEqual(['letters-s7-0', 'letters-s7-1']);
    // Key order inside the settings does not matter.
    expect([...checkResume(kept(tree(PROBLEMS[0]!, { ...CONFIG, roleModels: { 'Double-Check': 'reflect', Reflection: 'reflect' } })), 'f', run())]).toEqual(['letters-s7-0']);
    // Trees written before the backends were recorded are still accepted.
    const { backends: _b, ...older } = CONFIG;
    expect([...checkResume(kept(tree(PROBLEMS[0]!, older)), 'f', run())]).toEqual(['letters-s7-0']);
  });

  it('refuses trees searched with other settings, naming the file, line, problem and the differing flag', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ rollouts: 16 }, /trees\.jsonl\.partial:1 \(problem letters-s7-0\) was searched with --rollouts 4, this run asks for --rollouts 16/],
      [{ temperature: 0 }, /searched with --temperature 0\.8, this run asks for --temperature 0\b/],
      [{ seed: 8 }, /searched with --seed 7, this run asks for --seed 8/],
      [{ c: 2 }, /searched with --c 1\.4, this run asks for --c 2/],
      [{ maxDepth: 6 }, /searched with --max-depth 8, this run asks for --max-depth 6/],
      [{ reward: 'mix', mixWeight: 0.5 }, /searched with --reward verifier, this run asks for --reward mix/],
      [{ think: 'tiny-b' }, /searched with --model tiny-a, this run asks for --model tiny-b/],
      [{ reflect: 'tiny-b' }, /searched with --reflect-model tiny-a, this run asks for --reflect-model tiny-b/],
      [{ pattern: 'double-check' }, /searched with --pattern reclarify-double-check, this run asks for --pattern double-check/],
      [{ targetCorrect: 2 }, /searched with no --target-correct, this run asks for --target-correct 2/],
      [{ backends: { think: 'openai', reflect: 'openai' } }, /searched with --engine ort, this run asks for --engine openai/],
      [{ maxNodeTokens: 96 }, /searched with maxNodeTokens 160 \(not a flag of lab mcts\), this run asks for maxNodeTokens 96/],
    ];
    for (const [change, message] of cases) expect(check(kept(tree(PROBLEMS[0]!)), run({ ...CONFIG, ...change })), JSON.stringify(change)).toThrow(message);
    // A setting the tree has and this run has not (a token budget of an earlier run).
    expect(check(kept(tree(PROBLEMS[0]!, { ...CONFIG, tokenBudget: 500 })))).toThrow(/searched with tokenBudget 500 \(not a flag of lab mcts\), this run asks for no tokenBudget/);
    // With --pattern random the pattern is drawn from the seed: the seed is the setting to name.
    expect(check(kept(tree(PROBLEMS[0]!)), run({ ...CONFIG, seed: 8, pattern: 'double-check' }))).toThrow(/--seed 7, this run asks for --seed 8/);
    // The second tree differs: its line is named.
    expect(check(kept(tree(PROBLEMS[0]!), tree(PROBLEMS[1]!, { ...CONFIG, rollouts: 5 })))).toThrow(/partial:2 \(problem letters-s7-1\) was searched with --rollouts 5, this run asks for --rollouts 4/);
  });

  it('refuses trees of another task, of problems this run does not have, of another problem under the same id, or twice the same problem', () => {
    const other: Problem = { id: 'arithmetic-s7-0', family: 'arithmetic', question: 'What is 2 + 2?', answer: '4' };
    expect(check(kept(tree(other)))).toThrow(/was searched for --task arithmetic, this run asks for --task letters/);
    expect(check(kept(tree({ ...PROBLEMS[0]!, id: 'letters-s7-5' })))).toThrow(/holds a tree of problem letters-s7-5, which this run does not have/);
    expect(check(kept(tree({ ...PROBLEMS[0]!, question: 'How many "b" are there in "Cobgem"?' })))).toThrow(/another problem with the id letters-s7-0 \(another question/);
    expect(check(kept(tree({ ...PROBLEMS[0]!, answer: '2' })))).toThrow(/another problem with the id letters-s7-0 \(another reference answer/);
    expect(check(kept(tree(PROBLEMS[0]!), tree(PROBLEMS[0]!)))).toThrow(/partial:2 holds a second tree of problem letters-s7-0 \(the first is on line 1\)/);
    expect(check(kept({ id: 'x', task: { problemId: 'letters-s7-0' } }))).toThrow(/partial:1 is not a tree of lab mcts \(schema must be/);
    const noId = tree(PROBLEMS[0]!);
    delete (noId.task as Record<string, unknown>).problemId;
    expect(check(kept(noId))).toThrow(/is not a tree of lab mcts \(task\.problemId is missing\)/);
  });
});

describe('JsonlAppender with resume', () => {
  const line = (p: Problem) => JSON.stringify(tree(p));

  it('drops an unfinished last line (and only that), keeping the records before it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-resume-'));
    const out = join(dir, 't.jsonl');
    const whole = line(PROBLEMS[1]!);
    writeFileSync(`${out}.partial`, `${line(PROBLEMS[0]!)}\n${whole.slice(0, whole.length >> 1)}`);
    const sink = new JsonlAppender(out, { resume: true });
    expect(sink.kept.map((k) => k.line)).toEqual([1]);
    expect(sink.dropped).toHaveLength(1);
    expect(sink.dropped[0]).toMatch(/t\.jsonl\.partial:2: /);
    expect(readFileSync(`${out}.partial`, 'utf8')).toBe(`${line(PROBLEMS[0]!)}\n`);
    expect(sink.written).toBe(1);
  });

  it('refuses an unreadable line before the last one, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-resume-'));
    const out = join(dir, 't.jsonl');
    const text = `${line(PROBLEMS[0]!)}\n{"schema": "reasoning-lab/tr\n${line(PROBLEMS[1]!)}\n`;
    writeFileSync(out, text);
    expect(() => new JsonlAppender(out, { resume: true })).toThrow(/t\.jsonl:2: .*only the last line can be cut short by a crash/);
    expect(readdirSync(dir)).toEqual(['t.jsonl']);
    expect(readFileSync(out, 'utf8')).toBe(text);
  });

  it('a refusing check leaves the earlier file as it was and creates no FILE.partial', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-resume-'));
    const out = join(dir, 't.jsonl');
    const text = `${line(PROBLEMS[0]!)}\n`;
    writeFileSync(out, text);
    let seen: string | null = null;
    const refuse = (k: readonly KeptRecord[], from: string) => {
      seen = `${from} ${k.length}`;
      throw new Error('other settings');
    };
    expect(() => new JsonlAppender(out, { resume: true, check: refuse })).toThrow('other settings');
    expect(seen).toBe(`${out} 1`);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(readFileSync(out, 'utf8')).toBe(text);
  });
});
