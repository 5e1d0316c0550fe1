/**
 * The Objectives view's loss table: DPO, cDPO, masking-based DPO, the joint objective
 * (DPO + α·NLL) and the paper's final combination, side by side, recomputed from cached per-token
 * log-probs (session `scores`) with src/dpo/losses.ts — sliders never re-run a model. Pure.
 */
import { dpoMetrics, type DpoArgs, type DpoMetrics, type DpoPairLogps } from '../../dpo/losses.js';
import type { PairScores } from '../app/session.js';

/** Cached scores of one pair under the policy and the reference. */
export interface ScoreEntry {
  policy: PairScores;
  reference: PairScores;
}

/** The slider values. */
export interface LossArgs {
  beta: number;
  eps: number;
  alpha: number;
}

export type ObjectiveId = 'dpo' | 'cdpo' | 'masked' | 'joint' | 'paper';

/** The columns, in order, and the DpoArgs each one uses. */
export const OBJECTIVES: readonly { id: ObjectiveId; args: (a: LossArgs) => DpoArgs }[] = [
  { id: 'dpo', args: (a) => ({ loss: 'sigmoid', beta: a.beta, eps: 0, alpha: 0, maskCommonPrefix: false }) },
  { id: 'cdpo', args: (a) => ({ loss: 'cdpo', beta: a.beta, eps: a.eps, alpha: 0, maskCommonPrefix: false }) },
  { id: 'masked', args: (a) => ({ loss: 'sigmoid', beta: a.beta, eps: 0, alpha: 0, maskCommonPrefix: true }) },
  { id: 'joint', args: (a) => ({ loss: 'sigmoid', beta: a.beta, eps: 0, alpha: a.alpha, maskCommonPrefix: false }) },
  { id: 'paper', args: (a) => ({ loss: 'cdpo', beta: a.beta, eps: a.eps, alpha: a.alpha, maskCommonPrefix: true }) },
];

/** The metric rows, in TRL's names. */
export const METRICS: readonly (keyof DpoMetrics)[] = ['loss', 'dpo_loss', 'nll_loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies', 'logps/chosen', 'logps/rejected'];

export interface LossColumn {
  id: ObjectiveId;
  args: DpoArgs;
  metrics: DpoMetrics;
}

export interface LossTable {
  columns: LossColumn[];
  /** Pair indices that went into the table. */
  used: number[];
  /** Pairs left out, with why (e.g. policy and reference scored different token counts). */
  skipped: { index: number; reason: string }[];
  /** Set when nothing can be computed (no scored pairs, or bad arguments). */
  error: string | null;
}

/** `LossTable.error` when there is simply nothing scored yet (not a problem to report). */
export const NO_SCORES = 'no scored pairs';

/** Number of leading zeros of a mask: the masked common prefix. */
export function leadingMasked(mask: readonly number[]): number {
  let k = 0;
  while (k < mask.length && !mask[k]) k++;
  return k;
}

/**
 * Cached scores → the loss function's input. The common prefix is the masked lead of chosen and
 * rejected (both carry the same mask from one score call); throws a RangeError naming the pair and
 * the field when the entry cannot be used.
 */
export function toPairLogps(e: ScoreEntry, index: number): DpoPairLogps {
  const label = `pair ${index + 1}`;
  const seqs = { 'policy.chosen': e.policy.chosen, 'policy.rejected': e.policy.rejected, 'reference.chosen': e.reference.chosen, 'reference.rejected': e.reference.rejected };
  for (const [name, s] of Object.entries(seqs)) {
    if (!s || !Array.isArray(s.logprobs) || s.logprobs.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new RangeError(`${label}: ${name}.logprobs must be finite numbers`);
    if (!Array.isArray(s.mask) || s.mask.length !== s.logprobs.length) throw new RangeError(`${label}: ${name}.mask has ${s.mask?.length ?? 0} entries for ${s.logprobs.length} tokens`);
  }
  if (e.policy.chosen.logprobs.length !== e.reference.chosen.logprobs.length) throw new RangeError(`${label}: policy and reference scored ${e.policy.chosen.logprobs.length} and ${e.reference.chosen.logprobs.length} chosen tokens (different tokenizers?)`);
  if (e.policy.rejected.logprobs.length !== e.reference.rejected.logprobs.length) throw new RangeError(`${label}: policy and reference scored ${e.policy.rejected.logprobs.length} and ${e.reference.rejected.logprobs.length} rejected tokens (different tokenizers?)`);
  const commonPrefix = Math.min(leadingMasked(e.policy.chosen.mask), leadingMasked(e.policy.rejected.mask));
  return {
    policyChosen: e.policy.chosen.logprobs,
    policyRejected: e.policy.rejected.logprobs,
    refChosen: e.reference.chosen.logprobs,
    refRejected: e.reference.rejected.logprobs,
    commonPrefix,
  };
}

/** Check the slider values; null when fine, else a message naming the argument. */
export function checkArgs(a: LossArgs): string | null {
  if (!(a.beta > 0) || !Number.isFinite(a.beta)) return `beta must be > 0, got ${a.beta}`;
  if (!(a.eps >= 0 && a.eps < 0.5)) return `eps must be in [0, 0.5), got ${a.eps}`;
  if (!(a.alpha >= 0) || !Number.isFinite(a.alpha)) return `alpha must be >= 0, got ${a.alpha}`;
  return null;
}

/**
 * Every objective over the scored pairs (`only` restricts to some pair indices, e.g. the pair on
 * screen). Never throws: unusable pairs are listed in `skipped`, and an empty table has `error`.
 */
export function lossTable(scores: ReadonlyMap<number, ScoreEntry>, args: LossArgs, only?: readonly number[]): LossTable {
  const bad = checkArgs(args);
  if (bad) return { columns: [], used: [], skipped: [], error: bad };
  const used: number[] = [];
  const skipped: { index: number; reason: string }[] = [];
  const input: DpoPairLogps[] = [];
  const indices = [...scores.keys()].filter((i) => !only || only.includes(i)).sort((a, b) => a - b);
  for (const i of indices) {
    try {
      input.push(toPairLogps(scores.get(i)!, i));
      used.push(i);
    } catch (e) {
      skipped.push({ index: i, reason: (e as Error).message });
    }
  }
  if (input.length === 0) return { columns: [], used, skipped, error: NO_SCORES };
  const columns = OBJECTIVES.map((o) => {
    const a = o.args(args);
    return { id: o.id, args: a, metrics: dpoMetrics(input, a) };
  });
  return { columns, used, skipped, error: null };
}
