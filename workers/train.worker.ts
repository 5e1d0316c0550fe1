/// <reference lib="webworker" />
/**
 * The training worker: the jax-js trainer (WebGPU or wasm) on the start model's files, a seeded
 * data order, checkpoints saved to IndexedDB every K steps and at the end, and probe answers from
 * the checkpoint (onnxruntime-web, greedy) so the page can show what the model says now. The UI
 * thread never trains. Pause / step / resume / stop arrive between steps.
 */
import { defaultDevice, getWebGPUDevice, init } from '@jax-js/jax';
import { createWebEngine, fetchWithProgress } from '../src/engines/ort/web.js';
import { ChatTokenizer } from '../src/engines/ort/tokenizer.js';
import { CheckpointStore, ENGINE_FILES } from '../src/store/checkpoints.js';
import { generateProblems, family } from '../src/tasks/index.js';
import { fixedShape, type Example } from '../src/train/batch.js';
import { CHECKPOINT_SCHEMA, checkpointFiles, stateFromFiles, type CheckpointMeta, type ModelFolder } from '../src/train/checkpoint.js';
import { dpoExamples, sftExamples, TokenizerMismatchError } from '../src/train/data.js';
import { modelConfig } from '../src/train/model.js';
import { readHfWeights } from '../src/train/onnx-weights.js';
import type { FromTrainWorker, ProbeResult, ToTrainWorker, TrainJobSpec, TrainMetrics } from '../src/train/protocol.js';
import { DataOrder } from '../src/train/run.js';
import { JaxTrainer, NonFiniteLossError, prepareReference } from '../src/train/trainer.js';

const post = (m: FromTrainWorker) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m);

let mode: 'run' | 'pause' | 'stop' = 'run';
let stepsAllowed = 0;
let wake: (() => void) | null = null;
const nudge = () => {
  wake?.();
  wake = null;
};

/** Wait until a step may run; false when the run should stop. */
async function gate(): Promise<boolean> {
  for (;;) {
    if (mode === 'stop') return false;
    if (mode === 'run') return true;
    if (stepsAllowed > 0) {
      stepsAllowed--;
      return true;
    }
    await new Promise<void>((r) => (wake = r));
  }
}

async function fetchFiles(baseUrl: string): Promise<Uint8Array[]> {
  return Promise.all(
    // The engines' download: on a first visit it survives the service worker precaching the same files.
    ENGINE_FILES.map((f) => fetchWithProgress(baseUrl + f, `${f} of the start model`)),
  );
}

const json = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

