/**
 * Training part of bench/ui.ts: the real Train view of the production build trains tiny-a with
 * sigmoid DPO in its worker (workers/train.worker.ts), on WebGPU and on wasm, side by side in one
 * run, on the same deterministic pairs (letters problems and their solver's right and slipped
 * traces, built here, imported through the view's file input) and the same seed.
 * Step times come from the worker's own clock: each step's metrics carry the run's cumulative
 * `tokens/s` since the first step began, so elapsed = cumulative tokens / tokens/s, and message
 * latency to the page is not counted. The first `warmup` steps (jit compilation, first buffers)
 * are left out of steps/s and tokens/s.
 */
import type { Page } from 'playwright-core';
import { Rng } from '../src/core/rng.js';
import { family, generateProblems } from '../src/tasks/index.js';

export interface TrainBenchOptions {
  /** Timed steps per run, after `warmup` untimed ones. */
  steps: number;
  warmup: number;
  /** Pairs per step (also the number of pairs in the file: every step sees all of them). */
  batch: number;
  /** Runs per device; the device order alternates between repeats so neither always goes first. */
  repeats: number;
}

export interface TrainRunTiming {
  device: 'webgpu' | 'wasm';
  stepsPerS: number;
  tokensPerS: number;
  /** Mean real (non-padding) tokens per timed step. */
  tokensPerStep: number;
  /** Seconds of the warm-up steps together. */
  warmupS: number;
  /** Start click → "Finished" (load, reference pass, steps, checkpoint save, the closing probe). */
  wallS: number;
  /** Seconds of every step, warm-up included (to see where the warm-up ends). */
  stepS: number[];
}

const NAME = 'bench-pairs.jsonl';

/** `count` letters DPO pairs in TRL's conversational JSONL: the solver's right trace vs its slip. */
export function benchPairs(count: number, seed = 16): string {
  const fam = family('letters');
  const node = (thinking: string, answer: string) => `<Thinking>${thinking}</Thinking><Answer>The answer is: \\boxed{${answer}}</Answer>`;
  const lines = generateProblems('letters', count, seed).map((p, i) => {
    const tr = fam.solve(p, new Rng(`bench-train:${seed}:${i}`));
    // Letters always has a slip (a missed or an extra count), so every problem gives a pair.
    if (tr.wrongThinking === null || tr.wrongAnswer === null) throw new Error(`${p.id}: the letters solver gave no wrong trace`);
    return JSON.stringify({
      prompt: [{ role: 'user', content: p.question }],
      chosen: [{ role: 'assistant', content: node(tr.thinking, tr.answer) }],
      rejected: [{ role: 'assistant', content: node(tr.wrongThinking, tr.wrongAnswer) }],
    });
  });
  return lines.join('\n') + '\n';
}

/** One training run in the Train view on `device`; the page must be the lab (any view). */
async function trainOnce(page: Page, device: 'webgpu' | 'wasm', o: TrainBenchOptions, jsonl: string): Promise<TrainRunTiming> {
  const total = o.steps + o.warmup;
  // tprobe=0: no checkpoint or probe between steps (the worker still saves and probes once at the end).
  await page.evaluate((h) => (location.hash = h), `#view=train&tsource=file&tsteps=${total}&tbatch=${o.batch}&tprobe=0&tdevice=${device}&tseed=1`);
  await page.locator('lab-train-view #train-file').setInputFiles({ name: NAME, mimeType: 'text/plain', buffer: Buffer.from(jsonl) });
  await page.locator('lab-train-view #train-status', { hasText: `${NAME}: ${o.batch} rows` }).waitFor();
  const t0 = Date.now();
  await page.locator('lab-train-view #train-start').click();
  const finished = page.locator('lab-train-view #train-status', { hasText: `Finished: ${total} steps` });
  const failed = page.locator('lab-train-view #train-error');
  await finished.or(failed).first().waitFor({ timeout: 1_200_000 });
  const wallS = (Date.now() - t0) / 1000;
  if (await failed.count()) throw new Error(`Train view on ${device}: ${await failed.textContent()}`);
  // The view's rows (a private Lit state field, reached from here as the table reads it).
  const rows = await page.evaluate(() => {
    const view = document.querySelector('lab-app')!.shadowRoot!.querySelector('lab-train-view') as unknown as { rows: { step: number; tokens: number; 'tokens/s': number }[] };
    return view.rows.map((r) => ({ step: r.step, tokens: r.tokens, tps: r['tokens/s'] }));
  });
  if (rows.length !== total) throw new Error(`Train view on ${device}: ${rows.length} metric rows, expected ${total}`);
  let cum = 0;
  const elapsed = rows.map((r) => (cum += r.tokens) / r.tps); // seconds since the first step began
  const warmupS = elapsed[o.warmup - 1] ?? 0;
  const timedS = elapsed[total - 1]! - warmupS;
  const timedTokens = rows.slice(o.warmup).reduce((a, r) => a + r.tokens, 0);
  const stepS = elapsed.map((e, i) => e - (elapsed[i - 1] ?? 0));
  return { device, stepsPerS: o.steps / timedS, tokensPerS: timedTokens / timedS, tokensPerStep: timedTokens / o.steps, warmupS, wallS, stepS };
}

