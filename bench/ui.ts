/**
 * UI benchmark on the production build in headless Chromium (SwiftShader WebGPU):
 *   npx tsx bench/ui.ts [--repeats 3]
 * - time to interactive: navigation start → tabs rendered and the recorded demo tree on screen
 *   (first visit, cold cache) and again on a reload with the service worker in control;
 * - model load: tiny-a click → "ready" on WebGPU and on wasm (download, session, warm-up);
 * - first expansion latency: Run on a letters search → the first child node in the live tree,
 *   on each device, side by side in one run;
 * - the Search view's tree diagram on a 200-node tree: drawing it and stepping the replay, beside
 *   the list (bench/ui-diagram.ts). `--only diagram` runs just this part.
 * - training steps/s and tokens/s in the Train view's worker, WebGPU vs wasm on the same pairs
 *   (bench/ui-train.ts). `--only train` runs just this part; `--train-steps 3` timed steps after
 *   `--train-warmup 1`, `--train-batch 8` pairs per step, `--train-repeats 1` (alternating order).
 * Prints tables for bench/RESULTS.md.
 */
import { openBuiltLab } from '../tests/e2e/built-lab.js';
import { benchDiagram, diagramRows } from './ui-diagram.js';
import { benchTrain, trainRows, type TrainBenchOptions } from './ui-train.js';

const arg = (n: string) => (process.argv.includes(`--${n}`) ? process.argv[process.argv.indexOf(`--${n}`) + 1] : undefined);
const repeats = Number(arg('repeats') || 3) || 3;
const only = arg('only') ?? null;
if (only !== null && only !== 'diagram' && only !== 'train') throw new Error(`bench/ui.ts: --only takes diagram or train, not "${only}"`);
const train: TrainBenchOptions = {
  steps: Number(arg('train-steps') ?? 3),
  warmup: Number(arg('train-warmup') ?? 1),
  batch: Number(arg('train-batch') ?? 8),
  repeats: Number(arg('train-repeats') ?? 1),
};
if (!(train.steps >= 1 && train.warmup >= 0 && train.batch >= 1 && train.repeats >= 1)) {
  throw new Error('bench/ui.ts: --train-steps, --train-batch and --train-repeats must be >= 1, --train-warmup >= 0');
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const lab = await openBuiltLab('/');
const page = lab.page;
const go = (hash: string) => page.evaluate((h) => (location.hash = h), hash);

async function tti(): Promise<number> {
  await page.getByRole('tab', { name: 'Models' }).waitFor();
  await go('#view=search');
  await page.getByRole('treeitem').first().waitFor({ timeout: 60_000 });
  return page.evaluate(() => performance.now());
}

if (only === 'diagram') {
  const rows = diagramRows(await benchDiagram(page, Math.max(repeats, 5)));
  await lab.close();
  console.log(`| measurement | median | runs |\n|---|---|---|`);
  for (const r of rows) console.log(r);
  process.exit(0);
}
if (only === 'train') {
  const runs = await benchTrain(page, train);
  await lab.close();
  for (const r of trainRows(runs, train)) console.log(r);
  process.exit(0);
}

const cold = await tti();
await page.evaluate(async () => navigator.serviceWorker.ready);
const warm: number[] = [];
for (let i = 0; i < repeats; i++) {
  await page.goto(lab.url + '/');
  warm.push(await tti());
}

const rows: string[] = [];
for (const device of ['webgpu', 'wasm'] as const) {
  const loads: number[] = [];
  const firsts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    await go('#view=models');
    await page.locator('lab-models-view #device').selectOption(device);
    const row = page.locator('lab-models-view tr[data-model="tiny-a"]');
    if (await row.locator('button.unload').count()) await row.locator('button.unload').click();
    const t0 = Date.now();
    await row.locator('button.load').click();
    await row.locator('.phase', { hasText: `ready (${device})` }).waitFor({ timeout: 180_000 });
    loads.push(Date.now() - t0);
    await go(`#view=search&task=letters&problem=${i}&rollouts=2&seed=${i + 1}&think=tiny-a&reflect=tiny-a`);
    const t1 = Date.now();
    await page.locator('lab-search-settings #run').click();
    await page.locator('li[role=treeitem][data-id="1"]').waitFor({ timeout: 180_000 });
    firsts.push(Date.now() - t1);
    await page.getByText(/^Finished/).waitFor({ timeout: 300_000 });
  }
  rows.push(`| tiny-a on ${device}: load (download + session + warm-up) | ${median(loads)} ms | ${loads.join(', ')} |`);
  rows.push(`| tiny-a on ${device}: first expansion (Run → first child node on screen) | ${median(firsts)} ms | ${firsts.join(', ')} |`);
}
// A fresh page: after the runs above the Search view shows its own last search, not the session's trees.
await page.goto(lab.url + '/');
rows.push(...diagramRows(await benchDiagram(page, Math.max(repeats, 5))));
await page.goto(lab.url + '/');
const trainRuns = await benchTrain(page, train);
await lab.close();

console.log(`| measurement | median | runs |\n|---|---|---|`);
console.log(`| time to interactive, first visit (tabs + demo tree) | ${Math.round(cold)} ms | 1 |`);
console.log(`| time to interactive, reload with the service worker | ${Math.round(median(warm))} ms | ${warm.map(Math.round).join(', ')} |`);
for (const r of rows) console.log(r);
console.log('');
for (const r of trainRows(trainRuns, train)) console.log(r);
