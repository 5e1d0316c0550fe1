/**
 * Recorded training runs for the lessons (public/demos/train-*.json) from a finished
 * `npx tsx bench/post-training.ts` work folder: each checkpoint's metrics.jsonl and one line on
 * its held-out evaluation against the shipped model.
 *   npx tsx tools/make-train-demos.ts [--work test-artifacts/post-training]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/cli/atomic-write.js';

const args = process.argv.slice(2);
const work = args.includes('--work') ? args[args.indexOf('--work') + 1]! : 'test-artifacts/post-training';
const RUNS: Record<string, string> = {
  'dpo-all': 'plain DPO (sigmoid, β 0.1) on all tree pairs — Table 5, "+ DPO"',
  'dpo-short': 'DPO on short-bucket pairs — Table 3, "short" / Table 5, "+ Data Balance"',
  'joint-a1': 'cDPO (ε 0.1) + 1·NLL on short pairs — Table 6, α = 1',
};
type Summary = Record<string, number>;
const evalLine = (id: string) => {
  const fams = ['letters', 'arithmetic'];
  const read = (m: string, f: string) => (JSON.parse(readFileSync(join(work, `eval-${m}-${f}.json`), 'utf8')) as { summary: Summary }).summary;
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  return fams
    .map((f) => {
      const a = read('tiny-a', f);
      const b = read(id, f);
      return `${f}: Test@1 ${pct(a['test@1']!)} → ${pct(b['test@1']!)}, no answer ${pct(a.no_answer_ratio!)} → ${pct(b.no_answer_ratio!)}, mean tokens ${a.mean_tokens!.toFixed(0)} → ${b.mean_tokens!.toFixed(0)}`;
    })
    .join('; ');
};
/** The `lab train` command a checkpoint's trainer_state.json describes. */
function command(id: string): string {
  const st = JSON.parse(readFileSync(join(work, 'ckpt', id, 'trainer_state.json'), 'utf8')) as {
    base: string;
    steps: number;
    data: { file: string };
    settings: { lr: number; warmup: number; batch: number; seed: number; dpo: { loss: string; beta: number; eps: number; alpha: number; maskCommonPrefix: boolean } };
  };
  const s = st.settings;
  const d = s.dpo;
  const loss = d.loss === 'sigmoid' ? '' : ` --loss ${d.loss} --eps ${d.eps}`;
  const file = st.data.file.replace(/^.*\//, '');
  const extra = `${loss}${d.alpha ? ` --alpha ${d.alpha}` : ''}${d.maskCommonPrefix ? ' --mask-common-prefix' : ''}`;
  return `lab train --model ${st.base} --dpo ${file} --steps ${st.steps} --batch ${s.batch} --lr ${s.lr} --warmup ${s.warmup} --beta ${d.beta}${extra} --seed ${s.seed} (bench/post-training.ts)`;
}
for (const [id, title] of Object.entries(RUNS)) {
  const metrics = readFileSync(join(work, 'ckpt', id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>).filter((m) => 'loss' in m);
  const rec = { schema: 'reasoning-lab/train-recording@1', title, command: command(id), metrics, evaluation: `Held-out (20 problems per family, n = 8), shipped tiny-a → this checkpoint: ${evalLine(id)}.` };
  writeFileAtomic(`public/demos/train-${id}.json`, JSON.stringify(rec) + '\n');
  console.log(`public/demos/train-${id}.json: ${metrics.length} steps`);
}
