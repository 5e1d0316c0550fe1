/**
 * Tokenizer and chat template through @huggingface/transformers, built from the model's own
 * tokenizer.json / tokenizer_config.json (read by the caller from the project, never a hub).
 */
import { PreTrainedTokenizer } from '@huggingface/transformers';
import type { ChatMessage } from '../../core/engine.js';

export class ChatTokenizer {
  private readonly tok: PreTrainedTokenizer;
  /** Ids that end a sample: the eos token(s) of the tokenizer and of generation_config.json. */
  readonly stopIds: Set<number>;
  readonly padId: number;

  constructor(tokenizerJson: object, tokenizerConfig: Record<string, unknown>, generationConfig: Record<string, unknown> = {}) {
    if (typeof tokenizerConfig.chat_template !== 'string') throw new Error('tokenizer_config.json: field "chat_template" is missing: the model needs a chat template');
    this.tok = new PreTrainedTokenizer(tokenizerJson, tokenizerConfig);
    const ids = new Set<number>();
    const eos = generationConfig.eos_token_id;
    for (const e of Array.isArray(eos) ? eos : eos === undefined ? [] : [eos]) if (typeof e === 'number') ids.add(e);
    const eosTok = tokenizerConfig.eos_token;
    const eosText = typeof eosTok === 'string' ? eosTok : (eosTok as { content?: string } | null)?.content;
    if (eosText) {
      const id = this.tok.get_vocab().get(eosText);
      if (id !== undefined) ids.add(id);
    }
    if (ids.size === 0) throw new Error('no eos token: set eos_token in tokenizer_config.json or eos_token_id in generation_config.json');
    this.stopIds = ids;
    const pad = generationConfig.pad_token_id;
    this.padId = typeof pad === 'number' ? pad : [...ids][0]!;
  }

  /** Chat template with a generation prompt, plus an optional partial assistant message. */
  prompt(messages: ChatMessage[], prefix = ''): string {
    const text = this.tok.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true }) as string;
    return text + prefix;
  }

  encode(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false });
  }

  /** Text of ids; special tokens (chat markers, eos) are dropped, thought-node tags kept. */
  decode(ids: number[]): string {
    return this.tok.decode(ids, { skip_special_tokens: true });
  }

  /** The string of one token id (special tokens included), for log-prob displays. */
  tokenText(id: number): string {
    let t = this.tokenTexts.get(id);
    if (t === undefined) {
      t = this.tok.decode([id], { skip_special_tokens: false });
      this.tokenTexts.set(id, t);
    }
    return t;
  }

  private readonly tokenTexts = new Map<number, string>();
}
