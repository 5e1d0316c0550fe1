/**
 * The embedded models' tokenizers (real tokenizer.json files through transformers.js): frequent
 * prose words are single tokens, while digits, lone letters and the words a letter question may
 * ask about stay one token per byte, so what the model counts or copies stays visible to it.
 */
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../../src/engines/ort/node.js';
import { FAMILIES, generateProblems } from '../../src/tasks/index.js';
import { LETTER_WORDS } from '../../src/tasks/letters.js';
import { chooseWords } from '../../tools/train-tiny/tokenizer-spec.js';

const toks: Record<string, PreTrainedTokenizer> = {};

beforeAll(async () => {
  env.allowRemoteModels = false;
  env.localModelPath = `${MODELS_DIR}/`;
  for (const id of ['tiny-a', 'tiny-b']) toks[id] = await AutoTokenizer.from_pretrained(id);
});

const pieces = (id: string, text: string): string[] => toks[id]!.encode(text, { add_special_tokens: false }).map((i: number) => toks[id]!.decode([i]));

describe.each(['tiny-a', 'tiny-b'])('%s tokenizer', (id) => {
  it('keeps counted words, digits and lone letters as bytes, and fixed prose as whole words', () => {
    expect(pieces(id, 'How many r\'s are in strawberry?')).toEqual(['How', ' many', ' ', 'r', "'", 's', ' are', ' in', ' ', ...'strawberry'.split(''), '?']);
    expect(pieces(id, ' 4721')).toEqual([' ', '4', '7', '2', '1']);
    expect(pieces(id, ' unstack blue red, put-down blue')).toEqual([' unstack', ' blue', ' red', ',', ' put', '-', 'down', ' blue']);
    for (const w of LETTER_WORDS.slice(0, 40)) expect(pieces(id, ` ${w}`).length, w).toBe(1 + [...new TextEncoder().encode(w)].length);
  });

  it('round-trips every family\'s questions and solver traces exactly', () => {
    for (const name of Object.keys(FAMILIES)) {
      for (const p of generateProblems(name, 20, 9)) {
        const ids = toks[id]!.encode(p.question + ' ' + p.answer, { add_special_tokens: false });
        expect(toks[id]!.decode(ids)).toBe(p.question + ' ' + p.answer);
      }
    }
  });
});

describe('chooseWords (the whole-word vocabulary)', () => {
  it('takes frequent multi-letter words, never lone letters or excluded words, in a fixed order', () => {
    const texts = ['the cat sat on the mat', 'so the cat ran', 'a a a a', 'eat apple apple apple'];
    // ' a' is frequent but a lone letter; 'the' (no leading space) is a different pre-token from ' the'.
    expect(chooseWords(texts, 2, ['Apple'])).toEqual([' cat', ' the']);
    expect(chooseWords(texts, 3, [])).toEqual([' apple']);
  });
});
