/**
 * Browser side of tests/browser/train.test.ts: the real trainer (jax-js on WebGPU or wasm) on the
 * real model files served by vite, and a checkpoint built in the page loaded by onnxruntime-web.
 */
import { defaultDevice, init } from '@jax-js/jax';
import { createWebEngine } from '../../src/engines/ort/web.js';
import { ChatTokenizer } from '../../src/engines/ort/tokenizer.js';
import type { DpoRow } from '../../src/data/trees-io.js';
import { CHECKPOINT_SCHEMA, checkpointFiles } from '../../src/train/checkpoint.js';
import { dpoExamples } from '../../src/train/data.js';
import { modelConfig } from '../../src/train/model.js';
import { readHfWeights } from '../../src/train/onnx-weights.js';
import { DEFAULT_SETTINGS, JaxTrainer, prepareReference, type StepMetrics } from '../../src/train/trainer.js';

const NAMES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

async function files(model: string): Promise<Uint8Array[]> {
  return Promise.all(NAMES.map(async (f) => new Uint8Array(await (await fetch(`/models/${model}/${f}`)).arrayBuffer())));
}

const parse = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

/** Train `steps` DPO steps on `rows` (all rows per step) and check the checkpoint in onnxruntime-web. */
async function train(device: 'webgpu' | 'wasm', model: string, rows: DpoRow[], steps: number, lr: number) {
  const devices = await init(device);
  if (!devices.includes(device)) throw new Error(`jax-js could not start ${device} (got ${devices.join(', ')})`);
  defaultDevice(device);
  const f = await files(model);
  const [config, generationConfig, tokenizer, tokenizerConfig] = f.slice(0, 4).map(parse);
  const cfg = modelConfig(config!);
  const tok = new ChatTokenizer(tokenizer!, tokenizerConfig!, generationConfig!);
  const ex = dpoExamples(rows, { prompt: (m) => tok.prompt(m), encode: (s) => tok.encode(s), eos: [...tok.stopIds][0]! }, 'pairs.jsonl', cfg.maxPositions);
  const settings = { ...DEFAULT_SETTINGS, lr, steps, microBatch: rows.length };
  const t0 = performance.now();
  const tr = new JaxTrainer(cfg, readHfWeights(f[4]!), settings, tok.padId);
  await prepareReference(tr, ex);
  const metrics: StepMetrics[] = [];
  for (let i = 0; i < steps; i++) metrics.push(await tr.step(ex));
  const ms = performance.now() - t0;
  const state = await tr.state();
  const ck = checkpointFiles({ config: config!, generationConfig: generationConfig!, tokenizer: tokenizer!, tokenizerConfig: tokenizerConfig!, onnx: f[4]! }, state, { schema: CHECKPOINT_SCHEMA, base: model, step: steps, steps, settings: {}, data: { file: 'pairs.jsonl', rows: rows.length }, consumed: steps * rows.length, created: '' });
  const engine = await createWebEngine(`${model}-ckpt`, NAMES.map((n) => ck.get(n)!), 'wasm', 0, '/ort/');
  const ids = ex[0]!.prompt;
  const ortLogits = (await engine.runner.forward([ids], engine.runner.emptyPast(1))).logits;
  const ours = await tr.forward([ids]);
  let diff = 0;
  for (let i = 0; i < ours.length; i++) diff = Math.max(diff, Math.abs(ours[i]! - ortLogits[i]!));
  await engine.dispose();
  tr.dispose();
  return { metrics, checkpointLogitDiff: diff, ms };
}

(globalThis as unknown as { labTest: unknown }).labTest = { train };
document.getElementById('status')!.textContent = 'ready';

/** Start a real training run, wait for its first saved checkpoint, then deliver a worker crash. */
async function crash(rowsText: string) {
  const { TrainRun } = await import('../../src/ui/train/train-client.js');
  const { parseDpoRows } = await import('../../src/data/trees-io.js');
  const { CheckpointStore } = await import('../../src/store/checkpoints.js');
  const worker = new Worker(new URL('../../workers/train.worker.ts', import.meta.url), { type: 'module' });
  const id = `crash-${Date.now()}`;
  let saved = 0;
  const run = new TrainRun(
    { base: 'tiny-a', baseUrl: '/models/tiny-a/', device: 'wasm', dpoRows: parseDpoRows(rowsText, 'p.jsonl'), dataName: 'p.jsonl', settings: { ...DEFAULT_SETTINGS, steps: 50, microBatch: 2 }, batch: 2, seed: 1, probeEvery: 1, probes: { family: 'letters', count: 1, seed: 1, maxTokens: 8 }, checkpointId: id, name: 'crash test' },
    { onSaved: () => saved++ },
    worker,
  );
  while (saved === 0) await new Promise((r) => setTimeout(r, 100));
  // What the browser delivers when a worker dies of an uncaught error (or is killed for memory).
  worker.dispatchEvent(new ErrorEvent('error', { message: 'simulated crash' }));
  const message = await run.done.then(
    () => 'finished',
    (e: Error) => e.message,
  );
  const store = await CheckpointStore.open();
  const rec = await store.get(id);
  store.close();
  return { message, step: rec.step };
}

(globalThis as unknown as { labTest: Record<string, unknown> }).labTest.crash = crash;
