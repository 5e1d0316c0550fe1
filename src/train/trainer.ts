/**
 * The trainer: SFT and DPO-family fine-tuning of an embedded model on jax-js, behind a small
 * interface (`forward`, `step`, `state`) so another autodiff library would touch only this folder.
 * AdamW with warm-up and decay, gradient clipping and accumulation; metrics with TRL's names.
 */
import { jit, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { dpoMetrics, type DpoArgs, type DpoMetrics, type DpoPairLogps } from '../dpo/losses.js';
import { ATTENTION_BUDGET, chunks, microBatches, packRows, paddingRow, type DpoExample, type Example } from './batch.js';
import { forward, isLinear, makeConsts, parameterShapes, tokenLogps, type ModelConfig, type Params } from './model.js';
import { buildBatch, makeLoss, type BatchArrays } from './objective.js';
import type { NamedTensor } from './onnx-weights.js';
import { learningRate, type ScheduleKind } from './schedule.js';

type Arr = np.Array;

/** One micro-batch's per-token log-probs and its examples (for the metrics). */
type Part = { lp: Float32Array; T: number; rows: { start: number; count: number }[]; group: Example[] };

export interface TrainSettings {
  objective: 'sft' | 'dpo';
  /** DPO-family loss, beta, eps, alpha (joint NLL weight) and prefix masking. */
  dpo: DpoArgs;
  lr: number;
  warmup: number;
  schedule: ScheduleKind;
  /** Optimizer steps of the whole run (for the schedule). */
  steps: number;
  /** Examples (pairs for DPO) per forward pass; a step's examples are split into these. */
  microBatch: number;
  /** Clip the global gradient norm to this (0: no clipping). */
  clip: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  adamEps: number;
  /**
   * Pack every micro-batch to this length (0: each to its own rounded length). Callers training
   * on a data set set it from the data (`fixedShape`): on wasm, one shape keeps memory flat.
   */
  fixedLength: number;
}

export const DEFAULT_SETTINGS: TrainSettings = {
  objective: 'dpo',
  dpo: { loss: 'sigmoid', beta: 0.1, eps: 0, alpha: 0, maskCommonPrefix: false },
  lr: 5e-5,
  warmup: 0,
  schedule: 'linear',
  steps: 100,
  microBatch: 8,
  clip: 1,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.999,
  adamEps: 1e-8,
  fixedLength: 0,
};

/** Metrics of one step (TRL names; DPO fields are absent for SFT). */
export type StepMetrics = Partial<DpoMetrics> & {
  step: number;
  loss: number;
  nll_loss: number;
  grad_norm: number;
  learning_rate: number;
  /** Tokens in the step's forward passes (padding excluded). */
  tokens: number;
};

/** Weights and optimizer state, in Hugging Face layout (Linear weights [out, in]). */
export interface TrainState {
  step: number;
  weights: Map<string, NamedTensor>;
  /** AdamW first and second moments, same names and layout as `weights`. */
  m: Map<string, NamedTensor>;
  v: Map<string, NamedTensor>;
}

/** The interface the rest of the lab uses; one implementation per autodiff library. */
export interface Trainer {
  readonly config: ModelConfig;
  readonly settings: TrainSettings;
  /** Logits [rows, T, vocab] of right-padded rows (T = longest row). */
  forward(rows: number[][]): Promise<Float32Array>;
  /** One optimizer step on `examples` (one step's worth; the caller orders the data). */
  step(examples: Example[]): Promise<StepMetrics>;
  /** Per-token log-probs of the completions of DPO examples (for the frozen reference). */
  completionLogps(examples: DpoExample[]): Promise<{ chosen: Float32Array; rejected: Float32Array }[]>;
  state(): Promise<TrainState>;
  dispose(): void;
}

function toArr(name: string, t: NamedTensor): Arr {
  const a = np.array(t.data).reshape(t.shape);
  return isLinear(name) ? a.transpose([1, 0]) : a;
}

async function toNamed(name: string, a: Arr, hfShape: number[]): Promise<NamedTensor> {
  const hf = isLinear(name) ? a.transpose([1, 0]) : a;
  return { shape: hfShape.slice(), data: new Float32Array((await hf.data()) as Float32Array) };
}

const scalar = (x: number): Arr => np.array([x]).reshape([]);

/** jax-js trainer (wasm in Node and browsers, WebGPU in browsers: set the default device first). */
export class JaxTrainer implements Trainer {
  private params: Params = {};
  private m: Params = {};
  private v: Params = {};
  private stepIndex: number;
  private readonly shapes: [string, number[]][];
  private readonly lossGrad;
  private readonly adamw;
  private readonly sqNorm;

  constructor(
    readonly config: ModelConfig,
    start: TrainState | Map<string, NamedTensor>,
    readonly settings: TrainSettings,
    readonly pad: number,
  ) {
    this.shapes = parameterShapes(config);
    const st: TrainState = start instanceof Map ? { step: 0, weights: start, m: new Map(), v: new Map() } : start;
    for (const [name, shape] of this.shapes) {
      const w = st.weights.get(name);
      if (!w) throw new Error(`weights: parameter ${name} is missing`);
      if (w.shape.join('x') !== shape.join('x')) throw new Error(`weights: ${name} has shape [${w.shape.join(', ')}], the config needs [${shape.join(', ')}]`);
      this.params[name] = toArr(name, w);
      const zero = { shape, data: new Float32Array(w.data.length) };
      this.m[name] = toArr(name, st.m.get(name) ?? zero);
      this.v[name] = toArr(name, st.v.get(name) ?? zero);
    }
    this.stepIndex = st.step;
    this.lossGrad = jit(valueAndGrad(makeLoss(config, settings.objective, settings.dpo), { hasAux: true }) as (p: Params, b: BatchArrays) => [[Arr, Arr], Params]);
    const { beta1: b1, beta2: b2, adamEps: eps, weightDecay: wd } = settings;
    this.adamw = jit((p: Params, m: Params, v: Params, g: Params, h: { lr: Arr; scale: Arr; c1: Arr; c2: Arr }) => {
      const P: Params = {};
      const M: Params = {};
      const V: Params = {};
      for (const k of Object.keys(p)) {
        const gk = g[k]!.mul(h.scale.ref);
        const mk = m[k]!.mul(b1).add(gk.ref.mul(1 - b1));
        const vk = v[k]!.mul(b2).add(np.square(gk).mul(1 - b2));
        let upd = mk.ref.mul(h.c1.ref).div(np.sqrt(vk.ref.mul(h.c2.ref)).add(eps));
        // Decoupled weight decay on matrices only (not norms and biases), as is usual for LMs.
        if (wd > 0 && p[k]!.ndim === 2) upd = upd.add(p[k]!.ref.mul(wd));
        P[k] = p[k]!.sub(upd.mul(h.lr.ref));
        M[k] = mk;
        V[k] = vk;
      }
      for (const a of Object.values(h)) a.dispose();
      return [P, M, V] as [Params, Params, Params];
    });
    this.sqNorm = jit((g: Params) => Object.values(g).map((a) => np.sum(np.square(a))).reduce((a, b) => a.add(b)));
  }

  /** Micro-batches of a step (or a reference pass): by count and by attention memory. */
  private groups<T extends Example>(examples: T[]): T[][] {
    const fixed = this.fixed();
    return fixed ? chunks(examples, fixed.examples) : microBatches(examples, this.settings.microBatch, this.config.heads, this.settings.objective === 'dpo' ? 2 : 1);
  }

  /** The run's one micro-batch shape, when `fixedLength` is set. */
  private fixed(): { T: number; examples: number } | null {
    const T = this.settings.fixedLength;
    if (!T) return null;
    const rows = this.settings.objective === 'dpo' ? 2 : 1;
    return { T, examples: Math.max(1, Math.min(this.settings.microBatch, Math.floor(ATTENTION_BUDGET / (rows * this.config.heads * T * T)))) };
  }

  async forward(rows: number[][]): Promise<Float32Array> {
    const T = Math.max(...rows.map((r) => r.length));
    const ids = new Int32Array(rows.length * T).fill(this.pad);
    rows.forEach((r, i) => ids.set(r, i * T));
    const k = makeConsts(this.config, T);
    const logits = forward(this.config, this.params, np.array(ids, { dtype: np.int32 }).reshape([rows.length, T]), k);
    tree.dispose(k);
    const out = new Float32Array((await logits.ref.data()) as Float32Array);
    logits.dispose();
    return out;
  }

  async completionLogps(examples: DpoExample[]): Promise<{ chosen: Float32Array; rejected: Float32Array }[]> {
    // Results are keyed by example and returned in input order, whatever the micro-batch grouping.
    const found = new Map<DpoExample, { chosen: Float32Array; rejected: Float32Array }>();
    const fixed = this.fixed();
    for (const group of this.groups(examples)) {
      // Rows [chosen..., rejected...], filled with padding rows up to the fixed shape.
      const B = fixed ? fixed.examples : group.length;
      const slots = Array.from({ length: B }, (_, i) => group[i]);
      const seqs = [...slots, ...slots].map((e, i) => (e ? { prompt: e.prompt, completion: i < B ? e.chosen : e.rejected, skip: 0, source: e.source } : paddingRow(this.pad)));
      const packed = packRows(seqs, this.pad, this.config.maxPositions, fixed?.T ?? 0);
      const k = makeConsts(this.config, packed.T);
      const logits = forward(this.config, this.params, np.array(packed.ids, { dtype: np.int32 }).reshape([packed.N, packed.T]), k);
      tree.dispose(k);
      const lpArr = tokenLogps(logits, np.array(packed.targets, { dtype: np.int32 }).reshape([packed.N, packed.T]), this.config.vocab);
      const lp = new Float32Array((await lpArr.ref.data()) as Float32Array);
      lpArr.dispose();
      const take = (i: number) => {
        const r = packed.rows[i]!;
        return lp.slice(i * packed.T + r.start, i * packed.T + r.start + r.count);
      };
      group.forEach((e, j) => found.set(e, { chosen: take(j), rejected: take(B + j) }));
    }
    return examples.map((e) => found.get(e)!);
  }

  async step(examples: Example[]): Promise<StepMetrics> {
    const s = this.settings;
    if (examples.length === 0) throw new RangeError('step: no examples');
    if (examples.some((e) => e.kind !== s.objective)) throw new Error(`step: the trainer was set up for ${s.objective} examples`);
    const masked = s.objective === 'dpo' && s.dpo.maskCommonPrefix;
    // Normalisers of the whole step, so accumulated micro-batches add up to the full-batch loss.
    const nllTokens = examples.reduce((a, e) => a + (e.kind === 'sft' ? e.completion.length : e.chosen.length - (masked ? e.commonPrefix : 0)), 0);
    const nllWeight = s.objective === 'sft' ? 1 : s.dpo.alpha;
    let grads: Params | null = null;
    const tokenRows: Part[] = [];
    let tokens = 0;
    for (const group of this.groups(examples)) {
      const { batch, packed, tokens: n } = buildBatch(this.config, s, group, { pairs: examples.length, nllTokens, nllWeight }, this.pad, np.float32, this.fixed());
      tokens += n;
      const [[loss, lp], g] = this.lossGrad(tree.ref(this.params), batch);
      loss.dispose();
      tokenRows.push({ lp: new Float32Array((await lp.ref.data()) as Float32Array), T: packed.T, rows: packed.rows, group });
      lp.dispose();
      if (grads === null) grads = g;
      else {
        const prev: Params = grads;
        const sum: Params = {};
        for (const name of Object.keys(prev)) sum[name] = prev[name]!.add(g[name]!);
        grads = sum;
      }
    }
    const sq = this.sqNorm(tree.ref(grads!));
    const gradNorm = Math.sqrt(((await sq.ref.data()) as Float32Array)[0]!);
    sq.dispose();
    const lr = learningRate(this.stepIndex, s.steps, s.lr, s.warmup, s.schedule);
    const metrics = this.metrics(tokenRows, gradNorm, lr, tokens);
    if (!Number.isFinite(metrics.loss) || !Number.isFinite(gradNorm)) {
      tree.dispose(grads);
      throw new NonFiniteLossError(this.stepIndex + 1, metrics.loss, gradNorm);
    }
    const scale = s.clip > 0 && gradNorm > s.clip ? s.clip / gradNorm : 1;
    const t = this.stepIndex + 1;
    const [P, M, V] = this.adamw(this.params, this.m, this.v, grads!, { lr: scalar(lr), scale: scalar(scale), c1: scalar(1 / (1 - s.beta1 ** t)), c2: scalar(1 / (1 - s.beta2 ** t)) });
    this.params = P;
    this.m = M;
    this.v = V;
    this.stepIndex = t;
    return metrics;
  }

  /** Metrics from the per-token log-probs, by src/dpo's own definitions (padding rows skipped). */
  private metrics(parts: Part[], gradNorm: number, lr: number, tokens: number): StepMetrics {
    const row = (p: Part, i: number) => {
      const r = p.rows[i]!;
      return Array.from(p.lp.subarray(i * p.T + r.start, i * p.T + r.start + r.count));
    };
    const base = { step: this.stepIndex + 1, grad_norm: gradNorm, learning_rate: lr, tokens };
    if (this.settings.objective === 'sft') {
      const all = parts.flatMap((p) => p.group.flatMap((_, i) => row(p, i)));
      const nll = -all.reduce((a, x) => a + x, 0) / all.length;
      return { ...base, loss: nll, nll_loss: nll };
    }
    // Rows of a micro-batch are [chosen..., rejected...], each half as long as the fixed group.
    const pairs: DpoPairLogps[] = parts.flatMap((p) => {
      const half = p.rows.length / 2;
      return p.group.map((e, i) => {
        const d = e as DpoExample;
        return { policyChosen: row(p, i), policyRejected: row(p, half + i), refChosen: Array.from(d.refChosen!), refRejected: Array.from(d.refRejected!), commonPrefix: d.commonPrefix };
      });
    });
    return { ...base, ...dpoMetrics(pairs, this.settings.dpo) };
  }

  async state(): Promise<TrainState> {
    const weights = new Map<string, NamedTensor>();
    const m = new Map<string, NamedTensor>();
    const v = new Map<string, NamedTensor>();
    for (const [name, shape] of this.shapes) {
      weights.set(name, await toNamed(name, this.params[name]!.ref, shape));
      m.set(name, await toNamed(name, this.m[name]!.ref, shape));
      v.set(name, await toNamed(name, this.v[name]!.ref, shape));
    }
    return { step: this.stepIndex, weights, m, v };
  }

  dispose(): void {
    tree.dispose(this.params);
    tree.dispose(this.m);
    tree.dispose(this.v);
    this.lossGrad.dispose();
    this.adamw.dispose();
    this.sqNorm.dispose();
  }
}

/** NaN or Inf loss or gradient: the run stops and says where and what to try. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
    readonly gradNorm: number,
  ) {
    super(`step ${step}: the loss is ${loss} (gradient norm ${gradNorm}): training diverged; lower --lr (e.g. by 10x) or raise --clip`);
    this.name = 'NonFiniteLossError';
  }
}

/** Fill the frozen reference log-probs of DPO examples once (from the base weights). */
export async function prepareReference(reference: Trainer, examples: Example[]): Promise<void> {
  const todo = examples.filter((e): e is DpoExample => e.kind === 'dpo' && (!e.refChosen || !e.refRejected));
  const lps = await reference.completionLogps(todo);
  todo.forEach((e, i) => {
    e.refChosen = lps[i]!.chosen;
    e.refRejected = lps[i]!.rejected;
  });
}
