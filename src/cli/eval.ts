/** `lab eval`: Test@N with plain sampling or MCTS decoding, side-by-side tables, JSON/CSV output. */
import { dataset } from '../tasks/datasets.js';
import { ENGINE_FLAGS, ENGINE_HELP, loadEngineFromFlags } from './engine-flags.js';
import { compareTable, problemPassAtK, roundForDisplay, runTestN, type ProblemRecord, type TestNSummary } from '../eval/testn.js';
import { family, generateProblems, type Problem } from '../tasks/index.js';
import { num, parse, UsageError } from './args.js';
import { readDatasetFile, writeFileAtomic } from './files.js';

const HELP = `lab eval --task NAME (--count K --seed S | --input FILE.jsonl) --model A[,B] [options]
  --task NAME          generated: letters, arithmetic, wordproblems, blocksworld;
                       with --input also gsm8k, math, aime, ifeval, blocksworld (PlanBench rows)
  --count K --seed S   K generated problems from seed S (with --input: the first K rows)
  --input FILE.jsonl   dataset rows in the dataset's own fields (letters/arithmetic/wordproblems:
                       {"id"?, "question", "answer"})
  --model A[,B]        one model, or several compared on the same problems and seeds
  --n N                samples per problem (default 8)
  --k 1,8              Test@k values (each <= n; default 1,n)
  --decode MODE        sample (default) | mcts: MCTS decoding, shown side by side with sampling
  --rollouts R         rollouts per MCTS decoding search (default 4)
  --temperature T      (default 0.7)
  --max-tokens N       (default 400)
  --out FILE           write {"summary", "problems", "runs"} as JSON
  --csv                print per-problem CSV instead of the Markdown table`;


export async function evalCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const v = parse('eval', argv, {
    task: { type: 'string' }, count: { type: 'string' }, seed: { type: 'string' }, input: { type: 'string' }, model: { type: 'string' },
    n: { type: 'string' }, k: { type: 'string' }, decode: { type: 'string' }, rollouts: { type: 'string' }, temperature: { type: 'string' },
    'max-tokens': { type: 'string' }, out: { type: 'string' }, csv: { type: 'boolean' },
    ...ENGINE_FLAGS,
  });
  if (v.help) return out(`${HELP}\n${ENGINE_HELP}`);
  if (typeof v.task !== 'string') throw new UsageError('lab eval: --task is required, e.g. --task letters');
  if (typeof v.model !== 'string') throw new UsageError('lab eval: --model is required, e.g. --model tiny-a');
  const task = typeof v.input === 'string' ? dataset(v.task) : family(v.task);
  const n = num('eval', 'n', v.n, 8, 1, 1024);
  const ks = typeof v.k === 'string' ? v.k.split(',').map((x) => num('eval', 'k', x, 1, 1, n)) : [...new Set([1, n])];
  const decode = v.decode ?? 'sample';
  if (decode !== 'sample' && decode !== 'mcts') throw new UsageError(`lab eval: --decode must be sample or mcts, got "${String(decode)}"`);
  const seed = num('eval', 'seed', v.seed, 0, 0, 2 ** 31);
  let problems: Problem[];
  if (typeof v.input === 'string') {
    problems = readDatasetFile(v.input, v.task);
    if (v.count !== undefined) problems = problems.slice(0, num('eval', 'count', v.count, 20, 1, 1e9));
  } else {
    problems = generateProblems(v.task, num('eval', 'count', v.count, 20, 1, 100000), seed);
  }
  const base = { n, ks, temperature: num('eval', 'temperature', v.temperature, 0.7, 0, 5, true), maxTokens: num('eval', 'max-tokens', v['max-tokens'], 400, 1, 8192), seed, mctsRollouts: num('eval', 'rollouts', v.rollouts, 4, 1, 1000) };
  const models = v.model.split(',').filter(Boolean);
  const decoders: ('sample' | 'mcts')[] = decode === 'mcts' ? ['sample', 'mcts'] : ['sample'];
  const runs: { label: string; summary: TestNSummary; problems: ProblemRecord[] }[] = [];
  for (const m of models) {
    const engine = await loadEngineFromFlags('eval', v, m, { prefix: decode === 'mcts' });
    try {
      for (const d of decoders) {
        const t0 = performance.now();
        const r = await runTestN(problems, task, { think: engine }, { ...base, decode: d }, { onProblem: (i, total) => process.stderr.write(`\r${m} ${d}: ${i}/${total} problems`) });
        process.stderr.write(` (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
        runs.push({ label: `${m} ${d}`, ...r });
      }
    } finally {
      await engine.dispose();
    }
  }
  const first = runs[0]!;
  if (typeof v.out === 'string') {
    writeFileAtomic(v.out, JSON.stringify({ summary: first.summary, problems: first.problems, runs }, null, 1) + '\n');
  }
  if (v.csv) {
    out('run,problem,n,correct,' + ks.map((k) => `test@${k}`).join(','));
    // The unbiased pass@k of each problem: the column means are the summary's Test@k.
    for (const r of runs) for (const p of r.problems) out([r.label, p.id, p.n, p.correct].join(',') + ',' + ks.map((k) => problemPassAtK(p, k)).join(','));
    return;
  }
  out(compareTable(runs, ks));
  for (const r of runs) out(`\n${r.label}: ${JSON.stringify(roundForDisplay({ ...Object.fromEntries(ks.map((k) => [`test@${k}`, r.summary[`test@${k}`]])), no_answer_ratio: r.summary.no_answer_ratio, mean_tokens: r.summary.mean_tokens, diagnostics: r.summary.diagnostics }))}`);
  if (typeof v.out === 'string') out(`\nwrote ${v.out}`);
}
