/**
 * Evaluate view, pure parts: the Test@k chart maps k onto a log2 axis and rates onto 0..1 (top =
 * 100%), draws a CI band around each line, tells series apart by more than colour and describes
 * itself in text; settings survive a round trip through the URL hash and bad values fall back.
 */
import { describe, expect, it } from 'vitest';
import { summarise, type ProblemRecord } from '../../src/eval/testn.js';
import { diagnose } from '../../src/eval/diagnostics.js';
import { curveFromSummary, DEFAULT_BOX, describeChart, layoutChart, markerPath, SERIES_STYLES, xScale, yScale, type CurveSeries } from '../../src/ui/evaluate/chart.js';
import { defaultSettings, ksForN, parseKs, plannedRuns, settingsFromHash, settingsToHash } from '../../src/ui/evaluate/settings.js';
import { parseHash, formatHash } from '../../src/ui/app/lesson-link.js';
import { resultsFromItems } from '../../src/ui/evaluate/results.js';

const box = { width: 200, height: 120, left: 20, right: 10, top: 10, bottom: 20 };

describe('chart scales', () => {
  it('puts k on a log2 axis across the plot width', () => {
    const sx = xScale([1, 2, 4, 8], box);
    expect(sx(1)).toBe(20);
    expect(sx(8)).toBe(190);
    expect(sx(2)).toBeCloseTo(20 + 170 / 3, 1);
    expect(sx(4) - sx(2)).toBeCloseTo(sx(2) - sx(1), 1);
  });

  it('centres a single k and an empty axis', () => {
    expect(xScale([4], box)(4)).toBe(105);
    expect(xScale([], box)(1)).toBe(105);
  });

  it('maps 0 to the bottom and 1 to the top, clamping out-of-range values', () => {
    const sy = yScale(box);
    expect(sy(0)).toBe(100);
    expect(sy(1)).toBe(10);
    expect(sy(0.5)).toBe(55);
    expect(sy(1.5)).toBe(10);
    expect(sy(-1)).toBe(100);
    expect(sy(Number.NaN)).toBe(100);
  });
});

const series: CurveSeries[] = [
  { label: 'tiny-a sampling', points: [{ k: 1, value: 0.25, lo: 0.1, hi: 0.4 }, { k: 8, value: 0.75, lo: 0.5, hi: 0.9 }] },
  { label: 'tiny-b sampling', points: [{ k: 1, value: 0.5, lo: 0.3, hi: 0.7 }, { k: 8, value: 1, lo: 1, hi: 1 }] },
];

describe('layoutChart', () => {
  it('lays points, whiskers, line and band out on shared axes', () => {
    const L = layoutChart(series, box);
    expect(L.xTicks).toEqual([{ k: 1, x: 20 }, { k: 8, x: 190 }]);
    expect(L.yTicks.map((t) => t.label)).toEqual(['0%', '25%', '50%', '75%', '100%']);
    const a = L.series[0]!;
    expect(a.points.map((p) => [p.x, p.y, p.yLo, p.yHi])).toEqual([
      [20, 77.5, 91, 64],
      [190, 32.5, 55, 19],
    ]);
    expect(a.line).toBe('M20,77.5 L190,32.5');
    expect(a.band).toBe('M20,64 L190,19 L190,55 L20,91 Z');
    for (const p of a.points) {
      expect(p.yHi).toBeLessThanOrEqual(p.y);
      expect(p.yLo).toBeGreaterThanOrEqual(p.y);
    }
  });

  it('gives each series its own dash and marker, not only a colour', () => {
    const L = layoutChart([...series, ...series], DEFAULT_BOX);
    const styles = L.series.map((s) => `${s.dash}|${s.marker}`);
    expect(new Set(styles).size).toBe(4);
    expect(new Set(SERIES_STYLES.map((s) => s.marker)).size).toBe(SERIES_STYLES.length);
    for (const m of SERIES_STYLES) expect(markerPath(m.marker, 10, 10)).toMatch(/^M.*Z$/);
  });

  it('handles no series', () => {
    const L = layoutChart([], box);
    expect(L.series).toEqual([]);
    expect(describeChart([])).toMatch(/no results/);
  });

  it('describes every point with its interval for screen readers', () => {
    const d = describeChart(series);
    expect(d).toContain('2 runs');
    expect(d).toContain('tiny-a sampling: Test@1 25.0% (95% CI 10.0% to 40.0%), Test@8 75.0%');
    expect(d).toContain('tiny-b sampling: Test@1 50.0%');
  });
});

