/**
 * Evaluate-view settings and their URL-hash form (pure). Keys are namespaced `eval.*` so they
 * never collide with the Search view's `task` / `seed` in one lesson link.
 */
import { FAMILIES, type FamilyName } from '../../tasks/index.js';
import { numParam, type HashParams } from '../app/lesson-link.js';

export type Decode = 'sample' | 'mcts' | 'both';

export interface EvalSettings {
  task: FamilyName;
  count: number;
  seed: number;
  n: number;
  ks: number[];
  temperature: number;
  decode: Decode;
  /** Rollouts per MCTS decoding search. */
  rollouts: number;
  maxTokens: number;
  /** Model ids (one, or two compared side by side). '' = none chosen. */
  model: string;
  model2: string;
  /** Problems from an imported dataset instead of the generator (`eval.src=dataset`). */
  fromDataset: boolean;
  /** The dataset's file or hub name, its family and the rows (`3-17`, `random:20:7`, `all`); never the data. */
  dataset: string;
  datasetFamily: string;
  pick: string;
}

export const EVAL_KEYS = {
  task: 'eval.task',
  count: 'eval.count',
  seed: 'eval.seed',
  n: 'eval.n',
  ks: 'eval.k',
  temperature: 'eval.temp',
  decode: 'eval.decode',
  rollouts: 'eval.rollouts',
  maxTokens: 'eval.max',
  model: 'eval.model',
  model2: 'eval.model2',
  fromDataset: 'eval.src',
  dataset: 'eval.ds',
  datasetFamily: 'eval.dsfamily',
  pick: 'eval.pick',
} as const satisfies Record<keyof EvalSettings, string>;

/** Hash key naming a saved eval run to show (set by the Runs view's "open"). */
export const EVAL_RUN_KEY = 'eval.run';

export const LIMITS = { count: [1, 500], n: [1, 64], seed: [0, 2 ** 31], temperature: [0, 2], rollouts: [1, 64], maxTokens: [16, 2048] } as const;

export function defaultSettings(): EvalSettings {
  return { task: 'letters', count: 10, seed: 0, n: 8, ks: [1, 8], temperature: 0.7, decode: 'sample', rollouts: 4, maxTokens: 256, model: '', model2: '', fromDataset: false, dataset: '', datasetFamily: 'gsm8k', pick: '0-9' };
}

/**
 * "1,2,8" → [1, 2, 8]: integers in 1..n, deduplicated and sorted. Anything unusable is dropped;
 * an empty result falls back to [1, n].
 */
export function parseKs(text: string | undefined, n: number): number[] {
  const ks = (text ?? '')
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map(Number)
    .filter((k) => Number.isInteger(k) && k >= 1 && k <= n);
  const out = [...new Set(ks)].sort((a, b) => a - b);
  return out.length ? out : [...new Set([1, n])];
}

/**
 * The k values after N changes: a k above the new N becomes N, so lowering N from 8 to 2 turns
 * k = 1,8 into 1,2 (Test@N stays on the curve) instead of dropping to k = 1 alone.
 */
export function ksForN(ks: readonly number[], n: number): number[] {
  return parseKs(ks.map((k) => Math.min(k, n)).join(','), n);
}

/** Settings from hash params; bad or missing values fall back to the defaults (never throw). */
export function settingsFromHash(p: HashParams): EvalSettings {
  const d = defaultSettings();
  const int = (key: string, dflt: number, [lo, hi]: readonly [number, number]) => Math.round(numParam(p, key, dflt, lo, hi));
  const task = p[EVAL_KEYS.task];
  const n = int(EVAL_KEYS.n, d.n, LIMITS.n);
  const decode = p[EVAL_KEYS.decode];
  return {
    task: task && task in FAMILIES ? (task as FamilyName) : d.task,
    count: int(EVAL_KEYS.count, d.count, LIMITS.count),
    seed: int(EVAL_KEYS.seed, d.seed, LIMITS.seed),
    n,
    ks: p[EVAL_KEYS.ks] === undefined ? [...new Set([1, n])] : parseKs(p[EVAL_KEYS.ks], n),
    temperature: numParam(p, EVAL_KEYS.temperature, d.temperature, ...LIMITS.temperature),
    decode: decode === 'mcts' || decode === 'both' ? decode : 'sample',
    rollouts: int(EVAL_KEYS.rollouts, d.rollouts, LIMITS.rollouts),
    maxTokens: int(EVAL_KEYS.maxTokens, d.maxTokens, LIMITS.maxTokens),
    model: p[EVAL_KEYS.model] ?? '',
    model2: p[EVAL_KEYS.model2] ?? '',
    fromDataset: p[EVAL_KEYS.fromDataset] === 'dataset' || !!p[EVAL_KEYS.dataset],
    dataset: p[EVAL_KEYS.dataset] ?? '',
    datasetFamily: p[EVAL_KEYS.datasetFamily] || d.datasetFamily,
    pick: p[EVAL_KEYS.pick] ?? d.pick,
  };
}

/** Hash patch for `writeLesson` (empty model fields are removed from the hash). */
export function settingsToHash(s: EvalSettings): Record<string, string | undefined> {
  return {
    [EVAL_KEYS.task]: s.task,
    [EVAL_KEYS.count]: String(s.count),
    [EVAL_KEYS.seed]: String(s.seed),
    [EVAL_KEYS.n]: String(s.n),
    [EVAL_KEYS.ks]: s.ks.join(','),
    [EVAL_KEYS.temperature]: String(s.temperature),
    [EVAL_KEYS.decode]: s.decode,
    [EVAL_KEYS.rollouts]: String(s.rollouts),
    [EVAL_KEYS.maxTokens]: String(s.maxTokens),
    [EVAL_KEYS.model]: s.model || undefined,
    [EVAL_KEYS.model2]: s.model2 || undefined,
    [EVAL_KEYS.fromDataset]: s.fromDataset ? 'dataset' : undefined,
    [EVAL_KEYS.dataset]: s.fromDataset ? s.dataset || undefined : undefined,
    [EVAL_KEYS.datasetFamily]: s.fromDataset && s.dataset ? s.datasetFamily : undefined,
    [EVAL_KEYS.pick]: s.fromDataset && s.dataset ? s.pick : undefined,
  };
}

/** The (model, decoder) runs a setting asks for, in display order. */
export function plannedRuns(s: EvalSettings): { model: string; decode: 'sample' | 'mcts'; label: string }[] {
  const models = [s.model, s.model2].filter((m, i, all) => m && all.indexOf(m) === i);
  const decoders: ('sample' | 'mcts')[] = s.decode === 'both' ? ['sample', 'mcts'] : [s.decode];
  return models.flatMap((model) => decoders.map((decode) => ({ model, decode, label: `${model} ${decode === 'mcts' ? 'MCTS' : 'sampling'}` })));
}
