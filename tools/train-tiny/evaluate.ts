/**
 * Build-time: the trainer's own evaluation of the embedded models on the fixed held-out split,
 * through the real engine (onnxruntime-node) and the task verifiers of src/tasks.
 *   npx tsx tools/train-tiny/evaluate.ts [--count 80] [--samples 4] [--models tiny-a,tiny-b] [--out DIR]
 *       writes DIR/eval-<models>.json (run one process per model to use both cores)
 *   npx tsx tools/train-tiny/evaluate.ts --report [--out DIR]
 *       merges DIR/eval-*.json and DIR/<model>/train-log.json into DIR/eval.json and the tables of
 *       models/README.md and tools/train-tiny/README.md (between markers).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNodes } from '../../src/mcts/roles.js';
import { lastBoxed } from '../../src/tasks/answer.js';
import { FAMILIES, type FamilyName } from '../../src/tasks/index.js';
import { loadNodeEngine } from '../../src/engines/ort/node.js';
import { heldOutProblems, HELDOUT_SEED, MODELS } from './settings.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const count = Number(flag('count', '80'));
const samples = Number(flag('samples', '4'));
const modelIds = flag('models', MODELS.map((m) => m.id).join(',')).split(',');
const outDir = flag('out', 'tools/train-tiny/out');
const modelsDir = flag('models-dir', '');
const maxTokens = 400;

interface FamilyResult {
  problems: number;
  greedy_boxed: number;
  greedy_pass1: number;
  sampled_pass1: number;
  sampled_boxed: number;
  node_format: number;
  mean_tokens: number;
}

if (args.includes('--report')) {
  writeReport();
  process.exit(0);
}

const results: Record<string, Record<string, FamilyResult>> = {};
const t0 = performance.now();
for (const id of modelIds) {
  const engine = await loadNodeEngine(id, modelsDir ? { dir: join(modelsDir, id) } : {});
  results[id] = {};
  for (const fam of Object.keys(FAMILIES) as FamilyName[]) {
    const problems = heldOutProblems(fam, count);
    let boxed = 0, pass = 0, sPass = 0, sBoxed = 0, format = 0, tokens = 0;
    for (const p of problems) {
      const messages = [{ role: 'user' as const, content: p.question }];
      const [g] = await engine.generate({ messages, n: 1, temperature: 0, maxTokens });
      if (lastBoxed(g!.text) !== null) boxed++;
      if (FAMILIES[fam].verify(p, g!.text).correct) pass++;
      const nodes = parseNodes(g!.text);
      if (nodes.length >= 2 && nodes.every((n) => n.closed) && nodes[nodes.length - 1]!.role === 'Answer') format++;
      tokens += g!.tokens.length;
      const s = await engine.generate({ messages, n: samples, temperature: 0.7, seed: 1, maxTokens });
      for (const x of s) {
        if (FAMILIES[fam].verify(p, x.text).correct) sPass++;
        if (lastBoxed(x.text) !== null) sBoxed++;
      }
    }
    const r = (x: number, d: number) => Math.round((x / d) * 1000) / 1000;
    results[id]![fam] = { problems: count, greedy_boxed: r(boxed, count), greedy_pass1: r(pass, count),
      sampled_pass1: r(sPass, count * samples), sampled_boxed: r(sBoxed, count * samples), node_format: r(format,
      count), mean_tokens: Math.round(tokens / count) };
    console.log(id, fam, JSON.stringify(results[id]![fam]));
  }
  await engine.dispose();
}
const seconds = Math.round((performance.now() - t0) / 1000);
const report = { heldout_seed: HELDOUT_SEED, count, samples, temperature: 0.7, max_tokens: maxTokens, seconds, results };
writeFileSync(join(outDir, `eval-${modelIds.join('+')}.json`), JSON.stringify(report, null, 2) + '\n');

console.log(`evaluation done in ${seconds}s`);

function replaceBetween(file: string, tag: string, body: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const start = `<!-- ${tag}:start -->`;
  const end = `<!-- ${tag}:end -->`;
  if (!text.includes(start) || !text.includes(end)) return;
  writeFileSync(file, text.slice(0, text.indexOf(start)) + `${start}\n${body}\n${end}` + text.slice(text.indexOf(end) + end.length));
}

/** Merge per-model evaluations and training logs into eval.json and the README tables. */
function writeReport(): void {
  const parts = readdirSync(outDir).filter((f) => /^eval-.+\.json$/.test(f)).map((f) => JSON.parse(readFileSync(join(outDir, f), 'utf8')) as { count: number; samples: number; max_tokens: number; seconds: number; results: Record<string, Record<string, FamilyResult>> });
  if (parts.length === 0) throw new Error(`no ${outDir}/eval-*.json: run the evaluation first`);
  const results = Object.assign({}, ...parts.map((p) => p.results)) as Record<string, Record<string, FamilyResult>>;
  const first = parts[0]!;
  const evalSeconds = Math.max(...parts.map((p) => p.seconds));
  writeFileSync(join(outDir, 'eval.json'), JSON.stringify({ heldout_seed: HELDOUT_SEED, count: first.count, samples: first.samples, temperature: 0.7, max_tokens: first.max_tokens, seconds: evalSeconds, results }, null, 2) + '\n');
  const lines = ['| model | family | greedy \\boxed{} | greedy pass@1 | pass@1 (T=0.7) | node format | mean tokens |', '|---|---|---|---|---|---|---|'];
  for (const [id, fams] of Object.entries(results))
    for (const [fam, x] of Object.entries(fams))
      lines.push(`| ${id} | ${fam} | ${(x.greedy_boxed * 100).toFixed(0)}% | ${(x.greedy_pass1 * 100).toFixed(0)}% | ${(x.sampled_pass1 * 100).toFixed(1)}% | ${(x.node_format * 100).toFixed(0)}% | ${x.mean_tokens} |`);
  const evalText = `${lines.join('\n')}\n\n${first.count} held-out problems per family at default difficulty (fixed split, see tools/train-tiny/settings.ts), greedy and ${first.samples} samples each at T=0.7 (seed 1), max ${first.max_tokens} tokens, through onnxruntime-node; ${evalSeconds} s per model, both models side by side. "node format": every node closed and the last one an Answer.`;
  replaceBetween('models/README.md', 'eval', evalText);
  const timing = existsSync(join(outDir, 'timing.json')) ? (JSON.parse(readFileSync(join(outDir, 'timing.json'), 'utf8')) as Record<string, number>) : {};
  const logs = MODELS.map((m) => join(outDir, m.id, 'train-log.json')).filter(existsSync).map((f) => JSON.parse(readFileSync(f, 'utf8')) as { model: string; params: number; steps: number; batch: number; lr: number; seed: number; train_seconds: number; train_tokens: number; history: { step: number; loss: number; tok_per_s: number }[]; best_step?: number; valid?: { step: number; valid: Record<string, number>; smoothed?: Record<string, number>; score: number }[] });
  const trainLines = ['| model | params | steps × batch | tokens seen | final loss | tok/s | train time | shipped step (validation accuracy, averaged with the neighbouring validations) |', '|---|---|---|---|---|---|---|---|'];
  for (const l of logs) {
    const last = l.history[l.history.length - 1]!;
    const best = l.valid?.find((v) => v.step === l.best_step);
    const shipped = best ? `${best.step} (${Object.entries(best.smoothed ?? best.valid).map(([f, a]) => `${f} ${(a * 100).toFixed(0)}%`).join(', ')})` : `${l.steps}`;
    trainLines.push(`| ${l.model} | ${l.params.toLocaleString('en')} | ${l.steps} × ${l.batch} | ${(l.train_tokens / 1e6).toFixed(2)}M | ${last.loss} | ${last.tok_per_s} | ${(l.train_seconds / 60).toFixed(1)} min | ${shipped} |`);
  }
  const t = (k: string) => (timing[k] !== undefined ? `${(timing[k]! / 60).toFixed(1)} min` : 'n/a');
  const trainText = `${trainLines.join('\n')}\n\nWhole run (\`bash tools/train-tiny/train.sh\`): corpus ${t('corpus')}, training ${t('train')} (both models side by side, one thread each), evaluation ${t('eval')}; total ${t('total')} on the 2-core build machine.`;
  replaceBetween('models/README.md', 'train', trainText);
  replaceBetween('tools/train-tiny/README.md', 'train', `${trainText}\n\nHeld-out quality: see models/README.md.`);
  console.log(`report written: ${join(outDir, 'eval.json')}, models/README.md`);
}
