/**
 * Objectives view settings in the lesson hash (keys `opolicy oref obeta oeps oalpha omask opair
 * oscope`), with bounds matching the CLI (`lab score --beta --eps --alpha`). Pure.
 */
import { numParam, type HashParams } from '../app/lesson-link.js';

export interface ObjectiveSettings {
  policy: string;
  reference: string;
  beta: number;
  eps: number;
  alpha: number;
  /** Strips show the masked shared prefix as zeros (Figure 4). */
  mask: boolean;
  /** Pair shown in the strips (0-based). */
  pair: number;
  /** Loss table over every scored pair, or only the pair on screen. */
  scope: 'all' | 'pair';
}

export const SLIDERS = {
  beta: { min: 0.01, max: 1, step: 0.01 },
  eps: { min: 0, max: 0.49, step: 0.01 },
  alpha: { min: 0, max: 2, step: 0.05 },
} as const;

export const DEFAULT_OBJECTIVE_SETTINGS: ObjectiveSettings = { policy: '', reference: '', beta: 0.1, eps: 0.1, alpha: 1, mask: true, pair: 0, scope: 'all' };

export function objectiveSettingsFromHash(p: HashParams): ObjectiveSettings {
  const d = DEFAULT_OBJECTIVE_SETTINGS;
  return {
    policy: p.opolicy ?? d.policy,
    reference: p.oref ?? d.reference,
    beta: numParam(p, 'obeta', d.beta, SLIDERS.beta.min, SLIDERS.beta.max),
    eps: numParam(p, 'oeps', d.eps, SLIDERS.eps.min, SLIDERS.eps.max),
    alpha: numParam(p, 'oalpha', d.alpha, SLIDERS.alpha.min, SLIDERS.alpha.max),
    mask: p.omask !== '0',
    pair: Math.round(numParam(p, 'opair', d.pair, 0, 1e6)),
    scope: p.oscope === 'pair' ? 'pair' : 'all',
  };
}

export function objectiveSettingsToHash(s: ObjectiveSettings): Record<string, string | undefined> {
  const d = DEFAULT_OBJECTIVE_SETTINGS;
  const v = <T>(x: T, dflt: T) => (x === dflt ? undefined : String(x));
  return {
    opolicy: s.policy || undefined,
    oref: s.reference || undefined,
    obeta: v(s.beta, d.beta),
    oeps: v(s.eps, d.eps),
    oalpha: v(s.alpha, d.alpha),
    omask: s.mask ? undefined : '0',
    opair: v(s.pair, d.pair),
    oscope: v(s.scope, d.scope),
  };
}

/**
 * Policy / reference ids resolved against the loaded engines: a missing policy falls back to the
 * first engine, a missing reference to the second (or the first when only one is loaded).
 */
export function resolveEngines(s: Pick<ObjectiveSettings, 'policy' | 'reference'>, ids: readonly string[]): { policy: string; reference: string } {
  const pick = (id: string, dflt: string | undefined) => (ids.includes(id) ? id : (dflt ?? ''));
  return { policy: pick(s.policy, ids[0]), reference: pick(s.reference, ids[1] ?? ids[0]) };
}
