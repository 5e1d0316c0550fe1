/**
 * The Data view's pure modules: histogram bins and Gaussian KDE (src/ui/charts/density.ts), the
 * length chart model, extraction settings / recipe (mirroring `lab extract`), the pair split for
 * the pair browser, and JSONL import (errors name file, line and field; all or nothing).
 */
import { describe, expect, it } from 'vitest';
import { commonPrefixChars, selectDpo, selectSft, treePaths, type DpoPair, type TreePath } from '../../src/data/extract.js';
import { BUILTIN_PATTERNS } from '../../src/mcts/patterns.js';
import { runSearch } from '../../src/mcts/search.js';
import type { Tree } from '../../src/mcts/tree.js';
import { family, generateProblems } from '../../src/tasks/index.js';
import { binEdges, gaussianKde, histogramCounts, median, niceTicks, silvermanBandwidth, trapezoid } from '../../src/ui/charts/density.js';
import { lengthChartModel } from '../../src/ui/charts/length-chart-model.js';
import { dataSettingsFromHash, dataSettingsToHash, DEFAULT_DATA_SETTINGS, dpoJsonl, effectiveRecipe, extract, sftJsonl } from '../../src/ui/data/extraction.js';
import { importJsonl } from '../../src/ui/data/import.js';
import { safePrefixLength, splitPair } from '../../src/ui/data/pair-split.js';
import { scripted } from './scripted-engine.js';

const task = family('letters');

async function trees(): Promise<Tree[]> {
  const out: Tree[] = [];
  for (const p of generateProblems('letters', 3, 5)) {
    const wrong = String(Number(p.answer) + 1);
    out.push(await runSearch(p, task, { think: scripted('A', [p.answer, wrong, wrong], true), reflect: scripted('B', [p.answer], true) }, { pattern: BUILTIN_PATTERNS[2]!, rollouts: 12, seed: 4 }));
  }
  return out;
}

describe('histogram and density', () => {
  it('bin edges cover every value and the counts sum to the number of values', () => {
    const values = [3, 7, 7, 12, 40, 41, 99, 100, 100, 250];
    for (const bins of [undefined, 1, 4, 10, 37]) {
      const edges = binEdges(values, bins);
      expect(edges[0]!).toBeLessThanOrEqual(3);
      expect(edges[edges.length - 1]!).toBeGreaterThan(250);
      for (let i = 1; i < edges.length; i++) expect(edges[i]! - edges[i - 1]!).toBeCloseTo(edges[1]! - edges[0]!, 9);
      expect(Number.isInteger(edges[1]! - edges[0]!)).toBe(true); // integer data, whole-token bins
      expect(histogramCounts(values, edges).reduce((a, b) => a + b, 0)).toBe(values.length);
    }
    // A single repeated value still gets one bin holding all of it.
    const one = binEdges([5, 5, 5]);
    expect(histogramCounts([5, 5, 5], one)).toEqual([3]);
    expect(binEdges([])).toEqual([0, 1]);
  });

  it('the Gaussian KDE integrates to 1 (Silverman bandwidth, and degenerate inputs)', () => {
    for (const values of [[10, 12, 15, 30, 31, 33, 80], [42], [7, 7, 7, 7], [1.5, 2.25, 900]]) {
      const h = silvermanBandwidth(values);
      expect(h).toBeGreaterThan(0);
      const f = gaussianKde(values, h);
      const area = trapezoid(f, Math.min(...values) - 8 * h, Math.max(...values) + 8 * h, 20000);
      expect(area).toBeCloseTo(1, 3);
    }
    expect(gaussianKde([])(3)).toBe(0);
    expect(median([5, 1, 3])).toBe(3);
  });

  it('nice ticks are increasing, inside the range and evenly spaced', () => {
    const ticks = niceTicks(3, 257, 6);
    expect(ticks[0]!).toBeGreaterThanOrEqual(3);
    expect(ticks[ticks.length - 1]!).toBeLessThanOrEqual(257);
    const steps = new Set(ticks.slice(1).map((v, i) => +(v - ticks[i]!).toFixed(9)));
    expect(steps.size).toBe(1);
    expect(niceTicks(4, 4)).toEqual([4]);
  });
});

