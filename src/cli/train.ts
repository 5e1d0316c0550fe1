/** `lab train`: SFT and DPO-family fine-tuning of an embedded model into a checkpoint folder. */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDevice, init } from '@jax-js/jax';
import { parseDpoRows, parseSftRows } from '../data/trees-io.js';
import type { DpoLossType } from '../dpo/losses.js';
import { modelFolder } from '../engines/ort/node.js';
import { ChatTokenizer } from '../engines/ort/tokenizer.js';
import { fixedShape, type Example } from '../train/batch.js';
import { CHECKPOINT_SCHEMA, checkpointFiles, stateFromFiles, type CheckpointMeta } from '../train/checkpoint.js';
import { dpoExamples, sftExamples } from '../train/data.js';
import { modelConfig } from '../train/model.js';
import { readHfWeights } from '../train/onnx-weights.js';
import { runTraining, splitHeldOut } from '../train/run.js';
import type { ScheduleKind } from '../train/schedule.js';
import { DEFAULT_SETTINGS, JaxTrainer, prepareReference, type StepMetrics, type TrainSettings } from '../train/trainer.js';
import { num, parse, UsageError } from './args.js';
import { readCheckpointMeta, readModelFolder, writeCheckpointDir } from './checkpoints.js';
import { startedThreads, threadsFlag } from './jax-threads.js';

const HELP = `lab train --model tiny-a (--sft sft.jsonl | --dpo dpo.jsonl) --out checkpoints/NAME
        [--loss sigmoid|cdpo|ipo|robust|hinge] [--beta 0.1] [--eps 0.1] [--alpha 0] [--mask-common-prefix]
        [--lr 5e-5] [--warmup 0] [--schedule linear|cosine|constant] [--clip 1] [--weight-decay 0]
        [--steps N | --epochs E] [--batch 8] [--micro-batch 8] [--seed 1]
        [--eval-every K] [--eval-rows 0] [--threads all] [--resume] [--json]
  --model      the start (and DPO reference) model: a catalogue id or a checkpoint folder
  --sft/--dpo  TRL JSONL as \`lab extract\` writes it (messages / prompt, chosen, rejected)
  --alpha      joint objective: dpo_loss + alpha * nll_loss (NLL of the chosen tokens)
  --eval-every every K steps: eval/ metrics on --eval-rows held-out pairs, and save the checkpoint
  --threads    wasm worker threads (default: every core; 1: single-threaded); results do not depend on it
  --resume     continue the checkpoint in --out from its last saved step (same data, same order)
Writes --out/{onnx/model.onnx, model.safetensors, optimizer.safetensors, trainer_state.json,
metrics.jsonl, config and tokenizer files}; Ctrl-C saves the last finished step and exits.`;

const LOSSES = ['sigmoid', 'cdpo', 'ipo', 'robust', 'hinge'];

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
}

const fmt = (x: number | undefined) => (x === undefined ? '-' : Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2));

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

