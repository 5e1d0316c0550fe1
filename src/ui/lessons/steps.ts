/**
 * The guided lesson (pure data + one worked example, no DOM): each step names a view and the
 * settings to open it with, as a URL hash the shell follows on `hashchange`. Keys other than
 * `view` and `lesson` belong to the target view (Evaluate's are `eval.*`, see evaluate/settings.ts).
 */
import { dpoMetrics, type DpoArgs, type DpoMetrics, type DpoPairLogps } from '../../dpo/losses.js';
import { formatHash, type HashParams } from '../app/lesson-link.js';
import { EVAL_KEYS } from '../evaluate/settings.js';

/** The shell's views (src/ui/app/lab-app.ts `VIEWS`); a test checks the two lists agree. */
export const LESSON_VIEWS = ['models', 'search', 'data', 'objectives', 'train', 'evaluate', 'lessons', 'runs'] as const;
export type LessonView = (typeof LESSON_VIEWS)[number];

export interface LessonStep {
  /** Key of the step's strings in messages/lessons.ts. */
  id: 'load' | 'search' | 'data' | 'masking' | 'dpo' | 'balance' | 'joint' | 'testn' | 'runs';
  view: LessonView;
  /** Settings for the target view (besides `view`). */
  params: HashParams;
  /** A live worked example rendered inside the lesson. */
  live?: 'masking';
}

export const LESSON_STEPS: readonly LessonStep[] = [
  { id: 'load', view: 'models', params: {} },
  { id: 'search', view: 'search', params: { task: 'letters', seed: '7', c: '1.4', rollouts: '8' } },
  { id: 'data', view: 'data', params: {} },
  { id: 'masking', view: 'objectives', params: { omask: '1', oalpha: '1' }, live: 'masking' },
  // Post-training (paper Tables 5, 3 and 6): each opens the Train view with the settings of one
  // row of bench/post-training.ts and shows that run's recording (public/demos/train-*.json) until
  // the student trains.
  { id: 'dpo', view: 'train', params: { tobj: 'sigmoid', tsteps: '24', tlr: '0.0001', trec: 'train-dpo-all' } },
  { id: 'balance', view: 'train', params: { tobj: 'sigmoid', tsteps: '24', tlr: '0.0001', trec: 'train-dpo-short' } },
  { id: 'joint', view: 'train', params: { tobj: 'cdpo', teps: '0.1', talpha: '1', tsteps: '24', tlr: '0.0001', trec: 'train-joint-a1' } },
  {
    id: 'testn',
    view: 'evaluate',
    params: { [EVAL_KEYS.task]: 'letters', [EVAL_KEYS.count]: '10', [EVAL_KEYS.seed]: '0', [EVAL_KEYS.n]: '8', [EVAL_KEYS.ks]: '1,2,4,8', [EVAL_KEYS.decode]: 'sample', [EVAL_KEYS.temperature]: '0.8' },
  },
  { id: 'runs', view: 'runs', params: {} },
];

/** The hash a step's "go" button sets: the view, its settings and the step number (1-based). */
export function stepHash(step: LessonStep, index: number): string {
  return formatHash({ ...step.params, view: step.view, lesson: String(index + 1) });
}

/** Step index (0-based) named by a hash's `lesson` key, or -1. */
export function currentStep(params: HashParams): number {
  const i = Number(params.lesson) - 1;
  return Number.isInteger(i) && i >= 0 && i < LESSON_STEPS.length ? i : -1;
}

/**
 * Masking-based DPO on one small pair. The first `commonPrefix` completion tokens are the same
 * tokens after the same prompt in chosen and rejected, so each model gives them the same
 * log-probs in both sequences: they cancel in (chosen − rejected), and the DPO loss is unchanged
 * by masking. The SFT (NLL) term averages over the chosen tokens, so it — and the joint loss
 * L = L_DPO + α·L_SFT — changes, as do the per-sequence rewards.
 */
export const MASKING_PAIR: DpoPairLogps = {
  //                shared prefix (3 tokens)   | chosen continues
  policyChosen: [-0.4, -1.1, -0.7, -0.3, -0.5, -0.2],
  refChosen: [-0.6, -1.3, -0.8, -0.9, -1.0, -0.6],
  //                shared prefix (same numbers) | rejected continues
  policyRejected: [-0.4, -1.1, -0.7, -1.6, -2.1],
  refRejected: [-0.6, -1.3, -0.8, -1.2, -1.5],
  commonPrefix: 3,
};

export interface MaskingDemo {
  pair: DpoPairLogps;
  args: Omit<DpoArgs, 'maskCommonPrefix'>;
  plain: DpoMetrics;
  masked: DpoMetrics;
}

export function maskingExample(alpha = 1, beta = 0.1, pair: DpoPairLogps = MASKING_PAIR): MaskingDemo {
  const args = { loss: 'sigmoid' as const, beta, eps: 0, alpha };
  return {
    pair,
    args,
    plain: dpoMetrics([pair], { ...args, maskCommonPrefix: false }),
    masked: dpoMetrics([pair], { ...args, maskCommonPrefix: true }),
  };
}

/** Metrics the lesson table shows, in order. */
export const MASKING_ROWS: readonly (keyof DpoMetrics)[] = ['dpo_loss', 'nll_loss', 'loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins'];
