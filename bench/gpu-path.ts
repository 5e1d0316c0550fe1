/**
 * The GPU path side by side in one Chromium run (WebGPU; SwiftShader here, a real GPU with
 * LAB_WEBGPU=gpu): KV and logits kept on the device vs today's read-everything path (every
 * present.* tensor and the whole [B, T, V] logits downloaded each step), alternating which goes
 * first in each repeat so warm-up favours neither.
 *  - decode: n = 4 samples of tiny-a, bytes read back per decode step and tokens/s;
 *  - scoring: DPO pairs through engine.score (the Objectives path): bytes read back per pair and
 *    pairs/s, the WGSL kernel on ORT's logits buffer vs log-softmax of downloaded rows.
 *  - the radix prefix cache on the device: a search-like sequence (3 samples, 2 children of each,
 *    the first request again) with the cache on vs off: time and prompt tokens from the cache.
 *   npx tsx bench/gpu-path.ts [--repeats 2] [--tokens 32] [--pairs 16]
 */
import { openLab } from '../tests/browser/chromium.js';

const args = process.argv.slice(2);
const flag = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1]! : d);
const repeats = Number(flag('repeats', '2'));
const maxTokens = Number(flag('tokens', '32'));
const pairs = Number(flag('pairs', '16'));
const n = 4;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Harness = { labTest: Record<string, (...a: unknown[]) => Promise<unknown>> };
type Decode = { ms: number; tokens: number; forwards: number; deviceReadBytes: number };
type Score = { ms: number; tokens: number; deviceReadBytes: number };
type CacheRun = { ms: number; stats: { promptTokens: number; promptTokensReused: number } };

const lab = await openLab('/tests/browser/gpu-path-harness.html');
try {
  await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 120_000 });
  const adapter = await lab.page.evaluate(async () => {
    const a = await (navigator as Navigator & { gpu?: GPU }).gpu?.requestAdapter();
    return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : 'none';
  });
  const decode = { device: [] as Decode[], old: [] as Decode[] };
  const score = { device: [] as Score[], old: [] as Score[] };
  const cache = { on: [] as CacheRun[], off: [] as CacheRun[] };
  for (let r = 0; r < repeats; r++) {
    const order: ('device' | 'old')[] = r % 2 === 0 ? ['device', 'old'] : ['old', 'device'];
    for (const k of order) {
      process.stderr.write(`repeat ${r + 1}: ${k} ...\n`);
      decode[k].push((await lab.page.evaluate(([kv, nn, mt]) => (globalThis as unknown as Harness).labTest.benchDecode!('tiny-a', kv, nn, mt), [k === 'device', n, maxTokens] as const)) as Decode);
      score[k].push((await lab.page.evaluate(([kv, p]) => (globalThis as unknown as Harness).labTest.benchScore!(kv, p), [k === 'device', pairs] as const)) as Score);
    }
    for (const k of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      cache[k].push((await lab.page.evaluate(async (bytes) => {
        const t0 = performance.now();
        const res = (await (globalThis as unknown as Harness).labTest.cacheRun!('webgpu', bytes)) as CacheRun;
        return { ...res, ms: performance.now() - t0 };
      }, k === 'on' ? 64 * 1024 * 1024 : 0)) as CacheRun);
    }
  }
  const perStep = (d: Decode) => d.deviceReadBytes / d.forwards;
  const tps = (d: Decode) => (d.tokens / d.ms) * 1000;
  const sum = (k: 'device' | 'old') => ({
    step: median(decode[k].map(perStep)),
    tps: median(decode[k].map(tps)),
    pair: median(score[k].map((s) => s.deviceReadBytes / pairs)),
    pps: median(score[k].map((s) => (pairs / s.ms) * 1000)),
  });
  const dev = sum('device');
  const old = sum('old');
  const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  console.log(`adapter: ${adapter}; tiny-a (V = 448), n = ${n}, ${maxTokens} new tokens, ${pairs} pairs, ${repeats} repeats (medians)`);
  console.log('| measurement | KV + logits on the device | read everything back | ratio |\n|---|---|---|---|');
  console.log(`| bytes read back per forward while decoding (min n×V×4 = ${kib(n * 448 * 4)}) | ${kib(dev.step)} | ${kib(old.step)} | ${(old.step / dev.step).toFixed(1)}x less |`);
  console.log(`| decode tokens/s | ${dev.tps.toFixed(1)} | ${old.tps.toFixed(1)} | ${(dev.tps / old.tps).toFixed(2)}x |`);
  console.log(`| bytes read back per scored pair | ${dev.pair.toFixed(0)} B | ${kib(old.pair)} | ${(old.pair / dev.pair).toFixed(0)}x less |`);
  console.log(`| pairs scored per second | ${dev.pps.toFixed(2)} | ${old.pps.toFixed(2)} | ${(dev.pps / old.pps).toFixed(2)}x |`);
  const on = median(cache.on.map((c) => c.ms));
  const off = median(cache.off.map((c) => c.ms));
  const share = cache.on[0]!.stats.promptTokensReused / cache.on[0]!.stats.promptTokens;
  console.log(`| search-like sequence, radix cache on vs off (device blocks) | ${(on / 1000).toFixed(1)} s | ${(off / 1000).toFixed(1)} s | ${(off / on).toFixed(2)}x; ${(share * 100).toFixed(0)}% of prompt tokens from the cache |`);
} finally {
  await lab.close();
}