export async function trainCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const v = parse('train', argv, {
    model: { type: 'string' }, sft: { type: 'string' }, dpo: { type: 'string' }, out: { type: 'string' },
    loss: { type: 'string' }, beta: { type: 'string' }, eps: { type: 'string' }, alpha: { type: 'string' }, 'mask-common-prefix': { type: 'boolean' },
    lr: { type: 'string' }, warmup: { type: 'string' }, schedule: { type: 'string' }, clip: { type: 'string' }, 'weight-decay': { type: 'string' },
    steps: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' }, 'micro-batch': { type: 'string' }, seed: { type: 'string' },
    'eval-every': { type: 'string' }, 'eval-rows': { type: 'string' }, threads: { type: 'string' }, resume: { type: 'boolean' }, json: { type: 'boolean' },
  });
  if (v.help) return out(HELP);
  if (typeof v.model !== 'string') throw new UsageError('lab train: --model is required, e.g. --model tiny-a');
  if ((typeof v.sft === 'string') === (typeof v.dpo === 'string')) throw new UsageError('lab train: give exactly one of --sft FILE or --dpo FILE (the outputs of `lab extract`)');
  if (typeof v.out !== 'string') throw new UsageError('lab train: --out is required, e.g. --out checkpoints/dpo-1');
  const outDir = v.out;
  const modelId = v.model;
  if (v.steps !== undefined && v.epochs !== undefined) throw new UsageError('lab train: give --steps or --epochs, not both');
  const loss = (v.loss as string | undefined) ?? 'sigmoid';
  if (!LOSSES.includes(loss)) throw new UsageError(`lab train: --loss must be one of ${LOSSES.join(', ')}, got "${loss}"`);
  const schedule = ((v.schedule as string | undefined) ?? 'linear') as ScheduleKind;
  if (!['linear', 'cosine', 'constant'].includes(schedule)) throw new UsageError('lab train: --schedule must be linear, cosine or constant');
  const objective = typeof v.sft === 'string' ? 'sft' : 'dpo';
  const dataFile = (v.sft ?? v.dpo) as string;
  const batch = num('train', 'batch', v.batch, 8, 1, 4096);
  const seed = num('train', 'seed', v.seed, 1, 0, 2 ** 31);
  const settings: TrainSettings = {
    ...DEFAULT_SETTINGS,
    objective,
    dpo: {
      loss: loss as DpoLossType,
      beta: num('train', 'beta', v.beta, 0.1, 1e-6, 1e3, true),
      eps: num('train', 'eps', v.eps, loss === 'cdpo' || loss === 'robust' ? 0.1 : 0, 0, 0.4999, true),
      alpha: num('train', 'alpha', v.alpha, 0, 0, 1e3, true),
      maskCommonPrefix: !!v['mask-common-prefix'],
    },
    lr: num('train', 'lr', v.lr, 5e-5, 0, 1, true),
    warmup: num('train', 'warmup', v.warmup, 0, 0, 1e6),
    schedule,
    clip: num('train', 'clip', v.clip, 1, 0, 1e6, true),
    weightDecay: num('train', 'weight-decay', v['weight-decay'], 0, 0, 1, true),
    microBatch: num('train', 'micro-batch', v['micro-batch'], Math.min(batch, 8), 1, 4096),
    steps: 0,
  };

  // Model, tokenizer and data, all checked before any training starts.
  const baseDir = modelFolder(v.model);
  const base = readModelFolder(baseDir);
  const cfg = modelConfig(base.config, join(baseDir, 'config.json'));
  const tok = new ChatTokenizer(base.tokenizer, base.tokenizerConfig, base.generationConfig);
  const trainTok = { prompt: (m: Parameters<ChatTokenizer['prompt']>[0]) => tok.prompt(m), encode: (s: string) => tok.encode(s), eos: [...tok.stopIds][0]! };
  const text = read(dataFile);
  const all: Example[] =
    objective === 'sft' ? sftExamples(parseSftRows(text, dataFile), trainTok, dataFile, cfg.maxPositions) : dpoExamples(parseDpoRows(text, dataFile), trainTok, dataFile, cfg.maxPositions);
  const evalRows = num('train', 'eval-rows', v['eval-rows'], 0, 0, 1e6);
  const { train, held } = splitHeldOut(all, evalRows, seed);
  const steps = v.steps !== undefined ? num('train', 'steps', v.steps, 1, 1, 1e7) : Math.max(1, Math.ceil((num('train', 'epochs', v.epochs, 1, 1, 1e4) * train.length) / batch));
  settings.steps = steps;
  settings.fixedLength = fixedShape(all, settings.microBatch, cfg.heads, cfg.maxPositions).T;

  // The thread count was applied before jax-js loaded (main.ts); here it is only validated.
  threadsFlag('train', argv);
  await init('wasm');
  defaultDevice('wasm');
  let meta: CheckpointMeta | null = null;
  if (v.resume) {
    if (!existsSync(join(v.out, 'trainer_state.json'))) throw new Error(`--resume: ${v.out} has no saved checkpoint (trainer_state.json); start without --resume`);
    meta = readCheckpointMeta(v.out)!;
    if (meta.data.file !== dataFile || meta.data.rows !== all.length) throw new Error(`--resume: ${v.out} was trained on ${meta.data.file} (${meta.data.rows} rows), not ${dataFile} (${all.length} rows)`);
  } else if (existsSync(join(v.out, 'trainer_state.json'))) {
    throw new Error(`${v.out} already holds a checkpoint: pass --resume to continue it, or choose another --out`);
  }
  // The frozen reference is the start model; its log-probs are computed once, before any update.
  const baseWeights = readHfWeights(base.onnx);
  if (objective === 'dpo') {
    const ref = new JaxTrainer(cfg, baseWeights, settings, tok.padId);
    const t0 = performance.now();
    await prepareReference(ref, [...train, ...held]);
    ref.dispose();
    out(`reference log-probs of ${all.length} pairs from ${v.model} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const start = meta
    ? stateFromFiles(new Uint8Array(readFileSync(join(v.out, 'onnx', 'model.onnx'))), new Uint8Array(readFileSync(join(v.out, 'model.safetensors'))), new Uint8Array(readFileSync(join(v.out, 'optimizer.safetensors'))), meta.step)
    : baseWeights;
  const trainer = new JaxTrainer(cfg, start, settings, tok.padId);
  const metricsFile = join(v.out, 'metrics.jsonl');
  const pending: string[] = [];
  let stop = false;
  const onSigint = () => {
    stop = true;
    out('stopping after this step; saving the checkpoint…');
  };
  process.once('SIGINT', onSigint);
  const t0 = performance.now();
  let tokens = 0;
  const startStep = meta?.step ?? 0;
  const settingsRecord = { ...settings, dpo: { ...settings.dpo }, batch, seed, evalRows } as unknown as Record<string, unknown>;
  try {
    const res = await runTraining(trainer, train, {
      steps,
      batch,
      seed,
      startStep,
      startConsumed: meta?.consumed ?? 0,
      evalEvery: num('train', 'eval-every', v['eval-every'], 0, 0, 1e7),
      heldOut: held,
      shouldStop: () => stop,
      onStep: (m: StepMetrics) => {
        tokens += m.tokens;
        const secs = (performance.now() - t0) / 1000;
        const rate = tokens / secs;
        const eta = ((steps - m.step) * secs) / Math.max(1, m.step - startStep);
        pending.push(JSON.stringify({ ...m, 'tokens/s': rate }));
        if (v.json) out(JSON.stringify({ ...m, 'tokens/s': rate }));
        else
          out(
            `step ${m.step}/${steps}  loss ${fmt(m.loss)}` +
              (objective === 'dpo' ? `  margins ${fmt(m['rewards/margins'])}  acc ${fmt(m['rewards/accuracies'])}  chosen ${fmt(m['rewards/chosen'])}  rejected ${fmt(m['rewards/rejected'])}` : '') +
              `  nll ${fmt(m.nll_loss)}  grad_norm ${fmt(m.grad_norm)}  lr ${m.learning_rate.toExponential(2)}  ${rate.toFixed(0)} tok/s  ETA ${duration(eta)}`,
          );
      },
      onEval: (m, step) => {
        pending.push(JSON.stringify({ step, ...m }));
        out(`eval @ step ${step}: ${Object.entries(m).map(([k, x]) => `${k} ${fmt(x)}`).join('  ')}`);
      },
      onSave: async (step, consumed) => {
        const state = await trainer.state();
        const m: CheckpointMeta = {
          schema: CHECKPOINT_SCHEMA, base: meta?.base ?? modelId, step, steps, settings: settingsRecord, data: { file: dataFile, rows: all.length }, consumed, created: new Date().toISOString(),
        };
        const prev = existsSync(metricsFile) ? readFileSync(metricsFile) : new Uint8Array(0);
        const files = checkpointFiles(base, state, m);
        const lines = new TextEncoder().encode(pending.map((l) => l + '\n').join(''));
        const merged = new Uint8Array(prev.length + lines.length);
        merged.set(prev);
        merged.set(lines, prev.length);
        files.set('metrics.jsonl', merged);
        writeCheckpointDir(outDir, files);
        pending.length = 0;
      },
    });
    out(`${res.stopped ? 'stopped' : 'done'}: step ${res.step}/${steps}, checkpoint ${v.out} (use it as --model ${v.out}); jax-js wasm on ${Math.max(1, startedThreads())} thread(s)`);
  } finally {
    process.removeListener('SIGINT', onSigint);
    trainer.dispose();
    // Keep metrics of steps after the last save: the checkpoint is older, but the numbers were seen.
    if (pending.length && existsSync(v.out)) appendFileSync(metricsFile, pending.map((l) => l + '\n').join(''));
  }
}
