/**
 * The training objectives as jax-js functions of the parameters: SFT (token-mean NLL of the
 * assistant tokens) and the DPO family with the optional joint NLL term. The pair losses are
 * `pairLossWith` from src/dpo/losses.ts applied to arrays: one definition for the metrics, the
 * CLI's `lab dpo-loss` and the gradients.
 */
import { nn, numpy as np } from '@jax-js/jax';
import { pairLossWith, type DpoArgs, type LossOps } from '../dpo/losses.js';
import { packRows, paddingRow, type DpoExample, type Example, type PackedRows } from './batch.js';
import { forward, makeConsts, tokenLogps, type Consts, type ModelConfig, type Params } from './model.js';

type Arr = np.Array;

const jaxOps: LossOps<Arr> = {
  dup: (x) => x.ref,
  drop: (x) => x.dispose(),
  scale: (x, k) => x.mul(k),
  shift: (x, k) => x.add(k),
  add: (a, b) => a.add(b),
  negLogSigmoid: (x) => nn.logSigmoid(x).mul(-1),
  relu: (x) => nn.relu(x),
  square: (x) => np.square(x),
};

/** Array inputs of one micro-batch (all consumed by the loss). */
export type BatchArrays = {
  /** [N, T] int32 */
  ids: Arr;
  targets: Arr;
  /** [N, T] float32: 1 on scored completion tokens (DPO sums and NLL of chosen rows). */
  mask: Arr;
  /** [N, T] float32: 1 on the tokens of the NLL term (SFT rows, or DPO chosen rows). */
  nllMask: Arr;
  /** [B] reference sums and 1/token-count of chosen / rejected (DPO; zeros for SFT). */
  refChosen: Arr;
  refRejected: Arr;
  invChosen: Arr;
  invRejected: Arr;
  /** [B] 1 for a real pair, 0 for a padding pair (fixed shapes). */
  pairWeight: Arr;
  /** Scalars: 1/(pairs in the whole accumulated batch), alpha/(NLL tokens in it). */
  dpoScale: Arr;
  nllScale: Arr;
  /** RoPE tables and causal mask for length T (see makeConsts). */
  consts: Consts;
};

/**
 * Loss of one micro-batch, scaled so that summing the micro-batches of a step gives the step's
 * loss; aux = per-token log-probs [N, T] (for the metrics, computed by src/dpo in plain numbers).
 * DPO rows are [chosen 0..B-1, rejected 0..B-1].
 */
export function makeLoss(c: ModelConfig, kind: 'sft' | 'dpo', args: DpoArgs) {
  return (params: Params, b: BatchArrays): [Arr, Arr] => {
    // Consumes params and b.
    const N = b.ids.shape[0]!;
    const logits = forward(c, params, b.ids, b.consts);
    for (const a of Object.values(b.consts)) (a as Arr).dispose();
    // forward() borrows; the loss owns its arguments (jax-js convention), so release them here.
    for (const a of Object.values(params)) a.dispose();
    const lp = tokenLogps(logits, b.targets, c.vocab);
    const nll = np.sum(lp.ref.mul(b.nllMask)).mul(b.nllScale).mul(-1);
    if (kind === 'sft') {
      for (const a of [b.mask, b.refChosen, b.refRejected, b.invChosen, b.invRejected, b.dpoScale, b.pairWeight]) a.dispose();
      return [nll, lp];
    }
    const B = N / 2;
    const sums = np.sum(lp.ref.mul(b.mask), -1).reshape([2, B]);
    const sc = sums.ref.slice(0).sub(b.refChosen);
    const sr = sums.slice(1).sub(b.refRejected);
    const hAvg = sc.ref.mul(b.invChosen).sub(sr.ref.mul(b.invRejected));
    const h = sc.sub(sr);
    const pairs = pairLossWith(jaxOps, args, h, hAvg);
    const dpo = np.sum(pairs.mul(b.pairWeight)).mul(b.dpoScale);
    return [dpo.add(nll), lp];
  };
}

/** Whole-step normalisers: pairs in the step, NLL tokens in it, and the NLL weight (alpha; 1 for SFT). */
export interface StepTotals {
  pairs: number;
  nllTokens: number;
  nllWeight: number;
}

