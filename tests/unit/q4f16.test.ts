/**
 * The q4f16 twin of tiny-a (tools/q4f16/make_q4f16.py: int4 MatMulNBits weights, float16
 * activations, KV and logits, like the onnx-community q4f16 builds) runs through the same engine
 * as fp32 tiny-a: KV stays float16 end to end, logits rows are converted only when read, and its
 * greedy answers match fp32 tiny-a on most held-out problems. fp32 tiny-a is the reference.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeEngine, MODELS_DIR } from '../../src/engines/ort/node.js';
import type { OrtEngine } from '../../src/engines/ort/engine.js';
import { lastBoxed } from '../../src/tasks/answer.js';
import { heldOutProblems } from '../../tools/train-tiny/settings.js';

let fp32: OrtEngine;
let q4: OrtEngine;
beforeAll(async () => {
  fp32 = await loadNodeEngine('tiny-a', { cacheBytes: 0 });
  q4 = await loadNodeEngine('tiny-a-q4f16');
});
afterAll(async () => {
  await fp32?.dispose();
  await q4?.dispose();
});

describe('tiny-a q4f16 twin', () => {
  it('is a MatMulNBits graph whose KV and logits are float16, and the runner keeps KV as float16 bits', async () => {
    const bytes = readFileSync(join(MODELS_DIR, 'tiny-a/onnx/model_q4f16.onnx'));
    expect(bytes.includes(Buffer.from('MatMulNBits'))).toBe(true);
    expect(q4.runner.kvType).toBe('float16');
    expect(q4.runner.logitsType).toBe('float16');
    expect(fp32.runner.kvType).toBe('float32');
    const ids = q4.tokenizer.encode('How many r are in strawberry?');
    const res = await q4.runner.forward([ids], q4.runner.emptyPast(1), undefined, 'last');
    expect(res.present.data[0]!.array).toBeInstanceOf(Uint16Array);
    expect(res.present.data[0]!.array!.length).toBe(3 * ids.length * 32);
    expect(res.logits.length).toBe(448); // the last row only, as float32
  });

  it('gives logits close to fp32 tiny-a at every position (4-bit weights: same argmax on most positions)', async () => {
    const ids = fp32.tokenizer.encode(fp32.tokenizer.prompt([{ role: 'user', content: 'Count the letter e in "excellence".' }], ''));
    const a = await fp32.runner.forward([ids], fp32.runner.emptyPast(1));
    const b = await q4.runner.forward([ids], q4.runner.emptyPast(1));
    let same = 0;
    let worst = 0;
    for (let t = 0; t < ids.length; t++) {
      const x = fp32.runner.logitsAt(a, 0, t);
      const y = q4.runner.logitsAt(b, 0, t);
      let ax = 0;
      let ay = 0;
      for (let v = 0; v < x.length; v++) {
        worst = Math.max(worst, Math.abs(x[v]! - y[v]!));
        if (x[v]! > x[ax]!) ax = v;
        if (y[v]! > y[ay]!) ay = v;
      }
      if (ax === ay) same++;
    }
    console.log(`q4f16 vs fp32 logits over ${ids.length} positions: argmax agrees at ${same}, largest difference ${worst.toFixed(2)}`);
    expect(same / ids.length).toBeGreaterThan(0.8);
    expect(worst).toBeLessThan(4);
    expect(worst).toBeGreaterThan(0); // really another model, not fp32 loaded twice
  });

  it('greedy answers match fp32 tiny-a on most held-out letter problems', async () => {
    const problems = heldOutProblems('letters', 20);
    let same = 0;
    for (const p of problems) {
      const messages = [{ role: 'user' as const, content: p.question }];
      const [x] = await fp32.generate({ messages, n: 1, temperature: 0, maxTokens: 400 });
      const [y] = await q4.generate({ messages, n: 1, temperature: 0, maxTokens: 400 });
      if (lastBoxed(x!.text) === lastBoxed(y!.text)) same++;
    }
    console.log(`q4f16 twin: same final answer as fp32 tiny-a on ${same}/20 held-out letter problems`);
    expect(same).toBeGreaterThan(10);
  });

  it('is deterministic, and its float16 prefix cache changes nothing', async () => {
    const req = { messages: [{ role: 'user' as const, content: 'How many s are in mississippi?' }], n: 3, temperature: 0.8, seed: 5, maxTokens: 60 };
    const cold = await loadNodeEngine('tiny-a-q4f16', { cacheBytes: 0 });
    const a = await q4.generate(req);
    const b = await q4.generate(req); // served from the cache
    const c = await cold.generate(req);
    await cold.dispose();
    expect(q4.cacheStats().promptTokensReused).toBeGreaterThan(0);
    expect(b.map((x) => x.tokens)).toEqual(a.map((x) => x.tokens));
    expect(c.map((x) => x.tokens)).toEqual(a.map((x) => x.tokens));
  });

  it('scores completions with finite log-probs close to fp32 tiny-a', async () => {
    const req = { messages: [{ role: 'user' as const, content: 'What is 2+3?' }], completions: ['<Thinking>2+3=5</Thinking><Answer>\\boxed{5}</Answer>', '<Answer>\\boxed{6}</Answer>'] };
    const x = await fp32.score(req);
    const y = await q4.score(req);
    for (let i = 0; i < 2; i++) {
      expect(y.sequences[i]!.logprobs.every(Number.isFinite)).toBe(true);
      const n = y.sequences[i]!.tokens.length;
      expect(Math.abs(y.sequences[i]!.sum - x.sequences[i]!.sum) / n).toBeLessThan(0.5);
    }
  });
});
