/**
 * `npm run bench:gpu`: the Chromium benchmarks on a machine with a real GPU, in one call (about 5
 * minutes): headless Chromium drives the GPU through Vulkan (LAB_WEBGPU=gpu, see
 * tests/browser/chromium.ts), then
 *   1. bench/gpu-path.ts — KV and logits on the device vs read-everything: readback per decode
 *      step and per scored pair, decode tokens/s, pairs/s;
 *   2. bench/kernel.ts — the masked log-prob kernel vs the CPU reference, and pair scoring.
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

const run = (file: string, args: string[]) => {
  console.log(`\n## npx tsx ${file} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', file, ...args], { stdio: 'inherit', env: process.env, timeout: 280_000 });
  if (r.status !== 0) throw new Error(`${file} failed (exit ${r.status ?? r.signal})`);
};
run('bench/gpu-path.ts', quick ? ['--repeats', '1', '--tokens', '8', '--pairs', '2'] : ['--repeats', '4', '--tokens', '64', '--pairs', '64']);
run('bench/kernel.ts', quick ? ['--repeats', '1', '--pairs', '2'] : ['--repeats', '5', '--pairs', '64']);
