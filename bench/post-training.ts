/**
 * The paper's post-training experiments in miniature, from fixed seeds, through the `lab` commands:
 * MCTS trees on training problems of two built-in families → DPO pairs (all, and per length
 * bucket) → from the same tiny-a start, the rows of Table 5 (+ DPO, + Data Balance, + cDPO,
 * + Joint loss, + Masking), Table 3 (DPO on long / medium / short paths) and Table 6 (joint loss,
 * alpha 0 … 2) → Test@1, Test@8, no-answer ratio, mean tokens and repetition on held-out problems.
 *
 *   npx tsx bench/post-training.ts [--work test-artifacts/post-training] [--quick]
 *
 * Prints the tables in the paper's shape (Markdown) and writes them to <work>/tables.md, with every
 * command that made them in <work>/commands.txt. `--quick` is a smoke run with tiny sizes.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const flag = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1]! : d);
const quick = args.includes('--quick');
const work = flag('work', quick ? 'test-artifacts/post-training-quick' : 'test-artifacts/post-training');
mkdirSync(work, { recursive: true });

// Sizes. Training: every run sees the same number of pairs (steps x batch) at the same lr.
const FAMILIES = ['letters', 'arithmetic'];
const TRAIN_PROBLEMS = quick ? 4 : 60; // per family, seed 101
const ROLLOUTS = quick ? 8 : 16;
const EVAL_PROBLEMS = quick ? 3 : 20; // per family, seed 999 (held out: another seed)
const EVAL_N = quick ? 2 : 8;
const STEPS = quick ? 2 : 24;
const BATCH = 8;
const LR = '1e-4';
const BETA = '0.1';

const t0 = performance.now();
const log = (s: string) => {
  console.log(s);
  appendFileSync(join(work, 'log.txt'), s + '\n');
};
writeFileSync(join(work, 'commands.txt'), '');
function lab(...a: string[]): string {
  appendFileSync(join(work, 'commands.txt'), `node bin/lab.js ${a.join(' ')}\n`);
  const t = performance.now();
  const out = execFileSync('node', ['bin/lab.js', ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  log(`  [${((performance.now() - t) / 1000).toFixed(0)} s] lab ${a.slice(0, 2).join(' ')} … ${a.includes('--out') ? a[a.indexOf('--out') + 1] : ''}`);
  return out;
}
const minutes = () => ((performance.now() - t0) / 60000).toFixed(1);

// 1. Trees and pairs.
log(`# post-training experiment (${quick ? 'quick' : 'full'}), work dir ${work}`);
const buckets = ['all', 'short', 'medium', 'long'] as const;
const pairFiles: Record<string, string> = {};
const pairCounts: Record<string, number> = {};
for (const b of buckets) {
  pairFiles[b] = join(work, `dpo-${b}.jsonl`);
  writeFileSync(pairFiles[b]!, '');
}
for (const fam of FAMILIES) {
  const trees = join(work, `trees-${fam}.jsonl`);
  lab('mcts', '--task', fam, '--count', String(TRAIN_PROBLEMS), '--seed', '101', '--model', 'tiny-a', '--rollouts', String(ROLLOUTS), '--out', trees);
  for (const b of buckets) {
    const f = join(work, `dpo-${fam}-${b}.jsonl`);
    lab('extract', '--trees', trees, '--dpo', f, '--length', b);
    appendFileSync(pairFiles[b]!, readFileSync(f, 'utf8'));
  }
}
for (const b of buckets) pairCounts[b] = readFileSync(pairFiles[b]!, 'utf8').split('\n').filter(Boolean).length;
log(`pairs: ${buckets.map((b) => `${b} ${pairCounts[b]}`).join(', ')} (${minutes()} min)`);

// 2. Training runs.
type Run = { id: string; data: keyof typeof pairFiles; flags: string[] };
const cdpo = ['--loss', 'cdpo', '--eps', '0.1'];
const RUNS: Run[] = [
  { id: 'dpo-all', data: 'all', flags: [] },
  { id: 'dpo-short', data: 'short', flags: [] },
  { id: 'dpo-medium', data: 'medium', flags: [] },
  { id: 'dpo-long', data: 'long', flags: [] },
  { id: 'cdpo-short', data: 'short', flags: cdpo },
  { id: 'joint-a0.5', data: 'short', flags: [...cdpo, '--alpha', '0.5'] },
  { id: 'joint-a1', data: 'short', flags: [...cdpo, '--alpha', '1'] },
  { id: 'joint-a1.5', data: 'short', flags: [...cdpo, '--alpha', '1.5'] },
  { id: 'joint-a2', data: 'short', flags: [...cdpo, '--alpha', '2'] },
  { id: 'joint-a1-mask', data: 'short', flags: [...cdpo, '--alpha', '1', '--mask-common-prefix'] },
];
const lastMetrics: Record<string, Record<string, number>> = {};
let reused = 0;
for (const r of RUNS) {
  const out = join(work, 'ckpt', r.id);
  if (pairCounts[r.data]! < 2) {
    log(`skip ${r.id}: only ${pairCounts[r.data]} pairs in the ${r.data} bucket`);
    continue;
  }
  if (existsSync(join(out, 'trainer_state.json'))) reused++;
  else
    lab('train', '--model', 'tiny-a', '--dpo', pairFiles[r.data]!, '--out', out, '--steps', String(STEPS), '--batch', String(BATCH), '--lr', LR, '--beta', BETA, '--seed', '1', '--warmup', '2', ...r.flags);
  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  lastMetrics[r.id] = lines.filter((l) => 'loss' in l).pop()!;
}
log(`training done (${minutes()} min)`);

// 3. Evaluation on held-out problems (seed 999), the same problems and sampling seeds for every model.
type Summary = Record<string, number> & { diagnostics: Record<string, number> };
const evals: Record<string, Summary[]> = {};
for (const m of ['tiny-a', ...RUNS.map((r) => r.id)]) {
  const model = m === 'tiny-a' ? 'tiny-a' : join(work, 'ckpt', m);
  if (m !== 'tiny-a' && !lastMetrics[m]) continue;
  evals[m] = FAMILIES.map((fam) => {
    const f = join(work, `eval-${m}-${fam}.json`);
    if (existsSync(f)) reused++;
    else lab('eval', '--task', fam, '--count', String(EVAL_PROBLEMS), '--seed', '999', '--model', model, '--n', String(EVAL_N), '--k', `1,${EVAL_N}`, '--max-tokens', '400', '--out', f);
    return (JSON.parse(readFileSync(f, 'utf8')) as { summary: Summary }).summary;
  });
}
log(`evaluation done (${minutes()} min)`);

// 4. Tables.
const pct = (x: number | undefined) => (x === undefined ? '–' : `${(100 * x).toFixed(1)}`);
const mean = (xs: (number | undefined)[]) => xs.reduce<number>((a, b) => a + (b ?? NaN), 0) / xs.length;
function row(label: string, m: string): string {
  const e = evals[m];
  if (!e) return `| ${label} | (not run) |`;
  const cells = e.flatMap((s) => [pct(s['test@1']), pct(s[`test@${EVAL_N}`]), pct(s.no_answer_ratio)]);
  const tokens = mean(e.map((s) => s.mean_tokens)).toFixed(0);
  const rep = mean(e.map((s) => s.diagnostics.mean_repetition)).toFixed(3);
  const loop = pct(mean(e.map((s) => s.diagnostics.loop_ratio)));
  const t = lastMetrics[m];
  const train = t ? `${t['rewards/margins']!.toFixed(2)} | ${t['rewards/chosen']!.toFixed(2)} / ${t['rewards/rejected']!.toFixed(2)}` : '– | –';
  return `| ${label} | ${cells.join(' | ')} | ${tokens} | ${rep} | ${loop} | ${train} |`;
}
const head = `| model | ${FAMILIES.map((f) => `${f} Test@1 | ${f} Test@${EVAL_N} | ${f} no answer`).join(' | ')} | mean tokens | repetition | loops % | last-step margin | last-step rewards chosen / rejected |\n|${'---|'.repeat(3 * FAMILIES.length + 6)}`;
const tables = [
  `Setup: trees from \`lab mcts\` (tiny-a, ${ROLLOUTS} rollouts) on ${TRAIN_PROBLEMS} ${FAMILIES.join(' + ')} problems each (seed 101); pairs all/short/medium/long = ${buckets.map((b) => pairCounts[b]).join('/')}. Every run: tiny-a start and reference, ${STEPS} steps x ${BATCH} pairs, lr ${LR} (2 warm-up steps, linear decay), beta ${BETA}, seed 1; cDPO eps 0.1. Evaluation: ${EVAL_PROBLEMS} held-out problems per family (seed 999), n = ${EVAL_N} at T = 0.7, max 400 tokens. Percentages.`,
  '',
  '### Table 5 in miniature (each row adds to the one above)',
  head,
  row('SFT baseline (shipped tiny-a)', 'tiny-a'),
  row('+ DPO (all pairs)', 'dpo-all'),
  row('+ Data Balance (short-bucket pairs)', 'dpo-short'),
  row('+ cDPO (eps 0.1)', 'cdpo-short'),
  row('+ Joint loss (alpha 1)', 'joint-a1'),
  row('+ Masking (common prefix)', 'joint-a1-mask'),
  '',
  '### Table 3 in miniature (DPO on one length bucket)',
  head,
  row('DPO, long paths', 'dpo-long'),
  row('DPO, medium paths', 'dpo-medium'),
  row('DPO, short paths', 'dpo-short'),
  '',
  '### Table 6 in miniature (cDPO + alpha x NLL, short pairs)',
  head,
  row('alpha 0', 'cdpo-short'),
  row('alpha 0.5', 'joint-a0.5'),
  row('alpha 1', 'joint-a1'),
  row('alpha 1.5', 'joint-a1.5'),
  row('alpha 2', 'joint-a2'),
  '',
  `Wall time: ${minutes()} min${reused ? ` (${reused} trainings/evaluations reused from an earlier invocation in ${work})` : ''}.`,
  'Rewards are β·(log p_policy − log p_ref) summed over the completion (TRL), averaged over the last step\'s 8 pairs: a negative chosen reward means the chosen answers became less likely than under the start model.',
].join('\n');
writeFileSync(join(work, 'tables.md'), tables + '\n');
log('\n' + tables);
