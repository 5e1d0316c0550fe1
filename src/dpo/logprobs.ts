/**
 * CPU reference for masked sequence log-probs (the WGSL kernel is checked against it):
 * token_logp[t] = logits[t][target[t]] - logsumexp(logits[t]) where mask[t] = 1, else 0.
 * The log-sum-exp is an online (max, sum) merge in float64, so +90 offsets cannot overflow.
 */
export interface MaskedLogprobs {
  tokenLogps: Float64Array;
  sum: number;
  count: number;
}

export function maskedLogprobs(logits: ArrayLike<number>, vocab: number, targets: ArrayLike<number>, mask: ArrayLike<number>): MaskedLogprobs {
  const T = targets.length;
  if (logits.length !== T * vocab) throw new RangeError(`logits has ${logits.length} values, expected T*V = ${T}*${vocab}`);
  if (mask.length !== T) throw new RangeError(`mask has ${mask.length} entries, expected ${T}`);
  const out = new Float64Array(T);
  let sum = 0;
  let count = 0;
  for (let t = 0; t < T; t++) {
    if (!mask[t]) continue;
    const tgt = targets[t]!;
    if (!(tgt >= 0 && tgt < vocab)) throw new RangeError(`target ${tgt} at position ${t} is outside the vocabulary (${vocab})`);
    let m = -Infinity;
    let s = 0;
    const off = t * vocab;
    for (let v = 0; v < vocab; v++) {
      const x = logits[off + v]!;
      if (x > m) {
        s = s * Math.exp(m - x) + 1;
        m = x;
      } else {
        s += Math.exp(x - m);
      }
    }
    out[t] = logits[off + tgt]! - (m + Math.log(s));
    sum += out[t]!;
    count++;
  }
  return { tokenLogps: out, sum, count };
}
