/**
 * Formalistic long-time thinking made measurable (Marco-o1 v2, Section 1): content repetition
 * (share of repeated word n-grams, and a loop detector for text that ends in a repeating period),
 * over-reflection (reflection phrases and Reflection nodes per 1k tokens) and answerless outputs.
 */
import { lastBoxed } from '../tasks/answer.js';

export interface SampleDiagnostics {
  /** Share of word 3-grams that repeat an earlier 3-gram (0 = none). */
  repetition: number;
  /** The text ends in at least 3 repeats of the same chunk (8..300 chars). */
  loop: boolean;
  /** Reflection phrases ("wait", "alternatively", "let me check"...) + Reflection nodes. */
  reflections: number;
  /** reflections per 1k tokens. */
  reflectionsPer1k: number;
  answerless: boolean;
  flags: ('repetitive' | 'loop' | 'over-reflection' | 'answerless')[];
}

export interface DiagnosticsSummary {
  samples: number;
  mean_repetition: number;
  loop_ratio: number;
  reflections_per_1k: number;
  answerless_ratio: number;
  flagged: Record<'repetitive' | 'loop' | 'over-reflection' | 'answerless', number>;
}

const PHRASES = /\b(wait|alternatively|let me check|let's check|let me double-check|hmm|on second thought|let me reconsider)\b/gi;

export const THRESHOLDS = { repetition: 0.3, reflectionsPer1k: 8 };

/** Ends with >= 3 consecutive copies of a chunk of 8..300 characters. */
export function endsInLoop(text: string, minRepeats = 3): boolean {
  const t = text.length > 20000 ? text.slice(-20000) : text;
  for (let p = 8; p <= 300 && p * minRepeats <= t.length; p++) {
    const unit = t.slice(t.length - p);
    let reps = 1;
    while (reps < minRepeats && t.slice(t.length - (reps + 1) * p, t.length - reps * p) === unit) reps++;
    if (reps >= minRepeats) return true;
  }
  return false;
}

/** Share of repeated word 3-grams. */
export function repetitionShare(text: string): number {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length < 4) return 0;
  const seen = new Set<string>();
  let repeated = 0;
  for (let i = 0; i + 3 <= words.length; i++) {
    const g = words.slice(i, i + 3).join(' ');
    if (seen.has(g)) repeated++;
    else seen.add(g);
  }
  return repeated / (words.length - 2);
}

export function diagnose(text: string, tokens: number): SampleDiagnostics {
  const repetition = repetitionShare(text);
  const loop = endsInLoop(text);
  const reflections = (text.match(PHRASES)?.length ?? 0) + (text.match(/<Reflection>/g)?.length ?? 0);
  const reflectionsPer1k = tokens > 0 ? (reflections / tokens) * 1000 : 0;
  const answerless = lastBoxed(text) === null;
  const flags: SampleDiagnostics['flags'] = [];
  if (repetition > THRESHOLDS.repetition) flags.push('repetitive');
  if (loop) flags.push('loop');
  if (reflectionsPer1k > THRESHOLDS.reflectionsPer1k) flags.push('over-reflection');
  if (answerless) flags.push('answerless');
  return { repetition, loop, reflections, reflectionsPer1k, answerless, flags };
}

export function summariseDiagnostics(ds: { diagnostics: SampleDiagnostics; tokens: number }[]): DiagnosticsSummary {
  const n = ds.length || 1;
  const tokens = ds.reduce((a, d) => a + d.tokens, 0);
  const flagged = { repetitive: 0, loop: 0, 'over-reflection': 0, answerless: 0 };
  for (const d of ds) for (const f of d.diagnostics.flags) flagged[f]++;
  // Full precision: summaries are saved and recomputed from records; round only for display.
  const r = (x: number) => x;
  return {
    samples: ds.length,
    mean_repetition: r(ds.reduce((a, d) => a + d.diagnostics.repetition, 0) / n),
    loop_ratio: r(flagged.loop / n),
    reflections_per_1k: r(tokens ? (ds.reduce((a, d) => a + d.diagnostics.reflections, 0) / tokens) * 1000 : 0),
    answerless_ratio: r(flagged.answerless / n),
    flagged,
  };
}