/**
 * The array inputs of one micro-batch. DPO rows are [chosen..., rejected...]; with prefix masking
 * the shared leading completion tokens leave both the DPO sums and the NLL term. `dtype` float64
 * is for gradient checks.
 */
export function buildBatch(
  c: ModelConfig,
  s: { objective: 'sft' | 'dpo'; dpo: DpoArgs },
  group: Example[],
  totals: StepTotals,
  pad: number,
  dtype: np.DType = np.float32,
  fixed: { T: number; examples: number } | null = null,
): { batch: BatchArrays; packed: PackedRows; tokens: number } {
  const masked = s.objective === 'dpo' && s.dpo.maskCommonPrefix;
  // With a fixed shape, padding examples (undefined) fill the group up to `fixed.examples`.
  const B = fixed ? fixed.examples : group.length;
  if (group.length > B) throw new RangeError(`buildBatch: ${group.length} examples exceed the fixed micro-batch of ${B}`);
  const slots: (Example | undefined)[] = Array.from({ length: B }, (_, i) => group[i]);
  const seqs =
    s.objective === 'sft'
      ? slots.map((e) => (e ? { prompt: e.prompt, completion: (e as Extract<Example, { kind: 'sft' }>).completion, skip: 0, source: e.source } : paddingRow(pad)))
      : [...slots, ...slots].map((e, i) => {
          const d = e as DpoExample | undefined;
          return d ? { prompt: d.prompt, completion: i < B ? d.chosen : d.rejected, skip: masked ? d.commonPrefix : 0, source: d.source } : paddingRow(pad);
        });
  const packed = packRows(seqs, pad, c.maxPositions, fixed?.T ?? 0);
  const float = (a: ArrayLike<number>, shape?: number[]) => {
    // Through float32 and astype: jax-js 0.1.25 cannot take a Float64Array on Node 20 (no Float16Array there).
    const x = dtype === np.float32 ? np.array(Float32Array.from(a)) : np.array(Float32Array.from(a)).astype(dtype);
    return shape ? x.reshape(shape) : x;
  };
  const nllMask = new Float32Array(packed.mask.length);
  nllMask.set(packed.mask.subarray(0, (s.objective === 'sft' ? packed.N : B) * packed.T)); // DPO: chosen rows only
  const refSums = (pick: (d: DpoExample) => Float32Array | undefined, off: number) =>
    float(
      slots.map((e, i) => {
        if (!e) return 0;
        const r = pick(e as DpoExample);
        if (!r) throw new Error(`${e.source}: reference log-probs are missing (call prepareReference first)`);
        return r.subarray(packed.rows[off + i]!.skip).reduce((a, x) => a + x, 0);
      }),
    );
  const inv = (off: number) => float(slots.map((e, i) => (e ? 1 / Math.max(1, packed.rows[off + i]!.count - packed.rows[off + i]!.skip) : 0)));
  const zeros = () => float(new Float32Array(B));
  const dpo = s.objective === 'dpo';
  const shape = [packed.N, packed.T];
  const batch: BatchArrays = {
    ids: np.array(packed.ids, { dtype: np.int32 }).reshape(shape),
    targets: np.array(packed.targets, { dtype: np.int32 }).reshape(shape),
    mask: float(packed.mask, shape),
    nllMask: float(nllMask, shape),
    refChosen: dpo ? refSums((d) => d.refChosen, 0) : zeros(),
    refRejected: dpo ? refSums((d) => d.refRejected, B) : zeros(),
    invChosen: dpo ? inv(0) : zeros(),
    invRejected: dpo ? inv(B) : zeros(),
    pairWeight: float(slots.map((e) => (e ? 1 : 0))),
    dpoScale: float([1 / totals.pairs], [1]).reshape([]),
    nllScale: float([totals.nllTokens > 0 ? totals.nllWeight / totals.nllTokens : 0], [1]).reshape([]),
    consts: makeConsts(c, packed.T, dtype),
  };
  return { batch, packed, tokens: seqs.reduce((a, q) => a + (q.source === 'padding' ? 0 : q.prompt.length + q.completion.length), 0) };
}
