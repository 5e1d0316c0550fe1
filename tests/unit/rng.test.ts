import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { logSoftmax, sampleToken, topK } from '../../src/core/sampling.js';

describe('Rng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 50 }, () => a.nextU32());
    expect(Array.from({ length: 50 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c.nextU32())).not.toEqual(xs);
  });

  it('draws roughly uniform floats in [0, 1) and ints in range', () => {
    const r = new Rng('uniform');
    const n = 20000;
    let sum = 0;
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < n; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
      buckets[r.int(10)]++;
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    for (const b of buckets) expect(Math.abs(b - n / 10)).toBeLessThan(n / 10 * 0.1);
  });

  it('forks independent streams without advancing the parent', () => {
    const r = new Rng(7);
    const before = new Rng(7).nextU32();
    const f1 = r.fork('x').nextU32();
    expect(r.nextU32()).toBe(before);
    expect(new Rng(7).fork('x').nextU32()).toBe(f1);
    expect(new Rng(7).fork('y').nextU32()).not.toBe(f1);
  });
});

describe('sampling', () => {
  it('log-softmax survives huge logits and normalises', () => {
    const lp = logSoftmax([1000, 1001, 1002]);
    const total = Array.from(lp).reduce((a, v) => a + Math.exp(v), 0);
    expect(total).toBeCloseTo(1, 12);
    expect(lp[2]).toBeCloseTo(-0.40760596444, 9);
  });

  it('greedy picks the argmax; top-k keeps order', () => {
    const lp = logSoftmax([0.1, 3, 2, -1]);
    expect(sampleToken(lp, { temperature: 0, topK: 0, topP: 1 }, new Rng(1))).toBe(1);
    expect(topK(lp, 2)).toEqual([1, 2]);
  });

  it('top-k 1 and tiny top-p behave like greedy; sampling follows the distribution', () => {
    const lp = logSoftmax([0, Math.log(3)]); // p = [0.25, 0.75]
    const rng = new Rng(5);
    expect(sampleToken(lp, { temperature: 1, topK: 1, topP: 1 }, rng)).toBe(1);
    expect(sampleToken(lp, { temperature: 1, topK: 0, topP: 0.5 }, rng)).toBe(1);
    let ones = 0;
    for (let i = 0; i < 4000; i++) ones += sampleToken(lp, { temperature: 1, topK: 0, topP: 1 }, rng);
    expect(ones / 4000).toBeGreaterThan(0.72);
    expect(ones / 4000).toBeLessThan(0.78);
  });
});
