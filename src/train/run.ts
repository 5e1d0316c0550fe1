/**
 * The training loop shared by `lab train` and the browser's training worker: a seeded data order
 * that can resume mid-epoch, held-out evaluation every K steps, saving, and stopping between steps.
 */
import { dpoMetrics } from '../dpo/losses.js';
import { Rng } from '../core/rng.js';
import type { Example } from './batch.js';
import type { StepMetrics, Trainer } from './trainer.js';

/** Seeded order over `n` examples: a fresh shuffle per epoch, addressed by examples consumed. */
export class DataOrder {
  constructor(
    readonly n: number,
    readonly seed: number | string,
  ) {
    if (n <= 0) throw new RangeError('no training examples');
  }

  private epochs = new Map<number, number[]>();

  private epoch(e: number): number[] {
    let order = this.epochs.get(e);
    if (!order) {
      order = new Rng(`train-order:${this.seed}:${e}`).shuffle(Array.from({ length: this.n }, (_, i) => i));
      this.epochs.clear();
      this.epochs.set(e, order);
    }
    return order;
  }

  /** Indices of examples consumed+0 .. consumed+count-1 in the seeded order. */
  take(consumed: number, count: number): number[] {
    const out: number[] = [];
    for (let i = consumed; i < consumed + count; i++) out.push(this.epoch(Math.floor(i / this.n))[i % this.n]!);
    return out;
  }
}

/** Split off a seeded held-out set of `count` examples (for `eval/` metrics). */
export function splitHeldOut<T>(items: T[], count: number, seed: number | string): { train: T[]; held: T[] } {
  if (count <= 0) return { train: items, held: [] };
  if (count >= items.length) throw new RangeError(`--eval-rows ${count} leaves no training rows (the file has ${items.length})`);
  const idx = new Rng(`held-out:${seed}`).shuffle(items.map((_, i) => i));
  const held = new Set(idx.slice(0, count));
  return { train: items.filter((_, i) => !held.has(i)), held: items.filter((_, i) => held.has(i)) };
}

export interface RunOptions {
  /** Step to stop after (total of the run, counting steps already done). */
  steps: number;
  /** Examples per optimizer step. */
  batch: number;
  seed: number | string;
  /** Steps already done and examples already consumed (resume). */
  startStep: number;
  startConsumed: number;
  /** Every K steps: evaluate on `heldOut` and call `onSave` (0: only at the end). */
  evalEvery: number;
  heldOut: Example[];
  onStep(m: StepMetrics, consumed: number): void | Promise<void>;
  onEval?(m: Record<string, number>, step: number): void | Promise<void>;
  onSave(step: number, consumed: number): Promise<void>;
  /** Polled between steps; true stops the run after saving. */
  shouldStop(): boolean;
}

/** Run until `steps` or a stop; saves at every eval point and at the end. Returns the last metrics. */
export async function runTraining(trainer: Trainer, examples: Example[], o: RunOptions): Promise<{ last: StepMetrics | null; step: number; consumed: number; stopped: boolean }> {
  const order = new DataOrder(examples.length, o.seed);
  let consumed = o.startConsumed;
  let step = o.startStep;
  let last: StepMetrics | null = null;
  let stopped = false;
  while (step < o.steps) {
    if (o.shouldStop()) {
      stopped = true;
      break;
    }
    const batch = order.take(consumed, o.batch).map((i) => examples[i]!);
    last = await trainer.step(batch);
    consumed += o.batch;
    step = last.step;
    await o.onStep(last, consumed);
    if (o.evalEvery > 0 && step % o.evalEvery === 0 && step < o.steps) {
      if (o.heldOut.length && o.onEval) await o.onEval(await evaluateHeldOut(trainer, o.heldOut), step);
      await o.onSave(step, consumed);
    }
  }
  if (o.heldOut.length && o.onEval && !stopped) await o.onEval(await evaluateHeldOut(trainer, o.heldOut), step);
  await o.onSave(step, consumed);
  return { last, step, consumed, stopped };
}

/** `eval/` metrics (TRL names) of held-out DPO pairs under the current weights. */
export async function evaluateHeldOut(trainer: Trainer, held: Example[]): Promise<Record<string, number>> {
  const dpo = held.filter((e) => e.kind === 'dpo');
  if (dpo.length === 0) return {};
  const lps = await trainer.completionLogps(dpo);
  const args = trainer.settings.dpo;
  const m = dpoMetrics(
    dpo.map((e, i) => ({
      policyChosen: Array.from(lps[i]!.chosen),
      policyRejected: Array.from(lps[i]!.rejected),
      refChosen: Array.from(e.refChosen!),
      refRejected: Array.from(e.refRejected!),
      commonPrefix: e.commonPrefix,
    })),
    args,
  );
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [`eval/${k}`, v]));
}