function problem(id: string, n: number, correct: number): ProblemRecord {
  const samples = Array.from({ length: n }, (_, i) => {
    const text = i < correct ? '<Answer>\\boxed{3}</Answer>' : 'no idea';
    return { id: `${id}#${i}`, text, tokens: 10, correct: i < correct, extracted: i < correct ? '3' : null, answered: i < correct, truncated: false, diagnostics: diagnose(text, 10) };
  });
  return { id, question: 'q', answer: '3', n, correct, samples };
}

describe('curveFromSummary', () => {
  it('reads every test@k of a real summary in increasing k, with its CI', () => {
    const s = summarise([problem('a', 4, 1), problem('b', 4, 0), problem('c', 4, 4)], [4, 1, 2], 'sample', 200, 1);
    const c = curveFromSummary('run', s);
    expect(c.points.map((p) => p.k)).toEqual([1, 2, 4]);
    expect(c.points[0]!.value).toBeCloseTo((0.25 + 0 + 1) / 3, 3);
    expect(c.points[2]!.value).toBeCloseTo(2 / 3, 3);
    for (const p of c.points) {
      expect(p.lo).toBeLessThanOrEqual(p.value);
      expect(p.hi).toBeGreaterThanOrEqual(p.value);
    }
  });
});

describe('evaluate settings in the hash', () => {
  it('round-trip through a lesson link', () => {
    const s = { ...defaultSettings(), task: 'arithmetic' as const, n: 16, ks: [1, 4, 16], decode: 'both' as const, model: 'tiny-a', model2: 'tiny-b', temperature: 0.9 };
    const hash = formatHash({ view: 'evaluate', ...(settingsToHash(s) as Record<string, string>) });
    expect(settingsFromHash(parseHash(hash))).toEqual(s);
  });

  it('fall back on bad values and keep k within 1..n', () => {
    const s = settingsFromHash({ 'eval.task': 'nope', 'eval.n': '4', 'eval.k': '0,2,2,9,x,1', 'eval.count': '-3', 'eval.decode': 'beam', 'eval.temp': 'hot' });
    expect(s.task).toBe('letters');
    expect(s.ks).toEqual([1, 2]);
    expect(s.count).toBe(1);
    expect(s.decode).toBe('sample');
    expect(s.temperature).toBe(0.7);
    expect(parseKs('', 8)).toEqual([1, 8]);
    expect(parseKs(' 8; 1 ', 8)).toEqual([1, 8]);
    expect(parseKs('5', 1)).toEqual([1]);
  });

  it('a lower N caps the k values at N instead of dropping them', () => {
    expect(ksForN([1, 8], 2)).toEqual([1, 2]);
    expect(ksForN([1, 4, 16], 8)).toEqual([1, 4, 8]);
    expect(ksForN([1, 2, 4], 16)).toEqual([1, 2, 4]);
    expect(ksForN([3, 5], 1)).toEqual([1]);
  });

  it('plan one run per model and decoder, dropping a repeated model', () => {
    const s = { ...defaultSettings(), model: 'tiny-a', model2: 'tiny-b', decode: 'both' as const };
    expect(plannedRuns(s).map((r) => r.label)).toEqual(['tiny-a sampling', 'tiny-a MCTS', 'tiny-b sampling', 'tiny-b MCTS']);
    expect(plannedRuns({ ...s, model2: 'tiny-a', decode: 'sample' }).map((r) => r.label)).toEqual(['tiny-a sampling']);
    expect(plannedRuns({ ...s, model: '', model2: '' })).toEqual([]);
  });

  it('rebuild results from a saved eval run', () => {
    const rec = problem('a', 2, 1);
    const summary = summarise([rec], [1, 2], 'sample', 50, 0);
    const items = [
      { type: 'problem', payload: { run: 'tiny-a sampling', record: rec } },
      { type: 'summary', payload: { run: 'tiny-a sampling', model: 'tiny-a', decode: 'sample', summary } },
    ];
    const rs = resultsFromItems(items);
    expect(rs).toHaveLength(1);
    expect(rs[0]!.problems).toEqual([rec]);
    expect(rs[0]!.summary).toEqual(summary);
  });
});
