/** The ort engine in Node on the embedded models: determinism, batching, prefix cache, scoring. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrtEngine } from '../../src/engines/ort/engine.js';
import { loadNodeEngine } from '../../src/engines/ort/node.js';
import { formatNode, nodePrefix } from '../../src/mcts/roles.js';

const messages = [{ role: 'user' as const, content: "How many r's are in strawberry?" }];
let engine: OrtEngine;
let noCache: OrtEngine;

beforeAll(async () => {
  engine = await loadNodeEngine('tiny-a');
  noCache = await loadNodeEngine('tiny-a', { cacheBytes: 0 });
});
afterAll(async () => {
  await engine.dispose();
  await noCache.dispose();
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('OrtEngine.generate', () => {
  it('same seed → identical samples; another seed → different samples', async () => {
    const req = { messages, n: 4, seed: 1, temperature: 1.2, maxTokens: 160 };
    const a = await engine.generate(req);
    const b = await noCache.generate(req);
    expect(b.map((s) => s.tokens)).toEqual(a.map((s) => s.tokens));
    const c = await engine.generate({ ...req, seed: 2 });
    expect(c.map((s) => s.tokens)).not.toEqual(a.map((s) => s.tokens));
    expect(new Set(a.map((s) => s.text)).size).toBeGreaterThan(1);
  });

  it('batched greedy equals one-by-one greedy', async () => {
    const batched = await noCache.generate({ messages, n: 4, temperature: 0, maxTokens: 40 });
    const single = await noCache.generate({ messages, n: 1, temperature: 0, maxTokens: 40 });
    for (const s of batched) expect(s.tokens).toEqual(single[0]!.tokens);
  });

  it('a batched sample equals the same sample drawn alone (per-sample seed streams)', async () => {
    const batched = await noCache.generate({ messages, n: 3, seed: 9, temperature: 1, maxTokens: 30 });
    const alone = await noCache.generate({ messages, n: 1, seed: 9, temperature: 1, maxTokens: 30 });
    expect(batched[0]!.tokens).toEqual(alone[0]!.tokens);
    const third = await noCache.generate({ messages, n: 1, firstIndex: 2, seed: 9, temperature: 1, maxTokens: 30 });
    expect(third[0]!.tokens).toEqual(batched[2]!.tokens);
    expect(third[0]!.index).toBe(2);
  });

  it('continues a partial assistant message and honours stop strings and max tokens', async () => {
    const out = await engine.generate({ messages, prefix: nodePrefix('Sub-Task'), n: 2, seed: 3, maxTokens: 60, stop: ['</Sub-Task>'] });
    for (const s of out) {
      expect(s.text).not.toContain('</Sub-Task>');
      expect(s.tokens.length).toBeLessThanOrEqual(60);
      expect(['stop', 'eos', 'length']).toContain(s.finishReason);
      if (s.finishReason === 'stop') expect(s.stop).toBe('</Sub-Task>');
    }
  });

  it('reports top-k log-probs of sampled tokens, sorted, containing the sampled token when it is top', async () => {
    const [s] = await engine.generate({ messages, n: 1, temperature: 0, maxTokens: 12, topLogprobs: 5 });
    for (const t of s!.logprobs) {
      expect(t.top).toHaveLength(5);
      expect(t.top[0]!.id).toBe(t.id); // greedy: the sampled token is the most likely
      for (let i = 1; i < 5; i++) expect(t.top[i]!.logprob).toBeLessThanOrEqual(t.top[i - 1]!.logprob);
    }
  });

  it('aborts with an AbortError', async () => {
    const ctl = new AbortController();
    const p = engine.generate({ messages, n: 2, maxTokens: 200, onToken: (e) => e.token && ctl.abort() }, ctl.signal);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('caps new tokens at the context left after the prompt, and refuses a prompt that fills it', async () => {
    const ctx = engine.runner.shape.context;
    expect(ctx).toBe(1024); // config.json max_position_embeddings
    // A raw prompt of ctx - 5 tokens leaves room for 5 new ones, whatever maxTokens asks.
    const ids = Array.from({ length: ctx - 5 }, (_, i) => 97 + (i % 26));
    const [c] = await engine.generateIds(ids, { n: 1, temperature: 0, maxTokens: 100, stop: [] });
    expect(c!.tokens.length).toBeLessThanOrEqual(5);
    if (c!.finishReason !== 'eos') expect(c!.tokens).toHaveLength(5);
    await expect(engine.generateIds(Array.from({ length: ctx }, () => 97), { n: 1, maxTokens: 8 })).rejects.toThrow(/the prompt is 1024 tokens and tiny-a has a context of 1024: shorten the prompt \(or the search path\) by at least 1 tokens/);
    await expect(engine.score({ messages, completions: ['a'.repeat(2000)] })).rejects.toThrow(/exceed tiny-a's context of 1024/);
  });

  it('rejects bad parameters with a message naming the field', async () => {
    await expect(engine.generate({ messages, n: 0 })).rejects.toThrow(/n must be/);
    await expect(engine.generate({ messages, topP: 2 })).rejects.toThrow(/topP/);
  });
});

describe('prefix KV cache', () => {
  it('continuing from a cached prefix gives the same logits as recomputing (1e-4)', async () => {
    const base = await engine.tokenize(engine.tokenizer.prompt(messages, formatNode('Sub-Task', 'Spell the word.')));
    const extended = [...base, ...(await engine.tokenize(nodePrefix('Thinking') + 's,t,r(1),a'))];
    engine.cache.clear();
    await engine.prefill(base); // parent's tokens cached
    const cached = await engine.prefill(extended);
    expect(cached.reused).toBe(base.length);
    const fresh = await noCache.prefill(extended, false);
    expect(fresh.reused).toBe(0);
    expect(maxDiff(cached.logits, fresh.logits)).toBeLessThan(1e-4);
  });

  it('children of a generated sample reuse its KV', async () => {
    engine.cache.clear();
    const prompt = await engine.tokenize(engine.tokenizer.prompt(messages, nodePrefix('Sub-Task')));
    const [s] = await engine.generate({ messages, n: 1, seed: 4, maxTokens: 30, prefix: nodePrefix('Sub-Task') });
    const child = [...prompt, ...s!.tokens, 261, 262];
    const hit = engine.cache.lookup(child);
    expect(hit?.tokens.length).toBe(prompt.length + s!.tokens.length - 1);
    const viaCache = await engine.prefill(child);
    expect(viaCache.reused).toBe(prompt.length + s!.tokens.length - 1);
    const fresh = await noCache.prefill(child, false);
    expect(maxDiff(viaCache.logits, fresh.logits)).toBeLessThan(1e-4);
  });

  it('stays under its memory cap by evicting least recently used entries', async () => {
    const small = await loadNodeEngine('tiny-a', { cacheBytes: 200_000 });
    for (let i = 0; i < 6; i++) await small.generate({ messages: [{ role: 'user', content: `prompt number ${i} ${'x'.repeat(20)}` }], n: 2, maxTokens: 8 });
    const st = small.cacheStats();
    expect(st.bytes).toBeLessThanOrEqual(200_000);
    expect(st.entries).toBeGreaterThan(0);
    await small.dispose();
  });
});

describe('OrtEngine.score', () => {
  it('agrees with the log-probs reported by generate for the same tokens', async () => {
    const [s] = await noCache.generate({ messages, n: 1, seed: 11, temperature: 1, maxTokens: 40 });
    const ids = s!.tokens;
    const scored = await engine.score({ messages, completions: ['', ''], completionIds: [ids, [...ids, 65]] });
    const seq = scored.sequences[0]!;
    expect(seq.tokens).toEqual(ids);
    expect(maxDiff(seq.logprobs, s!.logprobs.map((t) => t.logprob))).toBeLessThan(1e-4);
    expect(maxDiff(scored.sequences[1]!.logprobs.slice(0, ids.length), seq.logprobs)).toBeLessThan(1e-4);
    expect(seq.sum).toBeCloseTo(seq.logprobs.reduce((a, b) => a + b, 0), 9);
  });

  it('tokenizes plain text completions with the model tokenizer', async () => {
    const text = formatNode('Thinking', 's,t,r(1),a,w. Total: 1.');
    const r = await engine.score({ messages, completions: [text] });
    expect(r.sequences[0]!.tokens).toEqual(await engine.tokenize(text));
    expect(r.sequences[0]!.tokens).toContain(259); // <Thinking> is one token
    await expect(engine.score({ messages, completions: [] })).rejects.toThrow(/empty/);
  });

  it('masks the common prefix of chosen and rejected when asked', async () => {
    const chosen = formatNode('Thinking', 's,t,r(1). Total: 1.');
    const rejected = formatNode('Thinking', 's,t,r(1),r(2). Total: 2.');
    const r = await engine.score({ messages, completions: [chosen, rejected], maskCommonPrefix: true });
    const k = r.sequences[0]!.mask.indexOf(1);
    expect(k).toBeGreaterThan(0);
    expect(r.sequences[1]!.mask.slice(0, k)).toEqual(new Array(k).fill(0));
    expect(r.sequences[0]!.tokens.slice(0, k)).toEqual(r.sequences[1]!.tokens.slice(0, k));
    const masked = r.sequences[0]!.logprobs.reduce((a, lp, j) => a + (j >= k ? lp : 0), 0);
    expect(r.sequences[0]!.sum).toBeCloseTo(masked, 9);
  });
});
