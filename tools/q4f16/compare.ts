/**
 * The q4f16 twin against fp32 tiny-a on held-out problems, greedy decoding through the same
 * OrtEngine (onnxruntime-node): the share of problems where both give the same final answer
 * (last \boxed{}), the share with identical tokens, and each model's accuracy. Writes
 * models/tiny-a/q4f16-compare.json, the figure the model card (models/README.md) quotes.
 *
 *   npx tsx tools/q4f16/compare.ts [--count 80] [--families letters,arithmetic,wordproblems,blocksworld]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadNodeEngine, MODELS_DIR } from '../../src/engines/ort/node.js';
import { lastBoxed } from '../../src/tasks/answer.js';
import { FAMILIES, type FamilyName } from '../../src/tasks/index.js';
import { heldOutProblems } from '../train-tiny/settings.js';

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(k);
  return i > 0 ? process.argv[i + 1]! : d;
};
const count = Number(arg('--count', '80'));
const families = arg('--families', 'letters,arithmetic,wordproblems,blocksworld').split(',') as FamilyName[];
const maxTokens = 400;

const fp32 = await loadNodeEngine('tiny-a', { cacheBytes: 0 });
const q4 = await loadNodeEngine('tiny-a-q4f16', { cacheBytes: 0 });
const reports = [];
for (const family of families) {
  let sameAnswer = 0;
  let sameTokens = 0;
  let okFp32 = 0;
  let okQ4 = 0;
  const t0 = performance.now();
  for (const p of heldOutProblems(family, count)) {
    const messages = [{ role: 'user' as const, content: p.question }];
    const [a] = await fp32.generate({ messages, n: 1, temperature: 0, maxTokens });
    const [b] = await q4.generate({ messages, n: 1, temperature: 0, maxTokens });
    if (lastBoxed(a!.text) === lastBoxed(b!.text)) sameAnswer++;
    if (a!.tokens.join() === b!.tokens.join()) sameTokens++;
    if (FAMILIES[family].verify(p, a!.text).correct) okFp32++;
    if (FAMILIES[family].verify(p, b!.text).correct) okQ4++;
  }
  reports.push({ family, split: 'held-out (tools/train-tiny/settings.ts)', count, maxTokens, decoding: 'greedy', sameAnswer: sameAnswer / count, sameTokens: sameTokens / count, accuracy: { fp32: okFp32 / count, q4f16: okQ4 / count }, seconds: Math.round((performance.now() - t0) / 1000), date: new Date().toISOString().slice(0, 10) });
}
console.log('| family | same final answer | same tokens | fp32 accuracy | q4f16 accuracy |\n|---|---|---|---|---|');
for (const r of reports) console.log(`| ${r.family} | ${(r.sameAnswer * 100).toFixed(1)}% | ${(r.sameTokens * 100).toFixed(1)}% | ${(r.accuracy.fp32 * 100).toFixed(1)}% | ${(r.accuracy.q4f16 * 100).toFixed(1)}% |`);
writeFileSync(join(MODELS_DIR, 'tiny-a', 'q4f16-compare.json'), JSON.stringify(reports, null, 2) + '\n');
await fp32.dispose();
await q4.dispose();
