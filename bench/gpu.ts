/**
 * `npm run bench:gpu`: the Chromium benchmarks on a machine with a real GPU, in one call (about 8
 * minutes): headless Chromium drives the GPU through Vulkan (LAB_WEBGPU=gpu, see
 * tests/browser/chromium.ts), then
 *   1. bench/gpu-path.ts — KV and logits on the device vs read-everything: readback per decode
 *      step and per scored pair, decode tokens/s, pairs/s;
 *   2. bench/kernel.ts — the masked log-prob kernel vs the CPU reference, and pair scoring;
 *   3. bench/ui.ts --only train — training steps/s and tokens/s in the Train view's worker of the
 *      production build, WebGPU vs wasm on the same pairs (the wasm side takes most of the time).
 * Refuses to run on a software adapter (SwiftShader, llvmpipe) unless --allow-software, since
 * its numbers say nothing about a GPU. `--quick` runs tiny sizes (a check that the command works,
 * e.g. `npm run bench:gpu -- --allow-software --quick` on SwiftShader). Needs Chromium
 * (CHROMIUM_PATH or /usr/bin/chromium).
 */
import { spawnSync } from 'node:child_process';
import { openLab } from '../tests/browser/chromium.js';

process.env.LAB_WEBGPU ??= 'gpu';
const allowSoftware = process.argv.includes('--allow-software');
const quick = process.argv.includes('--quick');

// WebGPU needs a secure context: ask from a page of the project's dev server (localhost).
const lab = await openLab('/tests/browser/gpu-path-harness.html');
const adapter = await lab.page.evaluate(async () => {
  const a = await (navigator as Navigator & { gpu?: GPU }).gpu?.requestAdapter();
  return a ? { text: `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim(), fallback: (a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true } : null;
});
await lab.close();
if (!adapter) throw new Error('bench:gpu: Chromium found no WebGPU adapter (Vulkan drivers missing? try LAB_WEBGPU=swiftshader to check the setup)');
const software = adapter.fallback || /swiftshader|llvmpipe|lavapipe/i.test(adapter.text);
console.log(`bench:gpu: adapter ${adapter.text}${software ? ' (software)' : ''}; ${new Date().toISOString()}`);
if (software && !allowSoftware) throw new Error('bench:gpu: this is a software adapter, not a GPU; pass --allow-software to run anyway');

// The limit stops a hung part; 280 s was too short for the --quick gpu-path part on SwiftShader on a
// loaded 2-core machine (killed at 280 s, 2026-12-01, load average 10-15).
const run = (file: string, args: string[], timeout = 600_000) => {
  console.log(`\n## npx tsx ${file} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', file, ...args], { stdio: 'inherit', env: process.env, timeout });
  if (r.status !== 0) throw new Error(`${file} failed (exit ${r.status ?? r.signal}${r.error ? `: ${r.error.message}` : ''}) after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`(${file}: ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
};
run('bench/gpu-path.ts', quick ? ['--repeats', '1', '--tokens', '8', '--pairs', '2'] : ['--repeats', '4', '--tokens', '64', '--pairs', '64']);
run('bench/kernel.ts', quick ? ['--repeats', '1', '--pairs', '2'] : ['--repeats', '5', '--pairs', '64']);
// The production build (about a minute) and the wasm steps (seconds each) need a longer limit.
run('bench/ui.ts', quick ? ['--only', 'train', '--train-steps', '1', '--train-warmup', '1', '--train-batch', '2'] : ['--only', 'train', '--train-steps', '8', '--train-warmup', '2'], 900_000);
