/**
 * Per-token log-prob strips (the paper's Figure 4): one cell per completion token with its
 * log-prob; with masking on, the shared-prefix cells show 0 and are flagged so the view can hatch,
 * grey and label them. Pure.
 */
import type { PairScores } from '../app/session.js';
import { leadingMasked } from './loss-table.js';

export interface StripCell {
  index: number;
  /** Token text made visible (spaces, newlines, tabs shown as symbols). */
  text: string;
  /** The model's log-prob of the token. */
  logprob: number;
  /** What the objective uses: 0 on a masked prefix token, else the log-prob. */
  shown: number;
  /** Inside the shared prefix of chosen and rejected. */
  inPrefix: boolean;
  /** Inside the prefix and masking is on. */
  masked: boolean;
  /** 0 (likely, p ≥ 0.9) … 4 (unlikely, p < 0.05); masked cells are 0. */
  level: number;
}

export interface StripModel {
  cells: StripCell[];
  /** Tokens in the shared prefix. */
  prefix: number;
  total: number;
  /** Tokens that count toward the sum. */
  counted: number;
  /** Sum of `shown`. */
  sum: number;
  /** Sum over every token (no masking). */
  sumAll: number;
  masking: boolean;
}

/** Make whitespace visible without changing the token: ␠ is not used so spaces stay readable. */
export function displayToken(s: string): string {
  if (s === '') return '∅';
  return s.replace(/\n/g, '↵').replace(/\t/g, '⇥').replace(/\r/g, '␍').replace(/ /g, '\u00a0');
}

/** Probability band of a log-prob: 0 for p ≥ 0.9, 1 ≥ 0.5, 2 ≥ 0.2, 3 ≥ 0.05, else 4. */
export function level(logprob: number): number {
  const p = Math.exp(logprob);
  return p >= 0.9 ? 0 : p >= 0.5 ? 1 : p >= 0.2 ? 2 : p >= 0.05 ? 3 : 4;
}

/** Cells of one scored sequence; `masking` zeroes the leading masked (shared-prefix) tokens. */
export function stripModel(seq: PairScores['chosen'], masking: boolean): StripModel {
  const prefix = leadingMasked(seq.mask);
  const cells = seq.logprobs.map((lp, i) => {
    const inPrefix = i < prefix;
    const masked = inPrefix && masking;
    return { index: i, text: displayToken(seq.tokens[i] ?? ''), logprob: lp, shown: masked ? 0 : lp, inPrefix, masked, level: masked ? 0 : level(lp) };
  });
  const sum = cells.reduce((a, c) => a + c.shown, 0);
  const sumAll = seq.logprobs.reduce((a, b) => a + b, 0);
  return { cells, prefix, total: cells.length, counted: masking ? cells.length - prefix : cells.length, sum, sumAll, masking };
}
