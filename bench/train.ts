/**
 * Training throughput of one sigmoid-DPO step (8 pairs = 16 sequences of 160-330 tokens) on tiny-a:
 * the lab's jax-js trainer (wasm, Node; one thread and every core, each in its own process, with
 * the micro-batch shape `lab train` uses) vs the PyTorch anchor (bench/train-dpo-torch.py,
 * tools/train-tiny's model, fp32, one batch of 16 rows) on the same token batch, side by side in one run.
 *   npx tsx bench/train.ts [--steps 5] [--model tiny-a] [--threads N]
 * Needs Debian's python3 with torch for the anchor (apt-get install python3-torch libopenblas0-pthread;
 * /usr/bin/python3 is used when present, so a pyenv python3 on PATH does not hide it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelFolder } from '../src/cli/checkpoints.js';
import { useJaxThreads } from '../src/cli/jax-threads.js';
import { Rng } from '../src/core/rng.js';
import { MODELS_DIR } from '../src/engines/ort/node.js';
import { ChatTokenizer } from '../src/engines/ort/tokenizer.js';
import { fixedShape, packRows, type DpoExample } from '../src/train/batch.js';
import { readHfWeights } from '../src/train/onnx-weights.js';

const args = process.argv.slice(2);
const flag = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1]! : d);
const steps = Number(flag('steps', '5'));
const id = flag('model', 'tiny-a');
const child = args.includes('--child');
const threads = Number(flag('threads', String(availableParallelism())));

// Before jax-js loads: it sizes its worker pool on import (src/cli/jax-threads.ts).
if (child) useJaxThreads(threads);
const { defaultDevice, init } = await import('@jax-js/jax');
const { modelConfig } = await import('../src/train/model.js');
const { DEFAULT_SETTINGS, JaxTrainer, prepareReference } = await import('../src/train/trainer.js');
await init('wasm');
defaultDevice('wasm');
const files = readModelFolder(join(MODELS_DIR, id));
const cfg = modelConfig(files.config);
const tok = new ChatTokenizer(files.tokenizer, files.tokenizerConfig, files.generationConfig);
const rng = new Rng('bench-train');
const pairs: DpoExample[] = Array.from({ length: 8 }, (_, i) => {
  const prompt = tok.encode(tok.prompt([{ role: 'user', content: `How many times does the letter "r" appear in "strawberry${i}"?` }]));
  const shared = Array.from({ length: 40 }, () => rng.int(256));
  const tail = () => Array.from({ length: 90 + rng.int(160) }, () => rng.int(256));
  return { kind: 'dpo', source: `bench:${i}`, prompt, chosen: [...shared, ...tail()], rejected: [...shared, ...tail()], commonPrefix: 40 };
});
const seqs = [...pairs, ...pairs].map((p, i) => ({ prompt: p.prompt, completion: i < 8 ? p.chosen : p.rejected, skip: 0, source: p.source }));
const packed = packRows(seqs, tok.padId, cfg.maxPositions);
const tokens = seqs.reduce((a, s) => a + s.prompt.length + s.completion.length, 0);

/** One jax-js run in this process (child mode): tokens/s over the timed steps. */
async function jaxRun(): Promise<{ tok_s: number; step_s: number; T: number; micro: number }> {
  const shape = fixedShape(pairs, 8, cfg.heads, cfg.maxPositions);
  const tr = new JaxTrainer(cfg, readHfWeights(files.onnx), { ...DEFAULT_SETTINGS, microBatch: 8, steps: steps + 2, fixedLength: shape.T }, tok.padId);
  await prepareReference(tr, pairs);
  const times: number[] = [];
  for (let s = 0; s < steps + 2; s++) {
    const t0 = performance.now();
    await tr.step(pairs);
    times.push(performance.now() - t0);
  }
  tr.dispose();
  const timed = times.slice(2).reduce((a, b) => a + b, 0) / 1000;
  return { tok_s: (tokens * (times.length - 2)) / timed, step_s: timed / (times.length - 2), T: shape.T, micro: shape.examples };
}
if (child) {
  console.log(JSON.stringify(await jaxRun()));
  process.exit(0);
}
// Each thread count in a fresh process: jax-js fixes its worker pool when it starts.
const jax = (n: number) => JSON.parse(execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, '--child', '--threads', String(n), '--steps', String(steps), '--model', id], { encoding: 'utf8' }).trim().split('\n').pop()!) as Awaited<ReturnType<typeof jaxRun>>;
const j1 = jax(1);
const jN = threads > 1 ? jax(threads) : j1;

const dir = mkdtempSync(join(tmpdir(), 'bench-train-'));
const batchFile = join(dir, 'batch.json');
const rows = (a: ArrayLike<number>) => Array.from({ length: packed.N }, (_, i) => Array.from(a).slice(i * packed.T, (i + 1) * packed.T));
writeFileSync(batchFile, JSON.stringify({ ids: rows(packed.ids), mask: rows(packed.mask), tokens }));
const torch = (threads: number) => JSON.parse(execFileSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['bench/train-dpo-torch.py', '--batch', batchFile, '--steps', String(steps), '--threads', String(threads), '--model', id], { encoding: 'utf8' }).trim().split('\n').pop()!) as { tok_s: number; step_s: number; torch: string };
const t1 = torch(1);
const t2 = torch(2);
const best = t1.tok_s >= t2.tok_s ? t1 : t2;
console.log(`${id}: one sigmoid-DPO step, 8 pairs (16 rows of up to ${packed.T} tokens, ${tokens} real tokens), ${steps} timed steps after 2 warm-up`);
console.log(`  jax-js micro-batches as lab train makes them: ${j1.micro} pairs x 2 rows x ${j1.T} tokens; PyTorch: one batch of 16 x ${packed.T}`);
console.log(`  jax-js 0.1.25 wasm, Node, 1 thread       ${j1.tok_s.toFixed(0).padStart(6)} tok/s  (${j1.step_s.toFixed(2)} s/step)`);
if (threads > 1) console.log(`  jax-js 0.1.25 wasm, Node, ${threads} threads      ${jN.tok_s.toFixed(0).padStart(6)} tok/s  (${jN.step_s.toFixed(2)} s/step)`);
console.log(`  PyTorch ${t1.torch} fp32, 1 thread         ${t1.tok_s.toFixed(0).padStart(6)} tok/s  (${t1.step_s.toFixed(2)} s/step)`);
console.log(`  PyTorch ${t2.torch} fp32, 2 threads        ${t2.tok_s.toFixed(0).padStart(6)} tok/s  (${t2.step_s.toFixed(2)} s/step)`);
console.log(`  ratio jax-js / PyTorch: ${(j1.tok_s / t1.tok_s).toFixed(2)}x (1 thread each); ${(jN.tok_s / best.tok_s).toFixed(2)}x (each at its best: jax-js ${threads} threads, PyTorch ${best === t1 ? 1 : 2}); target >= 0.5x`);
