/**
 * Writes the embedded models' tokenizer files: a byte-level BPE (Qwen2/GPT-2 byte alphabet) with
 * no merges, so every byte is one token — letters stay visible to the model, which is what letter
 * counting needs — plus the chat markers, the thought-node tags and the Table 2 role prompts as
 * added tokens. tiny-a uses
 * Qwen's ChatML markers, tiny-b Llama 3's header markers, so the two look like their big cousins.
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

/** Vocabulary size written to config.json (tokenizer size rounded up to a multiple of 16). */
export function vocabSize(style: ChatStyle): number {
  return Math.ceil((256 + style.specials.length + ROLE_TAGS.length + ROLE_PROMPT_TOKENS.length) / 16) * 16;
}

/** tokenizer.json, tokenizer_config.json and the special-token ids for a style. */
export function buildTokenizer(style: ChatStyle): { tokenizer: object; config: object; ids: Record<string, number> } {
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
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
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
      ignore_merges: false,
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
