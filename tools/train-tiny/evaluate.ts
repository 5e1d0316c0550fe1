/**
 * Build-time: the trainer's own evaluation of the embedded models on the fixed held-out split,
 * through the real engine (onnxruntime-node) and the task verifiers of src/tasks.
 *   npx tsx tools/train-tiny/evaluate.ts [--count 80] [--samples 4] [--models tiny-a,tiny-b] [--out DIR]
 * Writes DIR/eval.json and refreshes the results table in models/README.md (between markers).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
    results[id]![fam] = { problems: count, greedy_boxed: r(boxed, count), greedy_pass1: r(pass, count), sampled_pass1: r(sPass, count * samples), sampled_boxed: r(sBoxed, count * samples), node_format: r(format, count), mean_tokens: Math.round(tokens / count) };
    console.log(id, fam, JSON.stringify(results[id]![fam]));
  }
  await engine.dispose();
}
const seconds = Math.round((performance.now() - t0) / 1000);
const report = { heldout_seed: HELDOUT_SEED, count, samples, temperature: 0.7, max_tokens: maxTokens, seconds, results };
writeFileSync(join(outDir, 'eval.json'), JSON.stringify(report, null, 2) + '\n');

// Refresh the table in models/README.md.
const readme = modelsDir ? join(modelsDir, 'README.md') : 'models/README.md';
if (existsSync(readme)) {
  const lines = ['| model | family | greedy \\boxed{} | greedy pass@1 | pass@1 (T=0.7) | node format | mean tokens |', '|---|---|---|---|---|---|---|'];
  for (const [id, fams] of Object.entries(results))
    for (const [fam, x] of Object.entries(fams))
      lines.push(`| ${id} | ${fam} | ${(x.greedy_boxed * 100).toFixed(0)}% | ${(x.greedy_pass1 * 100).toFixed(0)}% | ${(x.sampled_pass1 * 100).toFixed(1)}% | ${(x.node_format * 100).toFixed(0)}% | ${x.mean_tokens} |`);
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- eval:start -->';
  const end = '<!-- eval:end -->';
  if (text.includes(start) && text.includes(end)) {
    const table = `${start}\n${lines.join('\n')}\n\n${count} held-out problems per family (seed ${HELDOUT_SEED}), ${samples} samples each at T=0.7, max ${maxTokens} tokens; evaluated in ${seconds} s.\n${end}`;
    writeFileSync(readme, text.slice(0, text.indexOf(start)) + table + text.slice(text.indexOf(end) + end.length));
  }
}
console.log(`evaluation done in ${seconds}s → ${join(outDir, 'eval.json')}`);
