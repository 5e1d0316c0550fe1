/**
 * The radix prefix KV cache on synthetic KV (a fake model inside a unit test): longest-prefix
 * lookup, edge splits, blocks shared between entries (same arrays, bytes counted once), LRU
 * eviction of leaves by bytes, and a brute-force reference for random token sequences. The KV of
 * position p is a hash of tokens[0..p], so a wrong block, offset or row shows up as a value diff.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KvSource } from '../../src/engines/ort/kv-blocks.js';
import type { KvBlock } from '../../src/engines/ort/kv-store.js';
import { PrefixKvCache } from '../../src/engines/ort/kv-cache.js';

const SHAPE = { kvHeads: 2, headDim: 3 };
const ARRAYS = 4; // 2 layers x key/value
const TOKEN_KV_BYTES = ARRAYS * SHAPE.kvHeads * SHAPE.headDim * 4;
const LOGITS = 5; // vocab of the fake logits

/** Reference KV value at position p of `tokens` (depends on tokens[0..p] only). */
function kvValue(tokens: readonly number[], p: number, i: number, h: number, d: number): number {
  let hash = 17;
  for (let q = 0; q <= p; q++) hash = (hash * 31 + tokens[q]! + 1) % 1_000_003;
  return ((hash + i * 7919 + h * 104_729 + d * 13) % 10_007) / 10_007 - 0.5;
}

/** Batch KV [rows, kvHeads, len, headDim] for equal-length token rows, built from kvValue. */
function source(rows: readonly (readonly number[])[]): KvSource {
  const len = rows[0]!.length;
  const { kvHeads, headDim } = SHAPE;
  const data = Array.from({ length: ARRAYS }, (_, i) => {
    const a = new Float32Array(rows.length * kvHeads * len * headDim);
    rows.forEach((t, b) => {
      for (let h = 0; h < kvHeads; h++) for (let p = 0; p < len; p++) for (let d = 0; d < headDim; d++) a[((b * kvHeads + h) * len + p) * headDim + d] = kvValue(t, p, i, h, d);
    });
    return a;
  });
  return { batch: rows.length, len, data: data.map((a) => ({ array: a, byteLength: a.byteLength })) };
}

const logits = (tag: number) => Float32Array.from({ length: LOGITS }, (_, j) => tag + j);

/** Bytes of a node of `n` tokens, computed from the layout (not from the cache). */
const nodeBytes = (n: number, withLogits: boolean) => n * (TOKEN_KV_BYTES + 8) + (withLogits ? LOGITS * 4 : 0);

function expectPast(past: KvBlock[], tokens: readonly number[]): void {
  expect(past.map((b) => b.array)).toEqual(source([tokens]).data.map((b) => b.array));
}