async function probe(spec: TrainJobSpec, files: Map<string, Uint8Array>): Promise<ProbeResult[]> {
  const engine = await createWebEngine(`${spec.base}-probe`, ENGINE_FILES.map((f) => files.get(f)!), 'wasm', 0);
  try {
    const fam = family(spec.probes.family);
    const out: ProbeResult[] = [];
    for (const p of generateProblems(spec.probes.family, spec.probes.count, spec.probes.seed)) {
      const [c] = await engine.generate({ messages: [{ role: 'user', content: p.question }], n: 1, temperature: 0, maxTokens: spec.probes.maxTokens, seed: 0 });
      const v = fam.verify(p, c!.text);
      out.push({ question: p.question, text: c!.text, tokens: c!.tokens.length, boxed: /\\boxed\{/.test(c!.text), correct: v.correct, finish: c!.finishReason });
    }
    return out;
  } finally {
    await engine.dispose();
  }
}

/** The GPU device went away (driver reset, GPU process crash, another tab's loss, destroy()). */
class DeviceLostError extends Error {
  constructor(readonly info: GPUDeviceLostInfo) {
    super(`the GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''})`);
  }
}

/**
 * Rejects with DeviceLostError once jax-js's GPU device is lost (never on wasm). Work on a lost
 * device fails with unrelated words ("Buffer was unmapped before mapping was resolved", measured)
 * or could wait forever, so each GPU task races this.
 */
function watchDevice(device: 'webgpu' | 'wasm'): { lost: Promise<never> | null; info: () => GPUDeviceLostInfo | null } {
  if (device !== 'webgpu') return { lost: null, info: () => null };
  let info: GPUDeviceLostInfo | null = null;
  const lost = getWebGPUDevice().lost.then((i) => {
    info = i;
    throw new DeviceLostError(i);
  });
  lost.catch(() => {}); // handled by whoever races it; no unhandled rejection when nobody does
  return { lost, info: () => info };
}

/** The page's one message for a failed run: what went wrong, at which step, and what was kept. */
function failure(e: Error, doing: string, savedStep: number | null): string {
  // Bad input fails while loading, before there is anything to keep: then the message stands alone.
  const kept = savedStep !== null ? `The checkpoint saved at step ${savedStep} is kept: Resume continues from it.` : doing === 'loading' ? '' : 'No checkpoint had been saved yet.';
  if (e instanceof DeviceLostError) return `The GPU device was lost during ${doing} (${e.info.reason}${e.info.message ? `: ${e.info.message}` : ''}). ${kept} If the GPU keeps failing, choose the wasm device before resuming.`;
  if (e instanceof TokenizerMismatchError)
    return `${e.fact}: in the Data view, choose this model as "Model (perplexity, prefix tokens)" and extract the pairs again, or train the model they were extracted for. ${kept}`.trimEnd();
  if (e instanceof NonFiniteLossError)
    return `Training diverged at step ${e.step}: the loss is ${e.loss} and the gradient norm ${e.gradNorm}. Lower the learning rate (e.g. by 10x) before resuming, or start again with it. ${kept}`;
  return kept ? `${e.message.replace(/\.?$/, '.')} ${kept}` : e.message;
}

async function run(spec: TrainJobSpec): Promise<void> {
  mode = spec.paused ? 'pause' : 'run';
  let step = 0;
  let savedStep: number | null = null;
  let doing = 'loading';
  let gpu: ReturnType<typeof watchDevice> = { lost: null, info: () => null };
  const guard = <T>(p: Promise<T>): Promise<T> => (gpu.lost ? Promise.race([p, gpu.lost]) : p);
  try {
    post({ type: 'phase', phase: 'load', detail: `${spec.base} on ${spec.device}` });
    const devices = await init(spec.device);
    if (!devices.includes(spec.device)) throw new Error(spec.device === 'webgpu' ? 'WebGPU is not available to the trainer in this browser: choose the wasm device' : `the ${spec.device} device could not start`);
    defaultDevice(spec.device);
    gpu = watchDevice(spec.device);
    const raw = await fetchFiles(spec.baseUrl);
    const base: ModelFolder = { config: json(raw[0]!), generationConfig: json(raw[1]!), tokenizer: json(raw[2]!), tokenizerConfig: json(raw[3]!), onnx: raw[4]! };
    const cfg = modelConfig(base.config, `${spec.base}/config.json`);
    const tok = new ChatTokenizer(base.tokenizer, base.tokenizerConfig, base.generationConfig);
    const s = { ...spec.settings };
    const tt = { prompt: (m: Parameters<ChatTokenizer['prompt']>[0]) => tok.prompt(m), encode: (s: string) => tok.encode(s), eos: [...tok.stopIds][0]! };
    const examples: Example[] = s.objective === 'sft' ? sftExamples(spec.sftRows ?? [], tt, spec.dataName, cfg.maxPositions) : dpoExamples(spec.dpoRows ?? [], tt, spec.dataName, cfg.maxPositions);
    if (examples.length === 0) throw new Error(`${spec.dataName}: no ${s.objective === 'sft' ? 'SFT rows' : 'DPO pairs'} to train on`);
    s.fixedLength = fixedShape(examples, s.microBatch, cfg.heads, cfg.maxPositions).T;
    const store = await CheckpointStore.open();
    const baseWeights = readHfWeights(base.onnx);
    let consumed = 0;
    let metrics: Record<string, number>[] = [];
    let start = null;
    let createdAt = Date.now();
    if (spec.resume) {
      const rec = await store.get(spec.checkpointId);
      if (rec.base !== spec.base) throw new Error(`checkpoint "${rec.name}" was trained from ${rec.base}: choose ${rec.base} as the start model to resume it`);
      start = stateFromFiles(rec.files['onnx/model.onnx']!, rec.files['model.safetensors'] ?? null, rec.files['optimizer.safetensors'] ?? null, rec.step);
      consumed = rec.consumed;
      metrics = rec.metrics;
      createdAt = rec.createdAt;
      step = rec.step;
      savedStep = rec.step;
    }
    if (s.objective === 'dpo') {
      post({ type: 'phase', phase: 'reference', detail: `${examples.length} pairs` });
      doing = 'the reference pass';
      const ref = new JaxTrainer(cfg, baseWeights, s, tok.padId);
      await guard(prepareReference(ref, examples));
      ref.dispose();
    }
    const trainer = new JaxTrainer(cfg, start ?? baseWeights, s, tok.padId);
    const order = new DataOrder(examples.length, spec.seed);
    const save = async (): Promise<Map<string, Uint8Array>> => {
      post({ type: 'phase', phase: 'save', detail: `step ${step}` });
      doing = `the save of step ${step}`;
      const state = await guard(trainer.state());
      // The view's settings too, so Resume after a reload restarts the run as it was set up.
      const view = { batch: spec.batch, seed: spec.seed, data: spec.dataName, device: spec.device, probeEvery: spec.probeEvery, probeFamily: spec.probes.family };
      const settings = { ...s, ...view } as unknown as Record<string, unknown>;
      const data = { file: spec.dataName, rows: examples.length };
      const meta: CheckpointMeta = { schema: CHECKPOINT_SCHEMA, base: spec.base, step, steps: s.steps, settings, data, consumed, created: new Date().toISOString() };
      const files = checkpointFiles(base, state, meta);
      const rows = spec.sftRows ? { sft: spec.sftRows } : { dpo: spec.dpoRows ?? [] };
      const record = { id: spec.checkpointId, name: spec.name, base: spec.base, step, steps: s.steps, settings, files: Object.fromEntries(files), metrics, consumed, rows };
      await store.put({ ...record, createdAt, updatedAt: Date.now() });
      savedStep = step;
      post({ type: 'saved', id: spec.checkpointId, step });
      return files;
    };
    const t0 = performance.now();
    let tokens = 0;
    let stopped = false;
    post({ type: 'phase', phase: 'train' });
    while (step < s.steps) {
      if (mode === 'pause' && stepsAllowed === 0) post({ type: 'paused', step });
      if (!(await gate())) {
        stopped = true;
        break;
      }
      doing = `step ${step + 1}`;
      const m = await guard(trainer.step(order.take(consumed, spec.batch).map((i) => examples[i]!)));
      consumed += spec.batch;
      step = m.step;
      tokens += m.tokens;
      const tm: TrainMetrics = { ...m, 'tokens/s': tokens / ((performance.now() - t0) / 1000) };
      metrics.push(tm as unknown as Record<string, number>);
      post({ type: 'metrics', metrics: tm });
      if (spec.probeEvery > 0 && step % spec.probeEvery === 0 && step < s.steps) {
        const files = await save();
        post({ type: 'phase', phase: 'probe', detail: `step ${step}` });
        doing = `the probe answers of step ${step}`;
        post({ type: 'probe', step, results: await probe(spec, files) });
        post({ type: 'phase', phase: 'train' });
      }
    }
    const files = await save();
    if (!stopped) post({ type: 'probe', step, results: await probe(spec, files) });
    trainer.dispose();
    store.close();
    post({ type: 'done', step, stopped, id: spec.checkpointId });
  } catch (e) {
    let err = e as Error;
    // The task that failed may report before the device's own `lost` does: give it a moment.
    if (gpu.lost && !(err instanceof DeviceLostError)) await Promise.race([gpu.lost.catch(() => {}), new Promise((r) => setTimeout(r, 200))]);
    const info = gpu.info();
    if (info && !(err instanceof DeviceLostError)) err = new DeviceLostError(info);
    post({ type: 'error', step, savedStep, message: failure(err, doing, savedStep) });
  }
}

self.onmessage = (ev: MessageEvent<ToTrainWorker>) => {
  const msg = ev.data;
  if (msg.type === 'start') void run(msg.spec);
  else if (msg.type === 'pause') mode = 'pause';
  else if (msg.type === 'resume') {
    mode = 'run';
    nudge();
  } else if (msg.type === 'step') {
    stepsAllowed++;
    nudge();
  } else if (msg.type === 'stop') {
    mode = 'stop';
    nudge();
  }
};
