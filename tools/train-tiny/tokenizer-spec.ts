/**
 * Writes the embedded models' tokenizer files: a byte-level BPE (Qwen2/GPT-2 byte alphabet and
 * pre-tokenizer regex) whose vocabulary is the 256 bytes, the chat markers, the thought-node tags
 * and the Table 2 role prompts (added tokens), and a few hundred whole words of the corpus's fixed
 * prose ("Ġunstack", "Ġcolumn", "Ġred"). There are no merges: with `ignore_merges` a pre-token
 * that is a vocabulary word is one token and every other pre-token is spelled byte by byte, so a
 * word is either whole or all bytes — never a half-merged piece. Digits and the words a letter
 * question may ask about stay bytes, so what is counted stays visible to the model. Whole words
 * halve the corpus's token count, which is what lets training fit its time budget.
 * tiny-a uses Qwen's ChatML markers, tiny-b Llama 3's header markers, so the two look like their
 * big cousins.
 */
import { ROLE_PROMPT_TOKENS, ROLE_TAGS } from '../../src/mcts/roles.js';

export interface ChatStyle {
  /** Special tokens, in id order after the 256 byte tokens. */
  specials: string[];
  eos: string;
  pad: string;
  bos: string | null;
  template: string;
  tokenizerClass: string;
}

export const STYLES: Record<'qwen2' | 'llama', ChatStyle> = {
  qwen2: {
    specials: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'],
    eos: '<|im_end|>',
    pad: '<|endoftext|>',
    bos: null,
    tokenizerClass: 'Qwen2Tokenizer',
    template:
      "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
      "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  },
  llama: {
    specials: ['<|begin_of_text|>', '<|end_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
    eos: '<|eot_id|>',
    pad: '<|end_of_text|>',
    bos: '<|begin_of_text|>',
    tokenizerClass: 'PreTrainedTokenizerFast',
    template:
      "{{ '<|begin_of_text|>' }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] + '<|eot_id|>' }}{% endfor %}" +
      "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
  },
};

/** GPT-2's reversible byte → printable-unicode map, used by ByteLevel pre-tokenizers. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const map: string[] = new Array(256);
  bs.forEach((b, i) => (map[b] = String.fromCharCode(cs[i]!)));
  return map;
}

/** GPT-2's pre-tokenizer pattern (what ByteLevel with use_regex applies), used to count words. */
export const PRETOKEN_RE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * The whole-word vocabulary: pre-tokens made of letters (optionally with one leading space) that
 * occur at least `minCount` times in `texts`, longer than one letter (a lone letter is a block
 * name or a counted letter and stays a byte), and not a word a letter question may ask about
 * (`exclude`, compared case-insensitively). Sorted by count, then text, so the ids are a pure
 * function of the corpus.
 */
export function chooseWords(texts: Iterable<string>, minCount: number, exclude: Iterable<string>): string[] {
  const banned = new Set([...exclude].map((w) => w.toLowerCase()));
  const counts = new Map<string, number>();
  for (const t of texts) for (const m of t.matchAll(PRETOKEN_RE)) {
    const w = m[0];
    if (!/^ ?\p{L}{2,}$/u.test(w) || banned.has(w.trim().toLowerCase())) continue;
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
}

/** tokenizer.json, tokenizer_config.json and the special-token ids for a style and word list. */
export function buildTokenizer(style: ChatStyle, words: readonly string[] = []): { tokenizer: object; config: object; ids: Record<string, number> } {
  const byteChars = bytesToUnicode();
  const vocab: Record<string, number> = {};
  byteChars.forEach((c, b) => (vocab[c] = b));
  const added = [...style.specials.map((t) => ({ t, special: true })), ...ROLE_TAGS.map((t) => ({ t, special: false })),
    ...ROLE_PROMPT_TOKENS.map((t) => ({ t, special: false })),
  ];
  const ids: Record<string, number> = {};
  const addedTokens = added.map(({ t, special }, i) => {
    ids[t] = 256 + i;
    return { id: 256 + i, content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special };
  });
  for (const a of addedTokens) vocab[a.content] = a.id;
  const enc = new TextEncoder();
  words.forEach((w, i) => (vocab[Array.from(enc.encode(w), (b) => byteChars[b]!).join('')] = 256 + addedTokens.length + i));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: true,
      vocab,
      merges: [],
    },
  };
  const addedDecoder: Record<string, object> = {};
  for (const a of addedTokens) addedDecoder[String(a.id)] = { content: a.content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: a.special };
  const config = {
    tokenizer_class: style.tokenizerClass,
    add_bos_token: false,
    add_eos_token: false,
    bos_token: style.bos,
    eos_token: style.eos,
    pad_token: style.pad,
    unk_token: null,
    model_max_length: 1024,
    clean_up_tokenization_spaces: false,
    split_special_tokens: false,
    added_tokens_decoder: addedDecoder,
    additional_special_tokens: style.specials,
    chat_template: style.template,
  };
  return { tokenizer, config, ids };
}
