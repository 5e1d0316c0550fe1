import type { Rng } from './rng.js';

/**
 * Token sampling over one row of logits. Pure functions shared by every backend that sees logits.
 * log-probs are computed in float64 with a max shift so large logits never overflow.
 */

/** log-softmax of a row (temperature 1), in float64. */
export function logSoftmax(row: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i]! > max) max = row[i]!;
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(row.length);
  for (let i = 0; i < row.length; i++) out[i] = row[i]! - lse;
  return out;
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (idx.length < k) {
      idx.push(i);
      idx.sort((a, b) => values[b]! - values[a]! || a - b);
    } else if (values[i]! > values[idx[k - 1]!]!) {
      idx[k - 1] = i;
      idx.sort((a, b) => values[b]! - values[a]! || a - b);
    }
  }
  return idx;
}

/** Index of the maximum (lowest index on ties) — greedy decoding. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Draw a token from `logprobs` with temperature, top-k and top-p. Temperature 0 is greedy.
 * The candidate order is deterministic, so the same rng state gives the same token everywhere.
 */
export function sampleToken(logprobs: Float64Array, opts: { temperature: number; topK: number; topP: number }, rng: Rng): number {
  if (opts.temperature <= 0) return argmax(logprobs);
  const V = logprobs.length;
  const t = opts.temperature;
  if ((opts.topK <= 0 || opts.topK >= V) && opts.topP >= 1) {
    // Plain temperature sampling: one pass in index order, no sort.
    let m = -Infinity;
    for (let i = 0; i < V; i++) if (logprobs[i]! > m) m = logprobs[i]!;
    const w = new Float64Array(V);
    for (let i = 0; i < V; i++) w[i] = Math.exp((logprobs[i]! - m) / t);
    return rng.weighted(w as unknown as number[]);
  }
  let cand: number[];
  if (opts.topK > 0 && opts.topK < V) cand = topK(logprobs, opts.topK);
  else cand = Array.from({ length: V }, (_, i) => i).sort((a, b) => logprobs[b]! - logprobs[a]! || a - b);
  const scaled = cand.map((i) => logprobs[i]! / t);
  const m = scaled[0]!;
  let w = scaled.map((s) => Math.exp(s - m));
  if (opts.topP < 1) {
    const total = w.reduce((a, b) => a + b, 0);
    let acc = 0;
    let keep = w.length;
    for (let j = 0; j < w.length; j++) {
      acc += w[j]! / total;
      if (acc >= opts.topP) {
        keep = j + 1;
        break;
      }
    }
    cand = cand.slice(0, keep);
    w = w.slice(0, keep);
  }
  return cand[rng.weighted(w)]!;
}
