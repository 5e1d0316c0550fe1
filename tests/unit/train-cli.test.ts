/**
 * `lab train` as a process, on pairs made by `lab mcts` + `lab extract` from the real tiny-a:
 * the checkpoint generates and scores through the usual commands, `lab score` of the checkpoint
 * agrees with the trainer's own metrics, --resume continues the run, bad input gets one line.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lab, labWith } from './lab-process.js';


const dir = mkdtempSync(join(tmpdir(), 'lab-train-'));
const trees = join(dir, 'trees.jsonl');
const dpo = join(dir, 'dpo.jsonl');
const sft = join(dir, 'sft.jsonl');
const ck = join(dir, 'checkpoints', 'ck');

beforeAll(async () => {
  const m = await lab('mcts', '--task', 'letters', '--count', '4', '--seed', '3', '--model', 'tiny-a', '--rollouts', '8', '--out', trees);
  expect(m.code, m.stderr).toBe(0);
  const x = await lab('extract', '--trees', trees, '--dpo', dpo, '--sft', sft);
  expect(x.code, x.stderr).toBe(0);
}, 300_000);

const metricsOf = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);

describe('lab train', () => {
  it('trains tiny-a on extracted pairs; the checkpoint generates, resumes, and lab score agrees with the trainer', async () => {
    const rows = readFileSync(dpo, 'utf8').trim().split('\n').length;
    expect(rows).toBeGreaterThan(1);
    const common = ['--model', 'tiny-a', '--dpo', dpo, '--out', ck, '--batch', String(rows), '--lr', '2e-4', '--seed', '5', '--json'];
    const t = await lab('train', ...common, '--steps', '2', '--threads', '2');
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/done: step 2\/2/);
    expect(t.stdout).toMatch(/jax-js wasm on 2 thread\(s\)/);
    for (const f of ['onnx/model.onnx', 'model.safetensors', 'optimizer.safetensors', 'trainer_state.json', 'metrics.jsonl', 'tokenizer.json', 'config.json']) expect(existsSync(join(ck, f)), f).toBe(true);
    const m = metricsOf(join(ck, 'metrics.jsonl'));
    expect(m.map((r) => r.step)).toEqual([1, 2]);
    expect(m[0]!.loss).toBeCloseTo(Math.log(2), 5);

    // A second run without --resume must not overwrite the checkpoint.
    const again = await lab('train', ...common, '--steps', '2');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a checkpoint: pass --resume/);

    // Step 3 of a resumed run reports the metrics of the step-2 weights on every pair (batch = all
    // rows), before its update: the same quantity `lab score` computes with onnxruntime.
    const r = await lab('train', ...common, '--steps', '3', '--resume');
    expect(r.code, r.stderr).toBe(0);
    const third = metricsOf(join(ck, 'metrics.jsonl')).find((x) => x.step === 3)!;
    // The checkpoint on disk is now step 3: score the step-2 weights by re-running steps 1-2 elsewhere.
    const ck2 = join(dir, 'ck2');
    expect((await lab('train', ...common.slice(0, 5), ck2, ...common.slice(6), '--steps', '2', '--threads', '1')).code).toBe(0);
    // jax-js split over two worker threads computes the same numbers as on one (tokens/s aside).
    const noRate = (rows: Record<string, number>[]) => rows.map(({ ['tokens/s']: _rate, ...rest }) => rest);
    expect(noRate(metricsOf(join(ck2, 'metrics.jsonl')))).toEqual(noRate(metricsOf(join(ck, 'metrics.jsonl')).slice(0, 2)));
    const s = await lab('score', '--policy', ck2, '--reference', 'tiny-a', '--pairs', dpo, '--beta', '0.1');
    expect(s.code, s.stderr).toBe(0);
    const scored = JSON.parse(s.stdout) as Record<string, number>;
    for (const k of ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'logps/chosen', 'logps/rejected']) expect(Math.abs(scored[k]! - third[k]!), k).toBeLessThan(2e-3 * Math.max(1, Math.abs(third[k]!)));
    expect(Math.abs(scored['rewards/margins']!)).toBeGreaterThan(0.01);

    // `lab models` lists the checkpoints under checkpoints/ of the working directory.
    const listed = await labWith({ cwd: dir }, 'models');
    expect(listed.stdout).toMatch(/checkpoints\/ck\s+ort\s+checkpoint\s+DPO \(sigmoid\) of tiny-a, step 3\/3/);
    const g = await lab('generate', '--model', ck, '--prompt', 'How many times does the letter "s" appear in "address"?', '--n', '1', '--max-tokens', '40');
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toMatch(/sample 0/);
  }, 600_000);

  it('trains SFT on extracted paths', async () => {
    const out = join(dir, 'sft-ck');
    const t = await lab('train', '--model', 'tiny-a', '--sft', sft, '--out', out, '--steps', '2', '--batch', '2', '--lr', '1e-4');
    expect(t.code, t.stderr).toBe(0);
    const m = metricsOf(join(out, 'metrics.jsonl'));
    expect(m[0]!.nll_loss).toBeGreaterThan(0);
    expect(m[0]!.loss).toBe(m[0]!.nll_loss);
    expect(m[0]).not.toHaveProperty('rewards/margins');
  }, 300_000);

  it('bad input gets one line naming the file, line, field or fix', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const same = join(dir, 'same.jsonl');
    writeFileSync(same, JSON.stringify({ prompt: 'q', chosen: 'a b', rejected: 'a c' }) + '\n' + JSON.stringify({ prompt: 'q', chosen: 'same', rejected: 'same' }) + '\n');
    const cases: [string[], RegExp][] = [
      [['--dpo', empty], /empty\.jsonl:1: the file is empty/],
      [['--dpo', same], /same\.jsonl:2: "chosen" and "rejected" are identical/],
      [['--dpo', sft], /sft\.jsonl:1: field "prompt"/],
      [['--sft', dpo], /dpo\.jsonl:1: field "messages": is missing: this looks like a DPO row/],
      [['--dpo', join(dir, 'nope.jsonl')], /cannot read .*nope\.jsonl/],
    ];
    for (const [args, re] of cases) {
      const r = await lab('train', '--model', 'tiny-a', ...args, '--out', join(dir, 'bad'), '--steps', '1');
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
    const notModel = await lab('train', '--model', dir, '--dpo', dpo, '--out', join(dir, 'bad'), '--steps', '1');
    expect(notModel.stderr).toMatch(/is not a model or checkpoint folder/);
    const usage = await lab('train', '--model', 'tiny-a', '--dpo', dpo, '--sft', sft, '--out', join(dir, 'bad'));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/exactly one of --sft FILE or --dpo FILE/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  }, 300_000);

  it('refuses pairs whose recorded token counts come from another tokenizer', async () => {
    // tiny-a and tiny-b happen to split this text alike, so write what another tokenizer would
    // record: a common prefix of a different length.
    const row = JSON.parse(readFileSync(dpo, 'utf8').split('\n')[0]!);
    row.meta.common_prefix_tokens += 5;
    const other = join(dir, 'dpo-other.jsonl');
    writeFileSync(other, JSON.stringify(row) + '\n');
    const r = await lab('train', '--model', 'tiny-a', '--dpo', other, '--out', join(dir, 'bad'), '--steps', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dpo-other\.jsonl:1: field "meta\.common_prefix_tokens" is \d+ but this model's tokenizer finds \d+.*re-run `lab extract --model/);
  }, 300_000);
});

describe('training data checks', () => {
  it('a row longer than the context names its line and the fix', async () => {
    const long = join(dir, 'long.jsonl');
    writeFileSync(long, JSON.stringify({ prompt: 'q', chosen: 'x '.repeat(1500), rejected: 'y '.repeat(1500) }) + '\n');
    const r = await lab('train', '--model', 'tiny-a', '--dpo', long, '--out', join(dir, 'bad'), '--steps', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/long\.jsonl:1: \d+ tokens exceed the model's context of 1024: shorten or drop the row/);
  }, 120_000);
});
