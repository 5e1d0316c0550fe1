/**
 * The data behind the length chart (the paper's Figure 3): a histogram of path lengths in tokens,
 * stacked by Thoughts-Length-Balance bucket, and one Gaussian KDE curve per bucket. Pure.
 *
 * Each curve is kept as a probability density (integrates to 1) and also scaled to the count
 * axis (density × bucket size × bin width) so it overlays the bars.
 */
import type { LengthBucket } from '../../data/extract.js';
import { binEdges, gaussianKde, histogramCounts, linspace, median, niceTicks, silvermanBandwidth } from './density.js';

export const BUCKETS: readonly LengthBucket[] = ['short', 'medium', 'long'];

/** One path as the chart sees it. */
export interface LengthPoint {
  tokens: number;
  bucket: LengthBucket;
  correct: boolean;
}

export interface LengthBin {
  x0: number;
  x1: number;
  counts: Record<LengthBucket, number>;
  total: number;
}

export interface BucketCurve {
  bucket: LengthBucket;
  n: number;
  bandwidth: number;
  median: number;
  min: number;
  max: number;
  /** [x, density] — the density integrates to 1. */
  density: [number, number][];
  /** [x, expected count per bin] — density × n × bin width, on the count axis. */
  scaled: [number, number][];
}

export interface LengthChartModel {
  /** Number of paths drawn (sum of all bin counts). */
  n: number;
  edges: number[];
  binWidth: number;
  bins: LengthBin[];
  curves: BucketCurve[];
  xMin: number;
  xMax: number;
  yMax: number;
  xTicks: number[];
  yTicks: number[];
}

export interface LengthChartOptions {
  /** Target number of bins (0 or undefined = Sturges' rule). */
  bins?: number;
  /** Sample points per curve. */
  samples?: number;
}

/** Histogram + per-bucket KDE of `points` (non-finite lengths are ignored). */
export function lengthChartModel(points: readonly LengthPoint[], opts: LengthChartOptions = {}): LengthChartModel {
  const pts = points.filter((p) => Number.isFinite(p.tokens));
  const edges = binEdges(
    pts.map((p) => p.tokens),
    opts.bins,
  );
  const binWidth = edges.length > 1 ? edges[1]! - edges[0]! : 1;
  const per = Object.fromEntries(BUCKETS.map((b) => [b, histogramCounts(pts.filter((p) => p.bucket === b).map((p) => p.tokens), edges)])) as Record<LengthBucket, number[]>;
  const bins: LengthBin[] = edges.slice(0, -1).map((x0, i) => {
    const counts = { short: per.short[i]!, medium: per.medium[i]!, long: per.long[i]! };
    return { x0, x1: edges[i + 1]!, counts, total: counts.short + counts.medium + counts.long };
  });
  const xMin = edges[0]!;
  const xMax = edges[edges.length - 1]!;
  const xs = linspace(xMin, xMax, opts.samples ?? 120);
  const curves: BucketCurve[] = [];
  for (const bucket of BUCKETS) {
    const vals = pts.filter((p) => p.bucket === bucket).map((p) => p.tokens);
    if (vals.length === 0) continue;
    const bandwidth = silvermanBandwidth(vals);
    const f = gaussianKde(vals, bandwidth);
    const density = xs.map((x) => [x, f(x)] as [number, number]);
    curves.push({
      bucket,
      n: vals.length,
      bandwidth,
      median: median(vals),
      min: Math.min(...vals),
      max: Math.max(...vals),
      density,
      scaled: density.map(([x, d]) => [x, d * vals.length * binWidth] as [number, number]),
    });
  }
  const top = Math.max(1, ...bins.map((b) => b.total), ...curves.flatMap((c) => c.scaled.map(([, y]) => y)));
  const yTicks = niceTicks(0, top, 4);
  const yMax = Math.max(top, yTicks[yTicks.length - 1] ?? top);
  return { n: pts.length, edges, binWidth, bins, curves, xMin, xMax, yMax, xTicks: niceTicks(xMin, xMax, 6), yTicks };
}
