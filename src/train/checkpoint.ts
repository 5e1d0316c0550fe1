/**
 * A checkpoint is a model folder like the embedded ones (config, tokenizer, `onnx/model.onnx`:
 * the base graph with the trained weights), plus `model.safetensors` (Hugging Face names),
 * `optimizer.safetensors` (AdamW moments) and `trainer_state.json`. So any engine loads it, and
 * `--resume` continues it exactly. Pure: the CLI writes the files, the browser stores them.
 */
import { readHfWeights, writeHfWeights, type NamedTensor } from './onnx-weights.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import type { TrainState } from './trainer.js';

export const CHECKPOINT_SCHEMA = 'reasoning-lab/checkpoint@1';

/** The files of a model folder, parsed (same shape as the engine's OrtModelFiles). */
export interface ModelFolder {
  config: Record<string, unknown>;
  generationConfig: Record<string, unknown>;
  tokenizer: object;
  tokenizerConfig: Record<string, unknown>;
  onnx: Uint8Array;
}

/** trainer_state.json */
export interface CheckpointMeta {
  schema: typeof CHECKPOINT_SCHEMA;
  /** The catalogue id (or checkpoint path) training started from: the reference model. */
  base: string;
  step: number;
  /** Optimizer steps the run was set up for. */
  steps: number;
  /** Settings of the run (objective, loss, lr ...), as given. */
  settings: Record<string, unknown>;
  /** The data file and its row count. */
  data: { file: string; rows: number };
  /** Examples consumed so far (position in the seeded data order). */
  consumed: number;
  created: string;
}

/** Relative path → contents of a checkpoint folder. */
export function checkpointFiles(base: ModelFolder, state: TrainState, meta: CheckpointMeta): Map<string, Uint8Array> {
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + '\n');
  const moments = new Map<string, NamedTensor>();
  for (const [k, t] of state.m) moments.set(`exp_avg.${k}`, t);
  for (const [k, t] of state.v) moments.set(`exp_avg_sq.${k}`, t);
  return new Map<string, Uint8Array>([
    ['config.json', json(base.config)],
    ['generation_config.json', json(base.generationConfig)],
    ['tokenizer.json', json(base.tokenizer)],
    ['tokenizer_config.json', json(base.tokenizerConfig)],
    ['onnx/model.onnx', writeHfWeights(base.onnx, state.weights)],
    ['model.safetensors', encodeSafetensors(state.weights, { step: String(state.step), base: meta.base })],
    ['optimizer.safetensors', encodeSafetensors(moments, { step: String(state.step) })],
    ['trainer_state.json', json(meta)],
  ]);
}

/** Parse trainer_state.json, naming the file and field on error. */
export function parseCheckpointMeta(text: string, file: string): CheckpointMeta {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (v.schema !== CHECKPOINT_SCHEMA) throw new Error(`${file}: field "schema" must be "${CHECKPOINT_SCHEMA}"`);
  for (const k of ['step', 'steps', 'consumed']) if (typeof v[k] !== 'number') throw new Error(`${file}: field "${k}" must be a number`);
  if (typeof v.base !== 'string') throw new Error(`${file}: field "base" must be a string`);
  return v as unknown as CheckpointMeta;
}

/**
 * The training state stored in a checkpoint: weights from model.safetensors (or, for a plain
 * model folder, from its ONNX graph) and moments from optimizer.safetensors when present.
 */
export function stateFromFiles(onnx: Uint8Array, weights: Uint8Array | null, optimizer: Uint8Array | null, step: number): TrainState {
  const w = weights ? decodeSafetensors(weights).tensors : readHfWeights(onnx);
  const m = new Map<string, NamedTensor>();
  const v = new Map<string, NamedTensor>();
  if (optimizer) {
    for (const [k, t] of decodeSafetensors(optimizer, 'optimizer.safetensors').tensors) {
      if (k.startsWith('exp_avg.')) m.set(k.slice(8), t);
      else if (k.startsWith('exp_avg_sq.')) v.set(k.slice(11), t);
    }
  }
  return { step, weights: w, m, v };
}
