/**
 * A scripted Engine for unit tests only (never a default path): Answer nodes get a seeded pick
 * from `answers`, other nodes a placeholder thought, so search and extraction logic can be
 * checked exactly. `varied` gives thoughts of random text and token counts (length buckets).
 */
import type { Completion, Engine, GenerateRequest } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';

export function scripted(id: string, answers: string[], varied = false): Engine {
  return {
    info: { id, backend: 'ort', model: id, device: 'test', can: { score: false, topLogprobs: 5, batch: true, prefixCache: false } },
    async generate(req: GenerateRequest): Promise<Completion[]> {
      const rng = new Rng(req.seed ?? 0);
      return Array.from({ length: req.n ?? 1 }, (_, i) => {
        const isAnswer = (req.prefix ?? '').endsWith('<Answer>The answer is: ');
        const thought = varied ? `${id} thought ${rng.int(1000)} ${'x'.repeat(rng.int(30))}` : `${id} step ${i}`;
        const text = isAnswer ? `\\boxed{${rng.pick(answers)}}` : thought;
        const tokens = varied ? new Array<number>(5 + rng.int(40)).fill(1) : [1, 2, 3];
        return { index: i, text, tokens, logprobs: [], finishReason: 'stop' as const, promptTokens: 10 };
      });
    },
    async tokenize(s: string) {
      return [...s].map((c) => c.charCodeAt(0));
    },
    async dispose() {},
  };
}
