/**
 * Messages between the page and the training worker (workers/train.worker.ts). The worker owns
 * the trainer and saves checkpoints to IndexedDB itself, so a closed tab loses at most the steps
 * since the last save.
 */
import type { DpoRow, SftRow } from '../data/trees-io.js';
import type { StepMetrics, TrainSettings } from './trainer.js';

export interface TrainJobSpec {
  /** Catalogue id of the start model (the DPO reference). */
  base: string;
  /** Folder URL of the start model's files, e.g. /models/tiny-a/. */
  baseUrl: string;
  device: 'webgpu' | 'wasm';
  /** Rows as `lab extract` writes them; `objective` in settings says which are used. */
  dpoRows?: DpoRow[];
  sftRows?: SftRow[];
  /** Where the rows came from (file name or "Data view"), for messages and the checkpoint. */
  dataName: string;
  settings: TrainSettings;
  /** Examples per optimizer step and the data-order seed. */
  batch: number;
  seed: number;
  /** Every K steps: save a checkpoint and answer the probe problems (0: only at the end). */
  probeEvery: number;
  probes: { family: string; count: number; seed: number; maxTokens: number };
  /** IndexedDB id of the checkpoint this run writes (and, with `resume`, continues). */
  checkpointId: string;
  name: string;
  resume?: boolean;
  /** Start paused: the page sends `step` for each step (teaching mode). */
  paused?: boolean;
}

export type ToTrainWorker = { type: 'start'; spec: TrainJobSpec } | { type: 'pause' } | { type: 'resume' } | { type: 'step' } | { type: 'stop' };

/** One probe answer: what the model says now to a fixed problem. */
export interface ProbeResult {
  question: string;
  text: string;
  tokens: number;
  boxed: boolean;
  correct: boolean;
  finish: string;
}

export type TrainMetrics = StepMetrics & { 'tokens/s': number };

export type FromTrainWorker =
  | { type: 'phase'; phase: 'load' | 'reference' | 'train' | 'probe' | 'save'; detail?: string }
  | { type: 'metrics'; metrics: TrainMetrics }
  | { type: 'probe'; step: number; results: ProbeResult[] }
  | { type: 'saved'; id: string; step: number }
  | { type: 'paused'; step: number }
  | { type: 'done'; step: number; stopped: boolean; id: string }
  | { type: 'error'; message: string; step: number; savedStep: number | null };