describe('PrefixKvCache (radix trie)', () => {
  it('finds the longest cached prefix, leaving one token to run unless the logits are cached', () => {
    const c = new PrefixKvCache(SHAPE);
    c.put([1, 2, 3, 4], source([[1, 2, 3, 4]]), 0, logits(1));
    const full = c.lookup([1, 2, 3, 4])!;
    expect(full.tokens).toEqual([1, 2, 3, 4]);
    expect(full.lastLogits).toEqual(logits(1));
    expectPast(full.past, [1, 2, 3, 4]);
    const longer = c.lookup([1, 2, 3, 4, 5, 6])!;
    expect(longer.tokens).toEqual([1, 2, 3, 4]);
    expect(longer.lastLogits).toBeNull();
    // Ends inside the edge, where no logits are kept: reuse all but the last token.
    expect(c.lookup([1, 2, 3])!.tokens).toEqual([1, 2]);
    const diverging = c.lookup([1, 2, 9, 9])!;
    expect(diverging.tokens).toEqual([1, 2]);
    expectPast(diverging.past, [1, 2]);
    expect(c.lookup([7, 1, 2])).toBeNull();
    expect(c.lookup([1])).toBeNull(); // the only token must run
    expect(c.stats()).toMatchObject({ hits: 4, misses: 2, reusedTokens: 4 + 4 + 2 + 2, entries: 1 });
  });

  it('splits an edge when a new prefix leaves it part-way, and both sides keep their KV', () => {
    const c = new PrefixKvCache(SHAPE);
    c.put([1, 2, 3, 4], source([[1, 2, 3, 4]]), 0, logits(1));
    c.put([1, 2, 5, 6, 7], source([[1, 2, 5, 6, 7]]), 0, logits(2));
    expect(c.pathBlocks([1, 2, 3, 4]).map((n) => n.span)).toEqual([[1, 2], [3, 4]]);
    expect(c.pathBlocks([1, 2, 5, 6, 7]).map((n) => n.span)).toEqual([[1, 2], [5, 6, 7]]);
    expect(c.pathBlocks([1, 2, 3, 4])[0]!.blocks).toBe(c.pathBlocks([1, 2, 5, 6, 7])[0]!.blocks);
    expect(c.stats().entries).toBe(3);
    expect(c.stats().bytes).toBe(nodeBytes(2, false) + nodeBytes(2, true) + nodeBytes(3, true));
    expectPast(c.lookup([1, 2, 3, 4])!.past, [1, 2, 3, 4]);
    expectPast(c.lookup([1, 2, 5, 6, 7])!.past, [1, 2, 5, 6, 7]);
    expect(c.lookup([1, 2, 3, 4])!.lastLogits).toEqual(logits(1));
    // A prefix ending exactly at the split point gets its own logits on the shared node.
    c.put([1, 2], source([[1, 2]]), 0, logits(3));
    expect(c.lookup([1, 2])!.lastLogits).toEqual(logits(3));
    expect(c.stats().bytes).toBe(nodeBytes(2, true) + nodeBytes(2, true) + nodeBytes(3, true));
    // A prefix already held, without logits to add, changes nothing (no split for it).
    c.put([1, 2, 5], source([[1, 2, 5]]));
    expect(c.stats()).toMatchObject({ entries: 3, bytes: nodeBytes(2, true) + nodeBytes(2, true) + nodeBytes(3, true) });
  });

  it('shares a parent\'s blocks with its children (same arrays, bytes counted once, only new positions copied)', () => {
    const c = new PrefixKvCache(SHAPE);
    const a = [5, 6, 7, 8, 9];
    c.put(a, source([a]), 0, logits(1));
    const before = c.stats().bytes;
    const parentBlocks = c.pathBlocks(a)[0]!.blocks;
    const b = [...a, 10, 11];
    // Row 1 of a 2-row batch; row 0 is another sequence, and row 1's first positions are
    // poisoned: the cache must copy only the 2 new positions from row 1.
    const src = source([[1, 1, 1, 1, 1, 1, 1], b]);
    for (const { array: arr } of src.data) for (let h = 0; h < SHAPE.kvHeads; h++) arr!.fill(99, ((1 * SHAPE.kvHeads + h) * 7) * 3, ((1 * SHAPE.kvHeads + h) * 7 + 5) * 3);
    c.put(b, src, 1, logits(2));
    const path = c.pathBlocks(b);
    expect(path.map((n) => n.span)).toEqual([a, [10, 11]]);
    expect(path[0]!.blocks).toBe(parentBlocks);
    path[0]!.blocks.forEach((blk, i) => expect(blk).toBe(parentBlocks[i]));
    expect(c.stats().bytes - before).toBe(nodeBytes(2, true));
    expectPast(c.lookup(b)!.past, b);
    expect(c.stats().entries).toBe(2);
  });

  it('evicts least recently used leaves by bytes, never a node whose children are alive', () => {
    const one = nodeBytes(2, true);
    const c = new PrefixKvCache(SHAPE, 3 * one);
    for (const t of [10, 20, 30]) c.put([t, t + 1], source([[t, t + 1]]), 0, logits(t));
    c.lookup([10, 11]); // 10 is now the most recently used; 20 the least
    c.put([40, 41], source([[40, 41]]), 0, logits(40));
    expect([10, 20, 30, 40].map((t) => c.match([t, t + 1]))).toEqual([2, 0, 2, 2]);
    expect(c.stats().bytes).toBe(3 * one);

    // A parent older than every other node still stays while its child lives: the child goes.
    const d = new PrefixKvCache(SHAPE, nodeBytes(3, true) + nodeBytes(2, true) + nodeBytes(2, true));
    d.put([1, 2, 3], source([[1, 2, 3]]), 0, logits(1));
    d.put([1, 2, 3, 4, 5], source([[1, 2, 3, 4, 5]]), 0, logits(2));
    d.put([8, 9], source([[8, 9]]), 0, logits(8));
    d.put([6, 7], source([[6, 7]]), 0, logits(6)); // one node over the cap
    expect(d.match([1, 2, 3, 4, 5])).toBe(3);
    expect(d.match([8, 9])).toBe(2);
    expect(d.match([6, 7])).toBe(2);
    expect(d.stats()).toMatchObject({ entries: 3, bytes: nodeBytes(3, true) + 2 * nodeBytes(2, true) });
    // With the child gone the parent is a leaf and, being least recently used, goes next.
    d.put([4, 4], source([[4, 4]]), 0, logits(4));
    expect(d.match([1, 2, 3])).toBe(0);
    expect(d.stats().bytes).toBeLessThanOrEqual(d.capBytes);
  });

  it('agrees with a brute-force reference on random token sequences', () => {
    const seq = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 9 });
    const op = fc.record({ put: fc.boolean(), withLogits: fc.boolean(), tokens: seq });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const c = new PrefixKvCache(SHAPE);
        const stored: { tokens: number[]; logits: Float32Array | null }[] = [];
        ops.forEach((o, n) => {
          if (o.put) {
            const lg = o.withLogits ? logits(n) : null;
            c.put(o.tokens, source([o.tokens]), 0, lg);
            const same = stored.find((s) => s.tokens.join() === o.tokens.join());
            if (!same) stored.push({ tokens: o.tokens, logits: lg });
            else if (lg) same.logits = lg;
            return;
          }
          // Reference: the KV of any prefix of any stored sequence is known (position p depends
          // on tokens 0..p only); logits only after a whole stored sequence that had them.
          const lcp = (s: number[]) => {
            let k = 0;
            while (k < s.length && k < o.tokens.length && s[k] === o.tokens[k]) k++;
            return k;
          };
          const longest = Math.max(0, ...stored.map((s) => lcp(s.tokens)));
          const exact = stored.find((s) => s.tokens.join() === o.tokens.join() && s.logits);
          const use = exact ? o.tokens.length : Math.min(longest, o.tokens.length - 1);
          expect(c.match(o.tokens)).toBe(longest);
          const hit = c.lookup(o.tokens);
          if (use === 0) return expect(hit).toBeNull();
          expect(hit!.tokens).toEqual(o.tokens.slice(0, use));
          expect(hit!.lastLogits).toEqual(exact ? exact.logits : null);
          expectPast(hit!.past, o.tokens.slice(0, use));
        });
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
