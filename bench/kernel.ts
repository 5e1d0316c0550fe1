/**
 * Masked log-prob kernel benchmark in headless Chromium (vite + playwright-core, like the browser
 * tests), measured side by side in one run; ratios, not absolute speed claims. Here WebGPU is
 * SwiftShader — a CPU implementation — so the numbers say nothing about a real GPU.
 *  1. Kernel vs the CPU reference (src/dpo/logprobs.ts) on the same fp32 logits, all positions
 *     scored: T = 256 with V = 32,000 and with V = 151,936 (155 MB: tiled under the 128 MiB cap).
 *     The kernel is timed from a GPUBuffer (logits already on the GPU, the intended use) and from
 *     a Float32Array (upload included); bytes of logits read vs the minimum T x V x 4.
 *  2. Scoring DPO pairs on tiny-a with onnxruntime-web (WebGPU): logits kept on the GPU (kernel)
 *     vs read back to the CPU (CPU reference), the same session and forward passes. Each forward
 *     pass is waited for on the GPU (syncTiming), so the log-prob stage is timed on its own.
 *   npx tsx bench/kernel.ts [--repeats 3] [--pairs 64] [--score-repeats 1] [--no-score]
 */
import { openLab } from '../tests/browser/chromium.js';
import type { KernelBench, ScoreBench } from '../tests/browser/kernel-harness.js';

const args = process.argv.slice(2);
const flag = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1]! : d);
const repeats = Number(flag('repeats', '3'));
const pairs = Number(flag('pairs', '64'));
const scoreRepeats = Number(flag('score-repeats', '1'));
const withScore = !args.includes('--no-score');

const lab = await openLab('/tests/browser/kernel-harness.html');
try {
  await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 120_000 });
  const call = <T>(fn: string, arg: unknown) => lab.page.evaluate(([f, a]) => (globalThis as unknown as { kernelTest: Record<string,
    (x: unknown) => Promise<unknown>> }).kernelTest[f as string]!(a), [fn, arg] as const) as Promise<T>;
  const info = await call<Record<string, unknown>>('adapterInfo', undefined);
  const kernel: KernelBench[] = [];
  for (const V of [32_000, 151_936]) {
    process.stderr.write(`kernel: T = 256, V = ${V} ...\n`);
    kernel.push(await call<KernelBench>('benchKernel', { T: 256, V, repeats }));
  }
  let score: ScoreBench | null = null;
  if (withScore) {
    process.stderr.write(`scoring ${pairs} pairs on tiny-a (gpu-kept vs read-back) ...\n`);
    score = await call<ScoreBench>('benchScore', { pairs, repeats: scoreRepeats, syncTiming: true });
  }
  const r2 = (x: number) => Math.round(x * 100) / 100;
  console.log(JSON.stringify({ device: 'Chromium WebGPU (SwiftShader, CPU)', adapter: info, kernel, score }, null, 2));
  for (const k of kernel) {
    console.log(
      `kernel T=${k.T} V=${k.V} (${k.logitsMiB} MiB, ${k.tiles} tile(s), ${k.usesSubgroups ? 'subgroups' : 'shared memory'}): ` +
        `CPU reference ${r2(k.cpuMs)} ms, kernel from GPUBuffer ${r2(k.gpuFromBufferMs)} ms (${r2(k.cpuMs / k.gpuFromBufferMs)}x), ` +
        `from Float32Array ${r2(k.gpuFromArrayMs)} ms (${r2(k.cpuMs / k.gpuFromArrayMs)}x); bytes read / minimum T*V*4 = ${r2(k.bytesRead / k.minBytes)}; max |diff| ${k.maxAbsDiff.toExponential(2)}`,
    );
  }
  if (score) {
    console.log(
      `scoring ${score.pairs} pairs (tiny-a, V=${score.vocab}, ${score.forwardPasses} forward passes): logits kept on GPU ${r2(score.gpuTotalMs)} ms vs read back ${r2(score.readbackTotalMs)} ms ` +
        `(read-back / gpu-kept = ${r2(score.readbackTotalMs / score.gpuTotalMs)}x); log-prob stage ${r2(score.gpuLogprobMs)} vs ${r2(score.readbackLogprobMs)} ms; ` +
        `bytes to CPU ${score.bytesToCpuGpu} vs ${score.bytesToCpuReadback}; kernel bytes read / logits bytes = ${r2(score.kernelBytesRead / score.logitsBytes)}; max rel sum diff ${score.maxRelSumDiff.toExponential(2)}`,
    );
  }
} finally {
  await lab.close();
}
