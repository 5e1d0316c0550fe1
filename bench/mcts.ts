/**
 * A 16-rollout search on 10 letter problems with tiny-a (reflections by tiny-b): expansions per
 * second, and the share of prompt tokens served from the prefix KV cache vs recomputed; the same
 * searches with the cache off, side by side in one run. Each repeat runs both; the cache goes first
 * in even repeats and second in odd ones, so warm-up (JIT, allocator, file cache) favours neither.
 * Besides wall time it reports the process's CPU time (all threads), which other jobs on a shared
 * machine disturb much less than wall time, and the time spent in prompt prefills vs decode steps.
 *   npx tsx bench/mcts.ts [--count 10] [--rollouts 16] [--repeats 6]
 */
import { loadNodeEngine } from '../src/engines/ort/node.js';
import { BUILTIN_PATTERNS } from '../src/mcts/patterns.js';
import { runSearch } from '../src/mcts/search.js';
import { family, generateProblems } from '../src/tasks/index.js';

const args = process.argv.slice(2);
const flag = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1]! : d);
const count = Number(flag('count', '10'));
const rollouts = Number(flag('rollouts', '16'));
const repeats = Number(flag('repeats', '6'));
const problems = generateProblems('letters', count, 7);

async function run(cacheBytes: number) {
  const think = await loadNodeEngine('tiny-a', { cacheBytes });
  const reflect = await loadNodeEngine('tiny-b', { cacheBytes });
  // Time the forward passes by kind: prompt prefills (many tokens) vs one-token decode steps.
  const phase = { prefill_ms: 0, decode_ms: 0, prefills: 0, decode_steps: 0 };
  for (const e of [think, reflect]) {
    const forward = e.runner.forward.bind(e.runner);
    e.runner.forward = async (ids, past, mask) => {
      const t0 = performance.now();
      const res = await forward(ids, past, mask);
      const prefill = ids[0]!.length > 1;
      phase[prefill ? 'prefill_ms' : 'decode_ms'] += performance.now() - t0;
      phase[prefill ? 'prefills' : 'decode_steps']++;
      return res;
    };
  }
  let expansions = 0;
  let correct = 0;
  let answers = 0;
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  for (const p of problems) {
    const tree = await runSearch(p, family('letters'), { think, reflect }, { pattern: BUILTIN_PATTERNS[0]!, rollouts, seed: 7 });
    expansions += tree.events.filter((e) => e.type === 'expand').length;
    correct += tree.stats.correct;
    answers += tree.stats.answers;
  }
  const seconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const a = think.cacheStats();
  const b = reflect.cacheStats();
  await think.dispose();
  await reflect.dispose();
  const prompt = a.promptTokens + b.promptTokens;
  const reused = a.promptTokensReused + b.promptTokensReused;
  return { seconds: +seconds.toFixed(2), cpu_seconds: +cpuSeconds.toFixed(2), expansions, expansions_per_s: +(expansions / seconds).toFixed(2),
    prompt_tokens: prompt, prompt_tokens_from_cache: reused, cache_share: +(reused / Math.max(1, prompt)).toFixed(3),
    ...phase, think_share: +(a.promptTokensReused / Math.max(1, a.promptTokens)).toFixed(3), reflect_share: +(b.promptTokensReused / Math.max(1, b.promptTokens)).toFixed(3), answers, correct };
}

type Run = Awaited<ReturnType<typeof run>>;
const on: Run[] = [];
const off: Run[] = [];
for (let r = 0; r < repeats; r++) {
  const order = r % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
  for (const o of order) (o === 'on' ? on : off).push(await run(o === 'on' ? 64 * 1024 * 1024 : 0));
}
/** Totals over the repeats: expansions/s from summed time, the cache share from summed tokens. */
function total(runs: Run[]) {
  const sum = (f: (r: Run) => number) => runs.reduce((a, r) => a + f(r), 0);
  const seconds = sum((r) => r.seconds);
  const cpuSeconds = sum((r) => r.cpu_seconds);
  const prompt = sum((r) => r.prompt_tokens);
  const reused = sum((r) => r.prompt_tokens_from_cache);
  return { seconds: +seconds.toFixed(2), cpu_seconds: +cpuSeconds.toFixed(2), expansions: sum((r) => r.expansions), expansions_per_s: +(sum((r) => r.expansions) / seconds).toFixed(2),
    expansions_per_cpu_s: +(sum((r) => r.expansions) / cpuSeconds).toFixed(2),
    per_repeat_expansions_per_s: runs.map((r) => r.expansions_per_s), prefill_ms: Math.round(sum((r) => r.prefill_ms)), decode_ms: Math.round(sum((r) => r.decode_ms)),
    prefills: runs[0]!.prefills, decode_steps: runs[0]!.decode_steps, prompt_tokens: prompt, prompt_tokens_from_cache: reused,
    cache_share: +(reused / Math.max(1, prompt)).toFixed(3), think_share: runs[0]!.think_share, reflect_share: runs[0]!.reflect_share, answers: runs[0]!.answers, correct: runs[0]!.correct,
    same_trees: runs.every((r) => r.answers === runs[0]!.answers && r.correct === runs[0]!.correct) };
}
const cached = total(on);
const uncached = total(off);
const speedup = +(cached.expansions_per_s / uncached.expansions_per_s).toFixed(2);
const speedupCpu = +(cached.expansions_per_cpu_s / uncached.expansions_per_cpu_s).toFixed(2);
console.log(JSON.stringify({ problems: count, rollouts, repeats, cached, uncached, speedup, speedup_cpu: speedupCpu }, null, 2));
console.log(`\n${count} problems x ${rollouts} rollouts x ${repeats} repeats: ${cached.expansions_per_s} expansions/s with the prefix cache (${(cached.cache_share * 100).toFixed(1)}% of prompt tokens from cache) vs ${uncached.expansions_per_s}/s without → ${speedup}x (CPU time: ${speedupCpu}x)`);
