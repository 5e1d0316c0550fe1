/**
 * DPO-family objectives on per-token log-probs, with TRL metric names (DPOTrainer up to v0.28):
 * sigmoid (DPO), cdpo (label smoothing eps), robust, hinge, ipo; masking of the common prefix
 * (masking-based DPO); and the joint objective loss = dpo_loss + alpha * nll_loss, where nll_loss
 * is the token mean of -logp over all chosen completion tokens of the batch.
 */
export type DpoLossType = 'sigmoid' | 'cdpo' | 'robust' | 'hinge' | 'ipo';

export interface DpoArgs {
  loss: DpoLossType;
  beta: number;
  /** Label smoothing for cdpo / robust. */
  eps: number;
  /** Weight of the SFT (NLL) term in the joint objective. */
  alpha: number;
  /** Drop the first `commonPrefix` completion tokens of both sequences before summing. */
  maskCommonPrefix: boolean;
}

/** One DPO pair: per-token log-probs of the completion tokens under policy and reference. */
export interface DpoPairLogps {
  policyChosen: number[];
  policyRejected: number[];
  refChosen: number[];
  refRejected: number[];
  /** Leading completion tokens shared by chosen and rejected. */
  commonPrefix: number;
}

export interface DpoMetrics {
  loss: number;
  dpo_loss: number;
  nll_loss: number;
  'rewards/chosen': number;
  'rewards/rejected': number;
  'rewards/accuracies': number;
  'rewards/margins': number;
  'logps/chosen': number;
  'logps/rejected': number;
}

/** -log sigmoid(u), stable for large |u|. */
export function negLogSigmoid(u: number): number {
  return u >= 0 ? Math.log1p(Math.exp(-u)) : -u + Math.log1p(Math.exp(u));
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The arithmetic a pair loss needs, so one definition serves plain numbers (metrics, `lab
 * dpo-loss`) and autodiff arrays (the trainer, `src/train/`). Array libraries with move semantics
 * consume arguments: `dup` hands out a second reference to a value that is used twice.
 */
export interface LossOps<T> {
  dup(x: T): T;
  /** Release a value that is not used (arrays); a no-op for numbers. */
  drop(x: T): void;
  scale(x: T, k: number): T;
  shift(x: T, k: number): T;
  add(a: T, b: T): T;
  negLogSigmoid(x: T): T;
  relu(x: T): T;
  square(x: T): T;
}

export const numberOps: LossOps<number> = {
  dup: (x) => x,
  drop: () => {},
  scale: (x, k) => x * k,
  shift: (x, k) => x + k,
  add: (a, b) => a + b,
  negLogSigmoid,
  relu: (x) => Math.max(0, x),
  square: (x) => x * x,
};

/**
 * Per-pair loss (elementwise over pairs for array types) of h = policy-minus-reference margin of
 * chosen over rejected (sums of log-probs) and hAvg, the same with token means (ipo). The one
 * definition of the DPO-family losses in the lab.
 */
export function pairLossWith<T>(o: LossOps<T>, args: DpoArgs, h: T, hAvg: T): T {
  o.drop(args.loss === 'ipo' ? h : hAvg);
  switch (args.loss) {
    case 'sigmoid':
      return o.negLogSigmoid(o.scale(h, args.beta));
    case 'cdpo': {
      const z = o.scale(h, args.beta);
      return o.add(o.scale(o.negLogSigmoid(o.dup(z)), 1 - args.eps), o.scale(o.negLogSigmoid(o.scale(z, -1)), args.eps));
    }
    case 'robust': {
      const z = o.scale(h, args.beta);
      const d = 1 - 2 * args.eps;
      return o.add(o.scale(o.negLogSigmoid(o.dup(z)), (1 - args.eps) / d), o.scale(o.negLogSigmoid(o.scale(z, -1)), -args.eps / d));
    }
    case 'hinge':
      return o.relu(o.shift(o.scale(h, -args.beta), 1));
    case 'ipo':
      return o.square(o.shift(hAvg, -1 / (2 * args.beta)));
  }
}

function pairLoss(args: DpoArgs, h: number, hAvg: number): number {
  return pairLossWith(numberOps, args, h, hAvg);
}

/** Batch losses and metrics. Throws on malformed pairs, naming the pair and field. */
export function dpoMetrics(pairs: DpoPairLogps[], args: DpoArgs): DpoMetrics {
  if (pairs.length === 0) throw new RangeError('dpoMetrics: no pairs');
  if (!(args.beta > 0)) throw new RangeError(`beta must be > 0, got ${args.beta}`);
  let dpo = 0;
  let nllSum = 0;
  let nllCount = 0;
  let rc = 0;
  let rr = 0;
  let acc = 0;
  let lc = 0;
  let lr = 0;
  pairs.forEach((p, i) => {
    const k = args.maskCommonPrefix ? p.commonPrefix : 0;
    if (p.policyChosen.length !== p.refChosen.length) throw new RangeError(`pair ${i}: policy_chosen and ref_chosen differ in length`);
    if (p.policyRejected.length !== p.refRejected.length) throw new RangeError(`pair ${i}: policy_rejected and ref_rejected differ in length`);
    const pc = p.policyChosen.slice(k);
    const pr = p.policyRejected.slice(k);
    const qc = p.refChosen.slice(k);
    const qr = p.refRejected.slice(k);
    const chosenMargin = sum(pc) - sum(qc);
    const rejectedMargin = sum(pr) - sum(qr);
    const h = chosenMargin - rejectedMargin;
    const mean = (xs: number[]) => (xs.length ? sum(xs) / xs.length : 0);
    const hAvg = mean(pc) - mean(qc) - (mean(pr) - mean(qr));
    dpo += pairLoss(args, h, hAvg);
    nllSum -= sum(pc);
    nllCount += pc.length;
    const rChosen = args.beta * chosenMargin;
    const rRejected = args.beta * rejectedMargin;
    rc += rChosen;
    rr += rRejected;
    acc += rChosen > rRejected ? 1 : 0;
    lc += sum(pc);
    lr += sum(pr);
  });
  const n = pairs.length;
  const dpoLoss = dpo / n;
  const nll = nllCount ? nllSum / nllCount : 0;
  return {
    loss: dpoLoss + args.alpha * nll,
    dpo_loss: dpoLoss,
    nll_loss: nll,
    'rewards/chosen': rc / n,
    'rewards/rejected': rr / n,
    'rewards/accuracies': acc / n,
    'rewards/margins': (rc - rr) / n,
    'logps/chosen': lc / n,
    'logps/rejected': lr / n,
  };
}
