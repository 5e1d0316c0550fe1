/**
 * A DPO pair split for display: the shared prefix of chosen and rejected (shown once, marked) and
 * the two diverging suffixes. Pure. The prefix is recomputed from the texts (an imported pair's
 * `meta.common_prefix_chars` may be wrong) and never ends inside a UTF-16 surrogate pair.
 */
import { commonPrefixChars, type DpoPair } from '../../data/extract.js';

export interface PairSplit {
  prefix: string;
  chosenSuffix: string;
  rejectedSuffix: string;
  /** Characters in the shared prefix. */
  prefixChars: number;
  /** Shared leading tokens, when a tokenizer counted them. */
  prefixTokens: number | undefined;
  /** Share of the chosen text inside the prefix, 0..1. */
  chosenShare: number;
  /** Share of the rejected text inside the prefix, 0..1. */
  rejectedShare: number;
}

/** Length of the common prefix of a and b in UTF-16 units, backed off so a surrogate pair is never cut. */
export function safePrefixLength(a: string, b: string): number {
  let k = commonPrefixChars(a, b);
  if (k > 0 && k < Math.max(a.length, b.length)) {
    const c = a.charCodeAt(k - 1);
    if (c >= 0xd800 && c <= 0xdbff) k--;
  }
  return k;
}

export function splitPair(pair: Pick<DpoPair, 'chosen' | 'rejected' | 'commonPrefixTokens'>): PairSplit {
  const c = pair.chosen.text;
  const r = pair.rejected.text;
  const k = safePrefixLength(c, r);
  return {
    prefix: c.slice(0, k),
    chosenSuffix: c.slice(k),
    rejectedSuffix: r.slice(k),
    prefixChars: k,
    prefixTokens: pair.commonPrefixTokens,
    chosenShare: c.length ? k / c.length : 0,
    rejectedShare: r.length ? k / r.length : 0,
  };
}
