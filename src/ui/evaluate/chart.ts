/**
 * Test@k curve geometry, pure (no DOM): k on a log2 axis, Test@k on a linear 0..1 axis, a
 * polyline per run with its bootstrap 95% interval as whiskers and a band. Series differ by
 * dash pattern and marker shape as well as colour, so colour is never the only cue.
 */
import type { TestNSummary } from '../../eval/testn.js';

export interface CurvePoint {
  k: number;
  value: number;
  lo: number;
  hi: number;
}

export interface CurveSeries {
  label: string;
  points: CurvePoint[];
}

export interface ChartBox {
  width: number;
  height: number;
  /** Margins around the plot area (room for ticks and labels). */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const DEFAULT_BOX: ChartBox = { width: 520, height: 280, left: 48, right: 16, top: 12, bottom: 40 };

export type Marker = 'circle' | 'square' | 'triangle' | 'diamond';

/** Per-series style: colour + dash + marker (three cues, so no series relies on colour alone). */
export const SERIES_STYLES: readonly { colour: string; dash: string; marker: Marker }[] = [
  { colour: '#2f5fc4', dash: '', marker: 'circle' },
  { colour: '#c2571a', dash: '6 4', marker: 'square' },
  { colour: '#2b8a3e', dash: '2 3', marker: 'triangle' },
  { colour: '#7b3fa0', dash: '10 3 2 3', marker: 'diamond' },
];

export interface LaidPoint extends CurvePoint {
  x: number;
  y: number;
  yLo: number;
  yHi: number;
}

export interface LaidSeries {
  label: string;
  colour: string;
  dash: string;
  marker: Marker;
  points: LaidPoint[];
  /** SVG path of the line through the points. */
  line: string;
  /** SVG path of the closed CI band (upper edge left→right, lower edge back). */
  band: string;
}

export interface ChartLayout {
  box: ChartBox;
  xTicks: { k: number; x: number }[];
  yTicks: { v: number; y: number; label: string }[];
  series: LaidSeries[];
  /** Plot area corners, for axes. */
  plot: { x0: number; x1: number; y0: number; y1: number };
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/** x position of k on a log2 axis spanning the ks; a single k sits in the middle. */
export function xScale(ks: readonly number[], box: ChartBox = DEFAULT_BOX): (k: number) => number {
  const x0 = box.left;
  const x1 = box.width - box.right;
  const valid = ks.filter((k) => k > 0);
  if (valid.length === 0) return () => r2((x0 + x1) / 2);
  const lo = Math.log2(Math.min(...valid));
  const hi = Math.log2(Math.max(...valid));
  if (hi === lo) return () => r2((x0 + x1) / 2);
  return (k) => r2(x0 + ((Math.log2(k) - lo) / (hi - lo)) * (x1 - x0));
}

/** y position of a rate in 0..1 (values outside are clamped; 1 is at the top). */
export function yScale(box: ChartBox = DEFAULT_BOX): (v: number) => number {
  const y0 = box.height - box.bottom;
  const y1 = box.top;
  return (v) => r2(y0 - clamp01(v) * (y0 - y1));
}

/** The curve of one summary: every `test@k` key it holds, in increasing k. */
export function curveFromSummary(label: string, summary: TestNSummary): CurveSeries {
  const points: CurvePoint[] = [];
  for (const key of Object.keys(summary)) {
    const m = /^test@(\d+)$/.exec(key);
    if (!m) continue;
    const k = Number(m[1]);
    const value = summary[key as `test@${number}`];
    if (typeof value !== 'number') continue;
    const [lo, hi] = summary.ci[key] ?? [value, value];
    points.push({ k, value, lo, hi });
  }
  points.sort((a, b) => a.k - b.k);
  return { label, points };
}

function markerless(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
}

/** Lay out all series on one shared pair of axes. */
export function layoutChart(series: readonly CurveSeries[], box: ChartBox = DEFAULT_BOX): ChartLayout {
  const ks = [...new Set(series.flatMap((s) => s.points.map((p) => p.k)))].sort((a, b) => a - b);
  const sx = xScale(ks, box);
  const sy = yScale(box);
  const laid = series.map((s, i) => {
    const style = SERIES_STYLES[i % SERIES_STYLES.length]!;
    const points = s.points.map((p) => ({ ...p, x: sx(p.k), y: sy(p.value), yLo: sy(p.lo), yHi: sy(p.hi) }));
    const upper = points.map((p) => ({ x: p.x, y: p.yHi }));
    const lower = [...points].reverse().map((p) => ({ x: p.x, y: p.yLo }));
    return {
      label: s.label,
      ...style,
      points,
      line: markerless(points),
      band: points.length ? `${markerless([...upper, ...lower])} Z` : '',
    };
  });
  return {
    box,
    xTicks: ks.map((k) => ({ k, x: sx(k) })),
    yTicks: [0, 0.25, 0.5, 0.75, 1].map((v) => ({ v, y: sy(v), label: `${Math.round(v * 100)}%` })),
    series: laid,
    plot: { x0: box.left, x1: box.width - box.right, y0: box.height - box.bottom, y1: box.top },
  };
}

/** SVG path for a marker of `size` (half-width) at (x, y). */
export function markerPath(marker: Marker, x: number, y: number, size = 4): string {
  const s = size;
  switch (marker) {
    case 'circle':
      return `M${x - s},${y} a${s},${s} 0 1,0 ${2 * s},0 a${s},${s} 0 1,0 ${-2 * s},0 Z`;
    case 'square':
      return `M${x - s},${y - s} h${2 * s} v${2 * s} h${-2 * s} Z`;
    case 'triangle':
      return `M${x},${y - s * 1.2} L${x + s * 1.1},${y + s * 0.9} L${x - s * 1.1},${y + s * 0.9} Z`;
    case 'diamond':
      return `M${x},${y - s * 1.3} L${x + s * 1.3},${y} L${x},${y + s * 1.3} L${x - s * 1.3},${y} Z`;
  }
}

/** A one-sentence description of the curves, for the chart's ARIA label. */
export function describeChart(series: readonly CurveSeries[]): string {
  if (series.length === 0) return 'Test@k chart: no results yet.';
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return `Test@k chart, ${series.length} run${series.length > 1 ? 's' : ''}. ` + series
    .map((s) => `${s.label}: ${s.points.map((p) => `Test@${p.k} ${pct(p.value)} (95% CI ${pct(p.lo)} to ${pct(p.hi)})`).join(', ')}`)
    .join('; ') + '.';
}
