/**
 * Test@N evaluation (the paper's Table 7): n samples per problem, by plain sampling (one batched
 * engine call per problem) or by MCTS decoding (n blind searches, each answering with its
 * best-valued Answer node), verified by the task; Test@k from the unbiased pass@k estimator, the
 * "no answer" ratio, mean output tokens, bootstrap 95% intervals and diagnostics. Per-problem
 * records keep every sample so any figure can be recomputed (see `summarise`).
 */
import type { Engine } from '../core/engine.js';
import { Rng } from '../core/rng.js';
import { choosePattern } from '../mcts/patterns.js';
import { formatNode } from '../mcts/roles.js';
import { bestAnswer, runSearch, type SearchEngines, type Verifier } from '../mcts/search.js';
import { pathTo } from '../mcts/tree.js';
import { lastBoxed } from '../tasks/answer.js';
import type { Problem } from '../tasks/types.js';
import { diagnose, summariseDiagnostics, type DiagnosticsSummary, type SampleDiagnostics } from './diagnostics.js';
import { passAtK } from './passk.js';

export interface TestNConfig {
  n: number;
  ks: number[];
  decode: 'sample' | 'mcts';
  temperature: number;
  maxTokens: number;
  seed: number;
  /** Sample i of every problem uses seed (seed, i) — identical across models and decoders. */
  sequential?: boolean;
  /** Rollouts per MCTS decoding search (default 4). */
  mctsRollouts?: number;
  /** Bootstrap resamples for the 95% intervals (default 1000). */
  bootstrap?: number;
}

export interface SampleRecord {
  /** `${problemId}#${i}` */
  id: string;
  text: string;
  tokens: number;
  correct: boolean;
  extracted: string | null;
  /** The verifier's reason ("match", "expected 18, got 17", "no \\boxed{} answer"…). */
  reason?: string;
  /** An answer could be extracted and the output was not cut at the token limit. */
  answered: boolean;
  truncated: boolean;
  diagnostics: SampleDiagnostics;
}

export interface ProblemRecord {
  id: string;
  question: string;
  answer: string;
  n: number;
  correct: number;
  samples: SampleRecord[];
}

export interface TestNSummary {
  [testAtK: `test@${number}`]: number;
  no_answer_ratio: number;
  mean_tokens: number;
  ci: Record<string, [number, number]>;
  diagnostics: DiagnosticsSummary;
  problems: number;
  n: number;
  decode: 'sample' | 'mcts';
}

/**
 * Recompute the summary from per-problem records alone. Values keep full precision, so a saved
 * summary recomputes exactly from its records; round only for display (`compareTable`).
 */
export function summarise(problems: ProblemRecord[], ks: number[], decode: 'sample' | 'mcts', bootstrap = 1000, seed = 0): TestNSummary {
  if (problems.length === 0) throw new Error('no problems to summarise');
  const samples = problems.flatMap((p) => p.samples);
  const n = problems[0]!.n;
  const s = { problems: problems.length, n, decode } as TestNSummary;
  const ci: Record<string, [number, number]> = {};
  const rng = new Rng(`bootstrap:${seed}`);
  for (const k of ks) {
    const per = problems.map((p) => problemPassAtK(p, k));
    s[`test@${k}`] = per.reduce((a, b) => a + b, 0) / per.length;
    const means: number[] = [];
    for (let b = 0; b < bootstrap; b++) {
      let acc = 0;
      for (let i = 0; i < per.length; i++) acc += per[rng.int(per.length)]!;
      means.push(acc / per.length);
    }
    means.sort((a, b) => a - b);
    ci[`test@${k}`] = [means[Math.floor(0.025 * (bootstrap - 1))]!, means[Math.ceil(0.975 * (bootstrap - 1))]!];
  }
  s.no_answer_ratio = samples.filter((x) => !x.answered).length / samples.length;
  s.mean_tokens = samples.reduce((a, x) => a + x.tokens, 0) / samples.length;
  s.ci = ci;
  s.diagnostics = summariseDiagnostics(samples);
  return s;
}

function record(id: string, text: string, tokens: number, truncated: boolean, problem: Problem, task: Verifier): SampleRecord {
  let v: { correct: boolean; extracted: string | null; reason: string };
  try {
    v = task.verify(problem, text);
  } catch (e) {
    v = { correct: false, extracted: lastBoxed(text), reason: `verifier error: ${(e as Error).message}` };
  }
  return { id, text, tokens, correct: v.correct, extracted: v.extracted, reason: v.reason, answered: v.extracted !== null && !truncated, truncated, diagnostics: diagnose(text, tokens) };
}

