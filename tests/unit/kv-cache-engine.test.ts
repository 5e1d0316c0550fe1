/**
 * The radix prefix KV cache inside the real ort engine (tiny-a): generating with the cache gives
 * the same samples as without it (greedy and sampled, same seed), and the KV the trie assembles
 * from its blocks equals the present KV of a fresh prefill of the same tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrtEngine } from '../../src/engines/ort/engine.js';
import { loadNodeEngine } from '../../src/engines/ort/node.js';
import { closeTag, nodePrefix } from '../../src/mcts/roles.js';

const messages = [{ role: 'user' as const, content: 'Spell the word banana and count the a letters.' }];
let cached: OrtEngine;
let plain: OrtEngine;

beforeAll(async () => {
  cached = await loadNodeEngine('tiny-a');
  plain = await loadNodeEngine('tiny-a', { cacheBytes: 0 });
});
afterAll(async () => {
  await cached.dispose();
  await plain.dispose();
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** The KV of `tokens` as a fresh prefill computes it (the engine without a cache). */
async function freshKv(tokens: number[]): Promise<Float32Array[]> {
  return (await plain.prefill(tokens, false)).past.data.map((b) => b.array as Float32Array);
}

describe('radix prefix KV cache in the ort engine', () => {
  it('generates the same samples with the cache on and off (greedy and sampled, same seed)', async () => {
    cached.cache.clear();
    const before = cached.cacheStats();
    const root = { messages, prefix: nodePrefix('Sub-Task'), n: 3, seed: 5, temperature: 1, maxTokens: 30 };
    const a = await cached.generate(root);
    const b = await plain.generate(root);
    expect(a.map((c) => c.tokens)).toEqual(b.map((c) => c.tokens));
    // Children continue each sample's text, as MCTS does: their prompts run through the parent's
    // cached KV (a deep hit), and a repeated request is a full hit with cached logits.
    for (const [i, s] of a.entries()) {
      const prefix = nodePrefix('Sub-Task') + s.text + closeTag('Sub-Task') + nodePrefix('Thinking');
      for (const req of [
        { messages, prefix, n: 2, temperature: 0, maxTokens: 25 },
        { messages, prefix, n: 2, seed: 40 + i, temperature: 1, maxTokens: 25 },
        { messages, prefix, n: 2, seed: 40 + i, temperature: 1, maxTokens: 25 },
      ]) {
        const on = await cached.generate(req);
        const off = await plain.generate(req);
        expect(on.map((c) => c.tokens)).toEqual(off.map((c) => c.tokens));
        on.forEach((c, j) => expect(maxDiff(c.logprobs.map((t) => t.logprob), off[j]!.logprobs.map((t) => t.logprob))).toBeLessThan(1e-4));
      }
    }
    const st = cached.cacheStats();
    const rootLen = (await cached.tokenize(cached.tokenizer.prompt(messages, nodePrefix('Sub-Task')))).length;
    // The children's 9 prefills reused more than the root prompt each on average: parents' KV.
    expect(st.promptTokensReused - before.promptTokensReused).toBeGreaterThan(9 * rootLen);
    expect(st.hits).toBeGreaterThan(before.hits);
  });

  it('assembles, from the trie\'s blocks, the KV a fresh prefill computes (max abs diff <= 1e-5)', async () => {
    cached.cache.clear();
    const prompt = await cached.tokenize(cached.tokenizer.prompt(messages, nodePrefix('Sub-Task')));
    const samples = await cached.generate({ messages, prefix: nodePrefix('Sub-Task'), n: 3, seed: 8, temperature: 1, maxTokens: 30 });
    // A child of a sample: the trie holds prompt + the sample's tokens but the last (never fed),
    // stored from row j of the batched decode, across a split (the shared prompt) and its own span.
    for (const s of samples) {
      const child = [...prompt, ...s.tokens, 261];
      const hit = cached.cache.lookup(child)!;
      expect(hit.tokens.length).toBe(prompt.length + s.tokens.length - 1);
      expect(cached.cache.pathBlocks(hit.tokens).length).toBeGreaterThanOrEqual(2);
      const fresh = await freshKv(hit.tokens);
      expect(hit.past).toHaveLength(fresh.length);
      for (let i = 0; i < fresh.length; i++) expect(maxDiff(hit.past[i]!.array!, fresh[i]!)).toBeLessThanOrEqual(1e-5);
    }
    // Two prefills that part mid-edge: the first one's edge is split, and its KV still assembles.
    const other = await cached.tokenize(cached.tokenizer.prompt([{ role: 'user', content: 'Spell the word apple.' }], ''));
    await cached.prefill(other);
    const sibling = await cached.tokenize(cached.tokenizer.prompt([{ role: 'user', content: 'Spell the word melon.' }], ''));
    const shared = cached.cache.match(sibling);
    expect(shared).toBeGreaterThan(0);
    expect(shared).toBeLessThan(other.length);
    await cached.prefill(sibling);
    const hit = cached.cache.lookup(other)!;
    expect(hit.lastLogits).not.toBeNull();
    const fresh = await plain.prefill(other, false);
    for (let i = 0; i < fresh.past.data.length; i++) expect(maxDiff(hit.past[i]!.array!, fresh.past.data[i]!.array!)).toBeLessThanOrEqual(1e-5);
    expect(maxDiff(hit.lastLogits!, fresh.logits)).toBeLessThanOrEqual(1e-5);
  });
});
