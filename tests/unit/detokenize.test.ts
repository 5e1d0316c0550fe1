/**
 * detokenize in the engine contract: the text of every token and its offsets, in one call, with the
 * real tiny-a tokenizer (byte-level, so multi-byte characters span several tokens). The pieces are
 * checked against the text itself and, on ASCII text, against the tokenize-alignment fallback
 * (tokenTexts, an independent algorithm); the Objectives scoring path then needs no tokenize round
 * trips for labels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine.js';
import type { TreePath } from '../../src/data/extract.js';
import type { OrtEngine } from '../../src/engines/ort/engine.js';
import { loadNodeEngine } from '../../src/engines/ort/node.js';
import { scorePair, tokenTexts } from '../../src/ui/objectives/scoring.js';

let engine: OrtEngine;
beforeAll(async () => {
  engine = await loadNodeEngine('tiny-a', { cacheBytes: 0 });
});
afterAll(async () => engine?.dispose());

const TEXTS = ['<Thinking>There are 3 r in strawberry.</Thinking><Answer>\\boxed{3}</Answer>', 'plain words and  two spaces', 'café 🙂 naïve — done'];

describe('OrtEngine.detokenize', () => {
  for (const text of TEXTS)
    it(`pieces concatenate to the text with consistent offsets: ${JSON.stringify(text.slice(0, 24))}`, async () => {
      const ids = await engine.tokenize(text);
      const pieces = await engine.detokenize(ids);
      expect(pieces.map((p) => p.id)).toEqual(ids);
      expect(pieces.map((p) => p.text).join('')).toBe(text);
      let at = 0;
      for (const p of pieces) {
        expect(p.start).toBe(at);
        expect(p.end - p.start).toBe(p.text.length);
        expect(text.slice(p.start, p.end)).toBe(p.text);
        at = p.end;
      }
    });

  it('equals the tokenize-alignment fallback on ASCII text, token for token', async () => {
    for (const text of TEXTS.slice(0, 2)) {
      const ids = await engine.tokenize(text);
      const viaTokenize = await tokenTexts(text, ids, (s) => engine.tokenize(s));
      expect((await engine.detokenize(ids)).map((p) => p.text)).toEqual(viaTokenize);
    }
  });

  it('gives a multi-byte character to the token that completes it', async () => {
    const ids = await engine.tokenize('🙂');
    expect(ids.length).toBeGreaterThan(1); // byte-level: 4 UTF-8 bytes
    const pieces = await engine.detokenize(ids);
    expect(pieces.map((p) => p.text)).toEqual([...new Array<string>(ids.length - 1).fill(''), '🙂']);
  });

  it('lets Objectives label tokens with one detokenize call per completion instead of tokenize round trips', async () => {
    const calls = { tokenize: 0, detokenize: 0 };
    // A counting wrapper around the real engine (only here, in a unit test).
    const counted: Engine = {
      info: engine.info,
      generate: (r, s) => engine.generate(r, s),
      score: (r, s) => engine.score(r, s),
      tokenize: (t) => (calls.tokenize++, engine.tokenize(t)),
      detokenize: (ids) => (calls.detokenize++, engine.detokenize(ids)),
      dispose: async () => {},
    };
    const path = (text: string, correct: boolean) => ({ text, correct }) as TreePath;
    const e = await scorePair({ question: 'How many r?', chosen: path(TEXTS[0]!, true), rejected: path('<Answer>\\boxed{2}</Answer>', false), commonPrefixChars: 0, bucket: 'short' }, 0, counted, counted);
    expect(calls).toEqual({ tokenize: 2, detokenize: 2 });
    expect(e.policy.chosen.tokens.join('')).toBe(TEXTS[0]);
  });
});
