/**
 * Engine benchmark, measured side by side in one run (ratios, not absolute speed claims):
 *  1. 8 samples as one batch vs 8 sequential single-sample generations (tokens/s).
 *  2. Continuing from a cached 200-token prefix vs recomputing it, for 40 new tokens:
 *     (a) prefill of the 40 new tokens on top of the cached KV vs a full 240-token pass;
 *     (b) end to end: generate 40 tokens after a 200-token prompt, prompt KV cached vs not.
 *   npx tsx bench/engine.ts [--model tiny-a] [--repeats 5]
 */
import { loadNodeEngine } from '../src/engines/ort/node.js';

const args = process.argv.slice(2);
const flag = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1]! : d);
const model = flag('model', 'tiny-a');
const repeats = Number(flag('repeats', '5'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const engine = await loadNodeEngine(model, { cacheBytes: 0 });
const cached = await loadNodeEngine(model);
const messages = [{ role: 'user' as const, content: "How many r's are in strawberry?" }];
const maxTokens = 64;

// 1. batched vs sequential. No eos cut-off differences: count the tokens actually produced.
const batchTps: number[] = [];
const seqTps: number[] = [];
for (let r = 0; r < repeats; r++) {
  let tokens = 0;
  const tb = await time(async () => {
    const out = await engine.generate({ messages, n: 8, seed: r, temperature: 0.7, maxTokens });
    tokens = out.reduce((a, s) => a + s.tokens.length, 0);
  });
  batchTps.push((tokens / tb) * 1000);
  let seqTokens = 0;
  const ts = await time(async () => {
    for (let i = 0; i < 8; i++) {
      const [s] = await engine.generate({ messages, n: 1, seed: r * 100 + i, temperature: 0.7, maxTokens });
      seqTokens += s!.tokens.length;
    }
  });
  seqTps.push((seqTokens / ts) * 1000);
}

// 2. cached continuation vs recompute.
const base = Array.from({ length: 200 }, (_, i) => 32 + ((i * 7) % 90));
const extra = Array.from({ length: 40 }, (_, i) => 97 + (i % 26));
const full = [...base, ...extra];
const prefillCached: number[] = [];
const prefillFull: number[] = [];
for (let r = 0; r < repeats; r++) {
  cached.cache.clear();
  await cached.prefill(base);
  prefillCached.push(await time(() => cached.prefill(full)));
  prefillFull.push(await time(() => engine.prefill(full, false)));
}
const longPrompt = [{ role: 'user' as const, content: 'Spell and count: ' + 'strawberry raspberry '.repeat(9) }];
const genCached: number[] = [];
const genFull: number[] = [];
for (let r = 0; r < repeats; r++) {
  cached.cache.clear();
  await cached.generate({ messages: longPrompt, n: 1, maxTokens: 1 }); // caches the prompt
  genCached.push(await time(() => cached.generate({ messages: longPrompt, n: 1, seed: r, temperature: 0, maxTokens: 40 })));
  genFull.push(await time(() => engine.generate({ messages: longPrompt, n: 1, seed: r, temperature: 0, maxTokens: 40 })));
}
const promptLen = (await engine.tokenize(engine.tokenizer.prompt(longPrompt))).length;

const result = {
  model,
  repeats,
  batched_tok_s: Math.round(median(batchTps)),
  sequential_tok_s: Math.round(median(seqTps)),
  batched_vs_sequential: +(median(batchTps) / median(seqTps)).toFixed(2),
  prefill_40_after_cached_200_ms: +median(prefillCached).toFixed(2),
  prefill_240_recompute_ms: +median(prefillFull).toFixed(2),
  cached_continuation_speedup: +(median(prefillFull) / median(prefillCached)).toFixed(2),
  generate40_prompt_tokens: promptLen,
  generate40_cached_prompt_ms: +median(genCached).toFixed(1),
  generate40_uncached_prompt_ms: +median(genFull).toFixed(1),
  generate40_speedup: +(median(genFull) / median(genCached)).toFixed(2),
};
console.log(JSON.stringify(result, null, 2));
console.log(`\nbatched 8 vs sequential 8: ${result.batched_vs_sequential}x tokens/s (target >= 3x)`);
console.log(`40 new tokens after a cached 200-token prefix vs recompute: ${result.cached_continuation_speedup}x faster (target >= 3x)`);
console.log(`generate 40 tokens, ${promptLen}-token prompt cached vs not: ${result.generate40_speedup}x`);
await engine.dispose();
await cached.dispose();
