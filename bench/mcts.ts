/**
 * A 16-rollout search on 10 letter problems with tiny-a (reflections by tiny-b): expansions per
 * second, and the share of prompt tokens served from the prefix KV cache vs recomputed; the same
 * searches with the cache off, side by side in one run.
 *   npx tsx bench/mcts.ts [--count 10] [--rollouts 16]
 */
import { loadNodeEngine } from '../src/engines/ort/node.js';
import { BUILTIN_PATTERNS } from '../src/mcts/patterns.js';
import { runSearch } from '../src/mcts/search.js';
import { family, generateProblems } from '../src/tasks/index.js';

const args = process.argv.slice(2);
const flag = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1]! : d);
const count = Number(flag('count', '10'));
const rollouts = Number(flag('rollouts', '16'));
const problems = generateProblems('letters', count, 7);

async function run(cacheBytes: number) {
  const think = await loadNodeEngine('tiny-a', { cacheBytes });
  const reflect = await loadNodeEngine('tiny-b', { cacheBytes });
  let expansions = 0;
  let correct = 0;
  let answers = 0;
  const t = performance.now();
  for (const p of problems) {
    const tree = await runSearch(p, family('letters'), { think, reflect }, { pattern: BUILTIN_PATTERNS[0]!, rollouts, seed: 7 });
    expansions += tree.events.filter((e) => e.type === 'expand').length;
    correct += tree.stats.correct;
    answers += tree.stats.answers;
  }
  const seconds = (performance.now() - t) / 1000;
  const a = think.cacheStats();
  const b = reflect.cacheStats();
  await think.dispose();
  await reflect.dispose();
  const prompt = a.promptTokens + b.promptTokens;
  const reused = a.promptTokensReused + b.promptTokensReused;
  return { seconds: +seconds.toFixed(2), expansions, expansions_per_s: +(expansions / seconds).toFixed(2),
    prompt_tokens: prompt, prompt_tokens_from_cache: reused, cache_share: +(reused / Math.max(1,
    prompt)).toFixed(3), answers, correct };
}

const cached = await run(64 * 1024 * 1024);
const uncached = await run(0);
console.log(JSON.stringify({ problems: count, rollouts, cached, uncached, speedup: +(uncached.seconds / cached.seconds).toFixed(2) }, null, 2));
console.log(`\n${count} problems x ${rollouts} rollouts: ${cached.expansions_per_s} expansions/s with the prefix cache (${(cached.cache_share * 100).toFixed(1)}% of prompt tokens from cache) vs ${uncached.expansions_per_s}/s without → ${(uncached.seconds / cached.seconds).toFixed(2)}x`);
