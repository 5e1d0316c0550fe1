/**
 * Pure chart math: histogram bin edges and counts, a Gaussian kernel density estimate with
 * Silverman's bandwidth, nice axis ticks and the trapezoid rule (used by tests to check that a
 * density integrates to 1). No DOM, so it runs in Node tests and in a worker alike.
 */

/** A "nice" step (1, 2, 2.5 or 5 times a power of ten) at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw - 1e-12 * p) return m * p;
  return 10 * p;
}

/** Sturges' rule: a default number of bins for n values. */
export function sturges(n: number): number {
  return n < 2 ? 1 : Math.ceil(Math.log2(n)) + 1;
}

/**
 * Equal-width bin edges covering every value: the first edge is a multiple of the width at or
 * below the minimum and the last edge lies strictly above the maximum. With integer data the
 * width is a whole number. `bins` is a target; the nice width may give one or two more or fewer.
 */
export function binEdges(values: readonly number[], bins?: number): number[] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const target = Math.max(1, Math.round(bins && bins > 0 ? bins : sturges(finite.length)));
  let width = niceStep((max - min) / target || 1);
  if (finite.every(Number.isInteger)) width = Math.max(1, Math.ceil(width));
  const start = Math.floor(min / width) * width;
  const count = Math.floor((max - start) / width) + 1;
  return Array.from({ length: count + 1 }, (_, i) => start + i * width);
}

/** Index of the bin of `v` (bins are [edge_i, edge_i+1)), or -1 when outside the edges. */
export function binIndex(edges: readonly number[], v: number): number {
  const n = edges.length - 1;
  if (n < 1 || !(v >= edges[0]!) || !(v < edges[n]!)) return -1;
  const width = (edges[n]! - edges[0]!) / n;
  return Math.min(n - 1, Math.max(0, Math.floor((v - edges[0]!) / width)));
}

/** Counts per bin. */
export function histogramCounts(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  for (const v of values) {
    const i = binIndex(edges, v);
    if (i >= 0) counts[i]!++;
  }
  return counts;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Median of the values (NaN when empty). */
export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/**
 * Silverman's rule of thumb, h = 0.9 · min(sd, IQR / 1.34) · n^(-1/5). When the spread is zero
 * (one value, or all equal) it falls back to 1 or 5% of |mean|, whichever is larger, so the
 * curve is a visible bump instead of a spike.
 */
export function silvermanBandwidth(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return 1;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const fallback = Math.max(1, 0.05 * Math.abs(mean));
  if (n < 2) return fallback;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const sorted = [...values].sort((a, b) => a - b);
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const spread = iqr > 0 ? Math.min(sd, iqr / 1.34) : sd;
  return spread > 0 ? 0.9 * spread * n ** -0.2 : fallback;
}

/** Gaussian kernel density estimate: a probability density (integrates to 1 over the real line). */
export function gaussianKde(values: readonly number[], bandwidth = silvermanBandwidth(values)): (x: number) => number {
  const n = values.length;
  if (n === 0) return () => 0;
  const h = bandwidth > 0 ? bandwidth : 1;
  const norm = 1 / (n * h * Math.sqrt(2 * Math.PI));
  return (x) => {
    let s = 0;
    for (const v of values) {
      const u = (x - v) / h;
      s += Math.exp(-0.5 * u * u);
    }
    return s * norm;
  };
}

/** `steps + 1` evenly spaced points from a to b. */
export function linspace(a: number, b: number, steps: number): number[] {
  return Array.from({ length: steps + 1 }, (_, i) => a + ((b - a) * i) / steps);
}

/** Trapezoid-rule integral of f over [a, b]. */
export function trapezoid(f: (x: number) => number, a: number, b: number, steps = 1000): number {
  const xs = linspace(a, b, steps);
  let s = 0;
  for (let i = 1; i < xs.length; i++) s += ((f(xs[i - 1]!) + f(xs[i]!)) / 2) * (xs[i]! - xs[i - 1]!);
  return s;
}

/** About `count` nice ticks covering [min, max] (inclusive where they land on it). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) return [min];
  const step = niceStep((max - min) / Math.max(1, count));
  const first = Math.ceil(min / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Linear map from a domain to a range. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}
