/**
 * The trainer: SFT and DPO-family fine-tuning of an embedded model on jax-js, behind a small
 * interface (`forward`, `step`, `state`) so another autodiff library would touch only this folder.
 * AdamW with warm-up and decay, gradient clipping and accumulation; metrics with TRL's names.
 */
import { jit, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { dpoMetrics, type DpoArgs, type DpoMetrics, type DpoPairLogps } from '../dpo/losses.js';
import { chunks, packRows, type DpoExample, type Example } from './batch.js';
import { forward, isLinear, makeConsts, parameterShapes, tokenLogps, type ModelConfig, type Params } from './model.js';
import { buildBatch, makeLoss, type BatchArrays } from './objective.js';
import type { NamedTensor } from './onnx-weights.js';
import { learningRate, type ScheduleKind } from './schedule.js';

type Arr = np.Array;

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

  async forward(rows: number[][]): Promise<Float32Array> {
    const T = Math.max(...rows.map((r) => r.length));
    const ids = new Int32Array(rows.length * T).fill(this.pad);
    rows.forEach((r, i) => ids.set(r, i * T));
    const k = makeConsts(this.config, T);
    const logits = forward(this.config, this.params, np.array(ids, { dtype: np.int32 }).reshape([rows.length, T]), k);
    tree.dispose(k);
    return new Float32Array((await logits.data()) as Float32Array);
  }

  async completionLogps(examples: DpoExample[]): Promise<{ chosen: Float32Array; rejected: Float32Array }[]> {
    const out: { chosen: Float32Array; rejected: Float32Array }[] = [];
    for (const group of chunks(examples, this.settings.microBatch)) {
      const seqs = group.flatMap((e) => [
        { prompt: e.prompt, completion: e.chosen, skip: 0, source: e.source },
        { prompt: e.prompt, completion: e.rejected, skip: 0, source: e.source },
      ]);
      const packed = packRows(seqs, this.pad, this.config.maxPositions);
      const k = makeConsts(this.config, packed.T);
      const logits = forward(this.config, this.params, np.array(packed.ids, { dtype: np.int32 }).reshape([packed.N, packed.T]), k);
      tree.dispose(k);
      const lp = (await tokenLogps(logits, np.array(packed.targets, { dtype: np.int32 }).reshape([packed.N, packed.T]), this.config.vocab).data()) as Float32Array;
      const take = (i: number) => {
        const r = packed.rows[i]!;
        return lp.slice(i * packed.T + r.start, i * packed.T + r.start + r.count);
      };
      group.forEach((_, j) => out.push({ chosen: take(2 * j), rejected: take(2 * j + 1) }));
    }
    return out;
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
    const tokenRows: { lp: Float32Array; T: number; rows: { start: number; count: number }[] }[] = [];
    let tokens = 0;
    for (const group of chunks(examples, s.microBatch)) {
      const { batch, packed, tokens: n } = buildBatch(this.config, s, group, { pairs: examples.length, nllTokens, nllWeight }, this.pad);
      tokens += n;
      const [[loss, lp], g] = this.lossGrad(tree.ref(this.params), batch);
      loss.dispose();
      tokenRows.push({ lp: new Float32Array((await lp.data()) as Float32Array), T: packed.T, rows: packed.rows });
      if (grads === null) grads = g;
      else {
        const prev: Params = grads;
        const sum: Params = {};
        for (const name of Object.keys(prev)) sum[name] = prev[name]!.add(g[name]!);
        grads = sum;
      }
    }
    const gradNorm = Math.sqrt(((await this.sqNorm(tree.ref(grads!)).data()) as Float32Array)[0]!);
    const lr = learningRate(this.stepIndex, s.steps, s.lr, s.warmup, s.schedule);
    const metrics = this.metrics(examples, tokenRows, gradNorm, lr, tokens);
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

  /** Metrics from the per-token log-probs, by src/dpo's own definitions. */
  private metrics(examples: Example[], parts: { lp: Float32Array; T: number; rows: { start: number; count: number }[] }[], gradNorm: number, lr: number, tokens: number): StepMetrics {
    const rows: number[][] = [];
    for (const p of parts) p.rows.forEach((r, i) => rows.push(Array.from(p.lp.subarray(i * p.T + r.start, i * p.T + r.start + r.count))));
    const base = { step: this.stepIndex + 1, grad_norm: gradNorm, learning_rate: lr, tokens };
    if (this.settings.objective === 'sft') {
      const all = rows.flat();
      const nll = -all.reduce((a, x) => a + x, 0) / all.length;
      return { ...base, loss: nll, nll_loss: nll };
    }
    // Rows come per micro-batch as [chosen..., rejected...].
    const pairs: DpoPairLogps[] = [];
    let at = 0;
    for (const group of chunks(examples, this.settings.microBatch)) {
      const B = group.length;
      group.forEach((e, i) => {
        const d = e as DpoExample;
        pairs.push({ policyChosen: rows[at + i]!, policyRejected: rows[at + B + i]!, refChosen: Array.from(d.refChosen!), refRejected: Array.from(d.refRejected!), commonPrefix: d.commonPrefix });
      });
      at += 2 * B;
    }
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