describe('length chart model (Figure 3)', () => {
  it('histogram counts sum to the number of paths; each bucket has a density curve that integrates to ~1', async () => {
    const ts = await trees();
    const paths = ts.flatMap((t) => treePaths(t));
    expect(paths.length).toBeGreaterThan(5);
    const m = lengthChartModel(paths);
    expect(m.n).toBe(paths.length);
    expect(m.bins.reduce((a, b) => a + b.total, 0)).toBe(paths.length);
    for (const b of ['short', 'medium', 'long'] as const) expect(m.bins.reduce((a, x) => a + x.counts[b], 0)).toBe(paths.filter((p) => p.bucket === b).length);
    expect(m.curves.length).toBeGreaterThan(0);
    for (const c of m.curves) {
      const vals = paths.filter((p) => p.bucket === c.bucket).map((p) => p.tokens);
      expect(c.n).toBe(vals.length);
      const f = gaussianKde(vals, c.bandwidth);
      expect(trapezoid(f, Math.min(...vals) - 8 * c.bandwidth, Math.max(...vals) + 8 * c.bandwidth, 20000)).toBeCloseTo(1, 3);
      // The plotted curve is the density scaled to the count axis.
      const [x, d] = c.density[10]!;
      expect(c.scaled[10]![0]).toBe(x);
      expect(c.scaled[10]![1]).toBeCloseTo(d * c.n * m.binWidth, 12);
    }
    expect(m.yMax).toBeGreaterThanOrEqual(Math.max(...m.bins.map((b) => b.total)));
  });

  it('handles no paths and ignores non-finite lengths', () => {
    const m = lengthChartModel([]);
    expect(m.n).toBe(0);
    expect(m.curves).toEqual([]);
    const m2 = lengthChartModel([
      { tokens: 10, bucket: 'short', correct: true },
      { tokens: NaN, bucket: 'long', correct: true },
    ]);
    expect(m2.n).toBe(1);
    expect(m2.bins.reduce((a, b) => a + b.total, 0)).toBe(1);
  });
});

