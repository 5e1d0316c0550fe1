/**
 * A real search with the embedded models: tiny-a thinks, tiny-b reflects. The trees hold correct
 * and incorrect answers, Reflections by tiny-b under the configured ancestor after wrong answers,
 * a replayable event log, and the same seed gives the same tree. The search reuses the prefix cache.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OrtEngine } from '../../src/engines/ort/engine.js';
import { loadNodeEngine } from '../../src/engines/ort/node.js';
import { BUILTIN_PATTERNS } from '../../src/mcts/patterns.js';
import { runSearch } from '../../src/mcts/search.js';
import type { Tree } from '../../src/mcts/tree.js';
import { family, generateProblems } from '../../src/tasks/index.js';

let think: OrtEngine;
let reflect: OrtEngine;
beforeAll(async () => {
  think = await loadNodeEngine('tiny-a');
  reflect = await loadNodeEngine('tiny-b');
});
afterAll(async () => {
  await think.dispose();
  await reflect.dispose();
});

const strip = (t: Tree) => JSON.stringify({ ...t, stats: { ...t.stats, seconds: 0 } });

describe('MCTS with tiny-a and tiny-b', () => {
  it('builds trees with right and wrong answers and tiny-b reflections', async () => {
    const problems = generateProblems('letters', 4, 7);
    // Watch the prefix cache: how many prompt tokens each lookup finds already computed.
    // A hit that is no earlier prompt was stored by a finished generation: a parent's own KV.
    const hits: { prompt: number; reused: number; fromGeneration: boolean }[] = [];
    const prompts = new Set<string>();
    const lookup = think.cache.lookup.bind(think.cache);
    vi.spyOn(think.cache, 'lookup').mockImplementation((tokens) => {
      const hit = lookup(tokens);
      hits.push({ prompt: tokens.length, reused: hit?.tokens.length ?? 0, fromGeneration: !!hit && !prompts.has(hit.tokens.join(',')) });
      prompts.add(tokens.join(','));
      return hit;
    });
    const trees: Tree[] = [];
    for (const p of problems) trees.push(await runSearch(p, family('letters'), { think, reflect }, { pattern: BUILTIN_PATTERNS[0]!, rollouts: 8, seed: 7 }));
    const answers = trees.flatMap((t) => t.nodes.filter((n) => n.role === 'Answer'));
    expect(answers.some((a) => a.verdict?.correct)).toBe(true);
    expect(answers.some((a) => !a.verdict?.correct)).toBe(true);
    for (const t of trees) {
      expect(t.schema).toBe('reasoning-lab/tree@1');
      expect(t.events.filter((e) => e.type === 'backprop')).toHaveLength(t.stats.rollouts);
      for (const n of t.nodes.filter((x) => x.role === 'Reflection')) {
        expect(n.model).toBe('tiny-b');
        expect(t.nodes[n.parent!]!.role).toBe('Thinking');
      }
      for (const n of t.nodes.filter((x) => x.role === 'Thinking' || x.role === 'Sub-Task')) expect(n.model).toBe('tiny-a');
    }
    expect(trees.some((t) => t.nodes.some((n) => n.role === 'Reflection'))).toBe(true);
    expect(think.cacheStats().promptTokensReused).toBeGreaterThan(0);
    // Children reuse their parent's KV, not just the shared root prompt: some lookups find more
    // tokens than the longest root prompt (chat template + question), in an entry that a
    // generation stored (the parent's prompt plus the parent's own generated text).
    const rootLen = Math.max(...problems.map((p) => think.tokenizer.encode(think.tokenizer.prompt([{ role: 'user', content: p.question }], '')).length));
    const deep = hits.filter((h) => h.reused > rootLen && h.fromGeneration);
    console.log(`prefix cache: ${hits.length} lookups, ${deep.length} reused a parent's generated KV (> ${rootLen} root-prompt tokens)`);
    expect(deep.length).toBeGreaterThan(0);
    vi.restoreAllMocks();
    const again = await runSearch(problems[0]!, family('letters'), { think, reflect }, { pattern: BUILTIN_PATTERNS[0]!, rollouts: 8, seed: 7 });
    expect(strip(again)).toBe(strip(trees[0]!));
  });
});