/** Run Test@N over a problem set. `onProblem` reports progress. */
export async function runTestN(
  problems: Problem[],
  task: Verifier,
  engines: SearchEngines,
  cfg: TestNConfig,
  opts: { signal?: AbortSignal; onProblem?: (done: number, total: number, rec: ProblemRecord) => void } = {},
): Promise<{ summary: TestNSummary; problems: ProblemRecord[] }> {
  if (!Number.isInteger(cfg.n) || cfg.n < 1) throw new RangeError(`n must be a positive integer, got ${cfg.n}`);
  for (const k of cfg.ks) if (!Number.isInteger(k) || k < 1 || k > cfg.n) throw new RangeError(`k=${k} must be an integer in 1..n (n=${cfg.n})`);
  const out: ProblemRecord[] = [];
  for (const p of problems) {
    const messages = [{ role: 'user' as const, content: p.question }];
    let samples: SampleRecord[];
    if (cfg.decode === 'sample') {
      const engine: Engine = engines.think;
      const gens = cfg.sequential
        ? await sequential(engine, messages, cfg, opts.signal)
        : await engine.generate({ messages, n: cfg.n, temperature: cfg.temperature, seed: cfg.seed, maxTokens: cfg.maxTokens }, opts.signal);
      samples = gens.map((g, i) => record(`${p.id}#${i}`, g.text, g.tokens.length, g.finishReason === 'length', p, task));
    } else {
      samples = [];
      for (let i = 0; i < cfg.n; i++) {
        const tree = await runSearch(p, task, engines, { pattern: choosePattern(undefined, new Rng(`decode:${cfg.seed}:${p.id}:${i}`)), rollouts: cfg.mctsRollouts ?? 4, seed: cfg.seed * 1000 + i, temperature: cfg.temperature, blind: true }, opts.signal ? { signal: opts.signal } : {});
        // A stopped search returns its partial tree (the Search view keeps it); a stopped Test@N
        // must not score that partial tree as a sample, so it throws like the sampling path.
        if (opts.signal?.aborted) throw opts.signal.reason ?? new DOMException('stopped', 'AbortError');
        const best = bestAnswer(tree);
        const path = best ? pathTo(tree.nodes, best.id).slice(1).map((id) => tree.nodes[id]!) : [];
        const text = path.map((nd) => formatNode(nd.role as Parameters<typeof formatNode>[0], nd.text)).join('');
        const tokens = path.reduce((a, nd) => a + nd.tokens, 0);
        samples.push(record(`${p.id}#${i}`, text, tokens, best ? best.truncated : true, p, task));
      }
    }
    const rec: ProblemRecord = { id: p.id, question: p.question, answer: p.answer, n: samples.length, correct: samples.filter((s) => s.correct).length, samples };
    out.push(rec);
    opts.onProblem?.(out.length, problems.length, rec);
  }
  return { summary: summarise(out, cfg.ks, cfg.decode, cfg.bootstrap ?? 1000, cfg.seed), problems: out };
}

/** n single-sample calls drawing exactly the samples of one batched call (firstIndex). */
async function sequential(engine: Engine, messages: { role: 'user'; content: string }[], cfg: TestNConfig, signal?: AbortSignal) {
  const outs = [];
  for (let i = 0; i < cfg.n; i++) outs.push(...(await engine.generate({ messages, n: 1, firstIndex: i, temperature: cfg.temperature, seed: cfg.seed, maxTokens: cfg.maxTokens }, signal)));
  return outs;
}

/** Round every number of a JSON-like value to `digits` decimals (for printed output only). */
export function roundForDisplay<T>(value: T, digits = 4): T {
  const f = 10 ** digits;
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * f) / f : v))) as T;
}

/** Unbiased pass@k of every problem record (the per-problem terms that Test@k averages). */
export function problemPassAtK(p: Pick<ProblemRecord, 'n' | 'correct'>, k: number): number {
  return passAtK(p.n, p.correct, Math.min(k, p.n));
}

/** A Markdown table comparing runs (models or decoders) on the same problems. */
export function compareTable(runs: { label: string; summary: TestNSummary }[], ks: number[]): string {
  const head = ['run', ...ks.map((k) => `Test@${k}`), 'no answer', 'mean tokens', 'loops', 'refl/1k'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of runs) {
    const s = r.summary;
    const cells = ks.map((k) => `${((s[`test@${k}`] ?? 0) * 100).toFixed(1)}% [${(s.ci[`test@${k}`]![0] * 100).toFixed(0)}–${(s.ci[`test@${k}`]![1] * 100).toFixed(0)}]`);
    lines.push(`| ${[r.label, ...cells, `${(s.no_answer_ratio * 100).toFixed(1)}%`, s.mean_tokens.toFixed(0), `${(s.diagnostics.loop_ratio * 100).toFixed(1)}%`, s.diagnostics.reflections_per_1k.toFixed(1)].join(' | ')} |`);
  }
  return lines.join('\n');
}