/** Train on both devices, alternating which goes first per repeat. */
export async function benchTrain(page: Page, o: TrainBenchOptions): Promise<TrainRunTiming[]> {
  const jsonl = benchPairs(o.batch);
  // Wait for the offline precache: a worker fetching model.onnx while the service worker precaches
  // it failed here with "Failed to fetch" (net::ERR_CACHE_WRITE_FAILURE), 2 of 2 first visits.
  await page.evaluate(async () => void (await navigator.serviceWorker.ready));
  const out: TrainRunTiming[] = [];
  for (let r = 0; r < o.repeats; r++) {
    for (const device of r % 2 === 0 ? (['webgpu', 'wasm'] as const) : (['wasm', 'webgpu'] as const)) {
      process.stderr.write(`train: repeat ${r + 1}, ${device} ...\n`);
      out.push(await trainOnce(page, device, o, jsonl));
    }
  }
  return out;
}

/** Rows for the RESULTS.md table (medians over repeats) and the WebGPU / wasm ratio. */
export function trainRows(runs: TrainRunTiming[], o: TrainBenchOptions): string[] {
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const by = (d: 'webgpu' | 'wasm') => runs.filter((r) => r.device === d);
  const sum = (d: 'webgpu' | 'wasm') => {
    const m = (f: (r: TrainRunTiming) => number) => med(by(d).map(f));
    return { sps: m((r) => r.stepsPerS), tps: m((r) => r.tokensPerS), tok: m((r) => r.tokensPerStep), warm: m((r) => r.warmupS), wall: m((r) => r.wallS) };
  };
  const g = sum('webgpu');
  const w = sum('wasm');
  // Per run: the warm-up steps' seconds, then "|", then the timed steps' seconds.
  const steps = (r: TrainRunTiming) => [r.stepS.slice(0, o.warmup), r.stepS.slice(o.warmup)].map((xs) => xs.map((x) => x.toFixed(1)).join(', ')).filter(Boolean).join(' \\| ');
  const row = (label: string, s: typeof g, d: 'webgpu' | 'wasm') =>
    `| ${label} | ${s.sps.toFixed(3)} | ${s.tps.toFixed(0)} | ${(1 / s.sps).toFixed(2)} s | ${s.warm.toFixed(1)} s | ${s.wall.toFixed(1)} s | ${by(d).map(steps).join('; ')} |`;
  return [
    `Train view worker, tiny-a sigmoid DPO, ${o.batch} pairs per step (~${Math.round(g.tok)} real tokens), ${o.steps} timed steps after ${o.warmup} warm-up, ${o.repeats} repeat(s) (medians)`,
    '| device | steps/s | tokens/s | s/step | warm-up steps | run wall (Start → Finished) | s per step, each run (warm-up \\| timed) |',
    '|---|---|---|---|---|---|---|',
    row('WebGPU', g, 'webgpu'),
    row('wasm', w, 'wasm'),
    `| WebGPU / wasm | ${(g.sps / w.sps).toFixed(2)}x | ${(g.tps / w.tps).toFixed(2)}x | | | | |`,
  ];
}
