/**
 * Test@8 on 50 letter problems with tiny-a: n = 8 samples per problem as one batch vs 8
 * one-by-one calls drawing the very same samples (firstIndex), measured side by side in one run.
 *   npx tsx bench/eval.ts [--count 50] [--model tiny-a]
 */
import { loadNodeEngine } from '../src/engines/ort/node.js';
import { runTestN } from '../src/eval/testn.js';
import { family, generateProblems } from '../src/tasks/index.js';

const args = process.argv.slice(2);
const flag = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1]! : d);
const count = Number(flag('count', '50'));
const model = flag('model', 'tiny-a');
const problems = generateProblems('letters', count, 3);
const engine = await loadNodeEngine(model, { cacheBytes: 0 });
const cfg = { n: 8, ks: [1, 8], decode: 'sample' as const, temperature: 0.7, maxTokens: 400, seed: 3, bootstrap: 200 };

let t = performance.now();
const batched = await runTestN(problems, family('letters'), { think: engine }, cfg);
const batchedS = (performance.now() - t) / 1000;
t = performance.now();
const seq = await runTestN(problems, family('letters'), { think: engine }, { ...cfg, sequential: true });
const seqS = (performance.now() - t) / 1000;
const same = JSON.stringify(batched.problems.map((p) => p.samples.map((s) => s.text))) === JSON.stringify(seq.problems.map((p) => p.samples.map((s) => s.text)));
const res = {
  model,
  problems: count,
  n: 8,
  'test@1': batched.summary['test@1'],
  'test@8': batched.summary['test@8'],
  no_answer_ratio: batched.summary.no_answer_ratio,
  batched_seconds: +batchedS.toFixed(2),
  sequential_seconds: +seqS.toFixed(2),
  speedup: +(seqS / batchedS).toFixed(2),
  identical_samples: same,
};
console.log(JSON.stringify(res, null, 2));
console.log(`\nTest@8 on ${count} letter problems: batched ${res.batched_seconds}s vs sequential ${res.sequential_seconds}s → ${res.speedup}x (identical samples: ${same})`);
await engine.dispose();
