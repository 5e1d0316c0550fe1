/**
 * Train view settings in the lesson hash (keys prefixed `t`), bounded like `lab train`'s flags.
 * Pure, so lessons and tests build links without a page.
 */
import { numParam, type HashParams } from '../app/lesson-link.js';
import { DEFAULT_SETTINGS, type TrainSettings } from '../../train/trainer.js';
import type { DpoLossType } from '../../dpo/losses.js';

export type Objective = 'sft' | DpoLossType;
export const OBJECTIVES: Objective[] = ['sigmoid', 'cdpo', 'ipo', 'robust', 'hinge', 'sft'];

export interface TrainViewSettings {
  model: 'tiny-a' | 'tiny-b';
  /** Rows from the Data view's extracted pairs, or an imported JSONL file. */
  source: 'session' | 'file';
  objective: Objective;
  beta: number;
  eps: number;
  alpha: number;
  mask: boolean;
  lr: number;
  steps: number;
  batch: number;
  seed: number;
  /** '' = the Models view's rule (wasm on a software adapter). */
  device: '' | 'webgpu' | 'wasm';
  probeEvery: number;
  probeFamily: 'letters' | 'arithmetic' | 'wordproblems' | 'blocksworld';
  /** Start paused and advance one step per click (teaching). */
  stepMode: boolean;
}

export const DEFAULT_TRAIN_SETTINGS: TrainViewSettings = {
  model: 'tiny-a', source: 'session', objective: 'sigmoid', beta: 0.1, eps: 0.1, alpha: 0, mask: false, lr: 1e-4, steps: 24, batch: 8, seed: 1, device: '', probeEvery: 4, probeFamily: 'letters', stepMode: false,
};

const pick = <T extends string>(v: string | undefined, allowed: readonly T[], d: T): T => (allowed.includes(v as T) ? (v as T) : d);

export function trainSettingsFromHash(p: HashParams): TrainViewSettings {
  const d = DEFAULT_TRAIN_SETTINGS;
  return {
    model: pick(p.tmodel, ['tiny-a', 'tiny-b'] as const, d.model),
    source: pick(p.tsource, ['session', 'file'] as const, d.source),
    objective: pick(p.tobj, OBJECTIVES, d.objective),
    beta: numParam(p, 'tbeta', d.beta, 0.001, 10),
    eps: numParam(p, 'teps', d.eps, 0, 0.49),
    alpha: numParam(p, 'talpha', d.alpha, 0, 10),
    mask: p.tmask === '1',
    // As `lab train --lr` (at most 1): a rate that diverges is a lesson too, and the run says so.
    lr: numParam(p, 'tlr', d.lr, 1e-7, 1),
    steps: Math.round(numParam(p, 'tsteps', d.steps, 1, 10000)),
    batch: Math.round(numParam(p, 'tbatch', d.batch, 1, 256)),
    seed: Math.round(numParam(p, 'tseed', d.seed, 0, 2 ** 31)),
    device: pick(p.tdevice, ['', 'webgpu', 'wasm'] as const, d.device),
    probeEvery: Math.round(numParam(p, 'tprobe', d.probeEvery, 0, 10000)),
    probeFamily: pick(p.tfamily, ['letters', 'arithmetic', 'wordproblems', 'blocksworld'] as const, d.probeFamily),
    stepMode: p.tstep === '1',
  };
}

export function trainSettingsToHash(s: TrainViewSettings): Record<string, string | undefined> {
  const d = DEFAULT_TRAIN_SETTINGS;
  const v = <T>(x: T, dflt: T) => (x === dflt ? undefined : String(x));
  return {
    tmodel: v(s.model, d.model), tsource: v(s.source, d.source), tobj: v(s.objective, d.objective), tbeta: v(s.beta, d.beta), teps: v(s.eps, d.eps),
    talpha: v(s.alpha, d.alpha), tmask: s.mask ? '1' : undefined, tlr: v(s.lr, d.lr), tsteps: v(s.steps, d.steps), tbatch: v(s.batch, d.batch),
    tseed: v(s.seed, d.seed), tdevice: s.device || undefined, tprobe: v(s.probeEvery, d.probeEvery), tfamily: v(s.probeFamily, d.probeFamily), tstep: s.stepMode ? '1' : undefined,
  };
}

/** The trainer's settings for a view setting (linear decay, 2 warm-up steps at most, clip 1). */
export function trainerSettings(s: TrainViewSettings): TrainSettings {
  return {
    ...DEFAULT_SETTINGS,
    objective: s.objective === 'sft' ? 'sft' : 'dpo',
    dpo: { loss: s.objective === 'sft' ? 'sigmoid' : s.objective, beta: s.beta, eps: s.objective === 'cdpo' || s.objective === 'robust' ? s.eps : 0, alpha: s.alpha, maskCommonPrefix: s.mask },
    lr: s.lr,
    steps: s.steps,
    warmup: Math.min(2, Math.floor(s.steps / 4)),
    microBatch: Math.min(s.batch, 8),
  };
}

const isObjective = (v: unknown): v is Objective => OBJECTIVES.includes(v as Objective);
const numOr = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/**
 * The view settings a saved checkpoint was trained with (its record's `settings`: the trainer's
 * settings plus batch, seed, device and the probe choices), over `fallback` for anything the
 * record lacks (checkpoints imported from `lab train` have no probe settings). Throws when the
 * checkpoint's start model is not one the Train view trains.
 */
export function settingsFromCheckpoint(rec: { base: string; steps: number; settings: Record<string, unknown> }, fallback: TrainViewSettings): TrainViewSettings {
  if (rec.base !== 'tiny-a' && rec.base !== 'tiny-b') throw new Error(`this checkpoint was trained from ${rec.base}: the Train view continues only tiny-a and tiny-b checkpoints (use lab train --resume)`);
  const r = rec.settings;
  const dpo = (r.dpo ?? {}) as Record<string, unknown>;
  const objective = r.objective === 'sft' ? 'sft' : isObjective(dpo.loss) ? dpo.loss : fallback.objective;
  const families = ['letters', 'arithmetic', 'wordproblems', 'blocksworld'] as const;
  return {
    ...fallback,
    model: rec.base,
    objective,
    beta: numOr(dpo.beta, fallback.beta),
    eps: objective === 'cdpo' || objective === 'robust' ? numOr(dpo.eps, fallback.eps) : fallback.eps,
    alpha: numOr(dpo.alpha, fallback.alpha),
    mask: typeof dpo.maskCommonPrefix === 'boolean' ? dpo.maskCommonPrefix : fallback.mask,
    lr: numOr(r.lr, fallback.lr),
    steps: numOr(rec.steps, fallback.steps),
    batch: numOr(r.batch, fallback.batch),
    seed: numOr(r.seed, fallback.seed),
    device: r.device === 'webgpu' || r.device === 'wasm' ? r.device : fallback.device,
    probeEvery: numOr(r.probeEvery, fallback.probeEvery),
    probeFamily: families.includes(r.probeFamily as 'letters') ? (r.probeFamily as TrainViewSettings['probeFamily']) : fallback.probeFamily,
  };
}