describe('extraction settings and recipe (as `lab extract`)', () => {
  it('round-trips through the lesson hash and falls back on bad values', () => {
    const s = { ...DEFAULT_DATA_SETTINGS, sft: 'longest' as const, length: 'short' as const, bins: 12, correctOnly: true, pair: 3, model: 'tiny-a' };
    const hash = Object.fromEntries(Object.entries(dataSettingsToHash(s)).filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(dataSettingsFromHash(hash)).toEqual(s);
    expect(dataSettingsToHash(DEFAULT_DATA_SETTINGS)).toEqual(Object.fromEntries(Object.keys(dataSettingsToHash(DEFAULT_DATA_SETTINGS)).map((k) => [k, undefined])));
    expect(dataSettingsFromHash({ dsft: 'nope', dlen: '??', dbins: '-4', dpair: 'x' })).toEqual(DEFAULT_DATA_SETTINGS);
  });

  it('the paper recipe overrides SFT select and buckets; extraction equals the library calls per tree', async () => {
    expect(effectiveRecipe({ sft: 'all', length: 'medium', recipe: 'paper' })).toEqual({ sftSelect: 'longest', sftBuckets: ['long'], dpoBuckets: ['short'] });
    expect(effectiveRecipe({ sft: 'all', length: 'medium', recipe: 'custom' })).toEqual({ sftSelect: 'all', sftBuckets: ['medium'], dpoBuckets: ['medium'] });
    const ts = await trees();
    for (const settings of [DEFAULT_DATA_SETTINGS, { ...DEFAULT_DATA_SETTINGS, recipe: 'paper' as const }, { ...DEFAULT_DATA_SETTINGS, sft: 'all' as const, length: 'long' as const }]) {
      const ex = extract(ts, settings);
      const r = effectiveRecipe(settings);
      const sft: TreePath[] = [];
      const pairs: DpoPair[] = [];
      for (const t of ts) {
        const p = treePaths(t);
        sft.push(...selectSft(p, r.sftSelect, r.sftBuckets));
        pairs.push(...selectDpo(p, r.dpoBuckets));
      }
      expect(ex.sft).toEqual(sft);
      expect(ex.pairs).toEqual(pairs);
      expect(ex.counts.paths).toBe(ex.paths.length);
      expect(ex.counts.correct + ex.counts.incorrect).toBe(ex.paths.length);
      expect(ex.counts.buckets.short + ex.counts.buckets.medium + ex.counts.buckets.long).toBe(ex.counts.correct);
      expect(ex.errors).toEqual([]);
      expect(sftJsonl(ex.sft).split('\n').filter(Boolean)).toHaveLength(ex.sft.length);
    }
    expect(extract(ts, DEFAULT_DATA_SETTINGS).pairs.length).toBeGreaterThan(0);
  });

  it('a malformed tree becomes a message naming it; the other trees still count', async () => {
    const ts = await trees();
    const broken = { ...ts[0]!, id: 'broken-tree', task: undefined } as unknown as Tree;
    const ex = extract([broken, ...ts.slice(1)], DEFAULT_DATA_SETTINGS);
    expect(ex.counts.trees).toBe(ts.length);
    expect(ex.errors).toEqual([expect.stringMatching(/^tree broken-tree: /)]);
    expect(ex.counts.paths).toBe(ts.slice(1).flatMap((t) => treePaths(t)).length);
  });
});

describe('pair split (pair browser)', () => {
  it('the prefix is shared by both texts and the suffixes are what follows it', async () => {
    const ts = await trees();
    const pairs = extract(ts, DEFAULT_DATA_SETTINGS).pairs;
    expect(pairs.length).toBeGreaterThan(0);
    for (const p of pairs) {
      const s = splitPair(p);
      expect(s.prefix + s.chosenSuffix).toBe(p.chosen.text);
      expect(s.prefix + s.rejectedSuffix).toBe(p.rejected.text);
      expect(s.prefixChars).toBe(p.commonPrefixChars);
      expect(s.chosenSuffix[0]).not.toBe(s.rejectedSuffix[0]);
    }
  });

  it('never cuts a surrogate pair', () => {
    const a = 'ab\u{1F642}x';
    const b = 'ab\u{1F643}x';
    expect(commonPrefixChars(a, b)).toBe(3); // the high surrogates match
    expect(safePrefixLength(a, b)).toBe(2);
    const pair = { chosen: { text: a }, rejected: { text: b } } as DpoPair;
    expect(splitPair(pair).chosenSuffix).toBe('\u{1F642}x');
    expect(splitPair({ chosen: { text: 'same' }, rejected: { text: 'same' } } as DpoPair).chosenSuffix).toBe('');
  });
});

describe('JSONL import', () => {
  it('DPO JSONL exported by the view imports back to the same texts, buckets and prefix tokens', async () => {
    const ts = await trees();
    const pairs = extract(ts, DEFAULT_DATA_SETTINGS).pairs.map((p, i) => ({ ...p, commonPrefixTokens: i }));
    const r = importJsonl(dpoJsonl(pairs), 'dpo.jsonl');
    expect(r.kind).toBe('pairs');
    if (r.kind !== 'pairs') return;
    expect(r.pairs).toHaveLength(pairs.length);
    r.pairs.forEach((q, i) => {
      const p = pairs[i]!;
      expect([q.question, q.chosen.text, q.rejected.text, q.bucket, q.commonPrefixChars, q.commonPrefixTokens]).toEqual([p.question, p.chosen.text, p.rejected.text, p.bucket, p.commonPrefixChars, i]);
      expect([q.chosen.correct, q.rejected.correct, q.chosen.tokens, q.chosen.treeId]).toEqual([true, false, p.chosen.tokens, p.chosen.treeId]);
    });
    // Plain-string rows (TRL's standard format) too.
    const plain = importJsonl('{"prompt":"Q?","chosen":"<Answer>1</Answer>","rejected":"<Answer>2</Answer>"}\n', 'plain.jsonl');
    expect(plain.kind === 'pairs' && plain.pairs[0]!.commonPrefixChars).toBe(8);
  });

  it('trees JSONL imports as trees', async () => {
    const ts = await trees();
    const r = importJsonl(ts.map((t) => JSON.stringify(t)).join('\n') + '\n', 'trees.jsonl');
    expect(r.kind).toBe('trees');
    expect(r.kind === 'trees' && r.trees.map((t) => t.id)).toEqual(ts.map((t) => t.id));
    const bad = importJsonl(JSON.stringify({ ...ts[0], nodes: [] }), 'trees.jsonl');
    expect(bad.kind === 'error' && bad.errors[0]).toMatch(/^trees\.jsonl:1: field "nodes": /);
  });

  it('errors name the file, the line and the field; one bad line imports nothing; it never throws', () => {
    const good = '{"prompt":"Q","chosen":"a","rejected":"b"}';
    const text = [good, '', '{"prompt":"Q","chosen":"a"}', 'not json', good, '{"prompt":"Q","chosen":"a","rejected":"b","meta":{"length_bucket":"huge"}}', '[1,2]', '{"prompt":[{"role":"user"}],"chosen":"a","rejected":"b"}'].join('\n');
    const r = importJsonl(text, 'pairs.jsonl');
    expect(r.kind).toBe('error');
    if (r.kind !== 'error') return;
    expect(r.errors).toEqual([
      expect.stringMatching(/^pairs\.jsonl:4: not valid JSON/),
      expect.stringMatching(/^pairs\.jsonl:7: each line must be a JSON object/),
      'pairs.jsonl:3: field "rejected": is missing',
      expect.stringMatching(/^pairs\.jsonl:6: field "meta\.length_bucket": must be short, medium or long/),
      'pairs.jsonl:8: field "prompt[0].content": must be a string',
    ]);
    expect(importJsonl('', 'empty.jsonl')).toEqual({ kind: 'error', errors: [expect.stringMatching(/^empty\.jsonl:1: the file is empty/)] });
    expect(importJsonl('{"prompt":"Q","chosen":"a","rejected":"b","meta":{"chosen_tokens":-1}}', 'm.jsonl')).toEqual({ kind: 'error', errors: ['m.jsonl:1: field "meta.chosen_tokens": must be a non-negative integer, got -1'] });
    const many = importJsonl(Array.from({ length: 30 }, () => '{').join('\n'), 'many.jsonl', 5);
    expect(many.kind === 'error' && many.errors).toHaveLength(6);
    expect(many.kind === 'error' && many.errors[5]).toMatch(/25 more/);
    for (const junk of ['\u0000', '{"prompt":null}', '{"schema":"reasoning-lab/tree@1"}', 'null', '{"nodes":[{"id":0,"text":1}]}']) expect(() => importJsonl(junk, 'junk.jsonl')).not.toThrow();
  });
});
