/**
 * `lab extract` and `lab score` as real processes on real trees (`lab mcts` with tiny-a thinking
 * and tiny-b reflecting): every DPO pair's chosen answer is right and its rejected answer wrong by
 * the task's own verifier, SFT rows are correct paths of the trees, `lab score` with the policy as
 * its own reference gives the closed-form loss ln 2, and bad input fails with file:line:field.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lab } from './lab-process.js';
import { family } from '../../src/tasks/index.js';


const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const lastContent = (v: { content: string }[] | string) => (typeof v === 'string' ? v : v[v.length - 1]!.content);

let dir: string;
let trees: { task: { question: string; answer: string; problemId: string; family: string } }[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-data-'));
  const r = await lab('mcts', '--task', 'letters', '--count', '3', '--seed', '7', '--model', 'tiny-a', '--reflect-model', 'tiny-b', '--rollouts', '12', '--out', join(dir, 't.jsonl'));
  expect(r.code).toBe(0);
  trees = lines(join(dir, 't.jsonl'));
}, 180_000);

describe('lab extract / lab score (processes)', () => {
  it('extracts SFT rows and DPO pairs that the verifier agrees with', async () => {
    const r = await lab('extract', '--trees', join(dir, 't.jsonl'), '--sft', join(dir, 's.jsonl'), '--dpo', join(dir, 'd.jsonl'));
    expect(r.code).toBe(0);
    const counts = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    const sft = lines(join(dir, 's.jsonl'));
    const dpo = lines(join(dir, 'd.jsonl'));
    expect(counts).toMatchObject({ trees: 3, sft: sft.length, dpo: dpo.length });
    expect(dpo.length).toBeGreaterThan(0);
    const verifier = family('letters');
    const problemOf = (question: string) => {
      const t = trees.find((x) => x.task.question === question);
      expect(t, question).toBeDefined();
      return { id: t!.task.problemId, family: 'letters' as const, question, answer: t!.task.answer };
    };
    for (const row of dpo) {
      const p = problemOf(lastContent(row.prompt));
      expect(verifier.verify(p, lastContent(row.chosen)).correct).toBe(true);
      expect(verifier.verify(p, lastContent(row.rejected)).correct).toBe(false);
      expect(lastContent(row.chosen)).not.toBe(lastContent(row.rejected));
    }
    for (const row of sft) {
      const user = row.messages.find((m: { role: string }) => m.role === 'user');
      const answer = row.messages.find((m: { role: string }) => m.role === 'assistant');
      expect(verifier.verify(problemOf(user.content), answer.content).correct).toBe(true);
    }
  }, 180_000);

  it('scores the pairs with the models: policy = reference gives ln 2; a bad line names file:line:field', async () => {
    const pairs = join(dir, 'd.jsonl');
    const n = lines(pairs).length;
    const self = await lab('score', '--policy', 'tiny-a', '--reference', 'tiny-a', '--pairs', pairs, '--loss', 'sigmoid', '--beta', '0.1');
    expect(self.stderr).toBe('');
    expect(self.code).toBe(0);
    const m = JSON.parse(self.stdout);
    expect(m.pairs).toBe(n);
    expect(m.dpo_loss).toBeCloseTo(Math.LN2, 12);
    expect(m['rewards/margins']).toBeCloseTo(0, 12);

    // The NLL term is the chosen completions' mean negative log-prob under the policy: positive.
    expect(m.nll_loss).toBeGreaterThan(0);
    expect(m['logps/chosen']).toBeLessThan(0);
    // tiny-b tokenizes differently from tiny-a, so per-token DPO between them is refused, by name.
    const other = await lab('score', '--policy', 'tiny-a', '--reference', 'tiny-b', '--pairs', pairs, '--loss', 'sigmoid', '--beta', '0.1');
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/policy and reference tokenize the completions differently/);

    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, readFileSync(pairs, 'utf8').trim().split('\n')[0] + '\n{"prompt": "q", "chosen": 3, "rejected": "x"}\n');
    const r = await lab('score', '--policy', 'tiny-a', '--reference', 'tiny-a', '--pairs', bad, '--loss', 'sigmoid', '--beta', '0.1');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${bad}:2: field "chosen"`);
    const badTrees = join(dir, 'bad-trees.jsonl');
    writeFileSync(badTrees, '{"schema":"reasoning-lab/tree@1","task":{"question":"q"},"nodes":[{"id":0,"role":"root","text":"q","parent":null,"visits":0,"value":0,"depth":0,"children":[]}]}\n{"schema":"nope"}\n');
    const e = await lab('extract', '--trees', badTrees, '--sft', join(dir, 'x.jsonl'));
    expect(e.code).not.toBe(0);
    expect(e.stderr).toContain(`${badTrees}:2: field "schema"`);
  }, 180_000);
});
