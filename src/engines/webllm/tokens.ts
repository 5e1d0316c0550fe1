/**
 * Token strings back to token ids. web-llm reports each sampled token (and its top alternatives)
 * as decoded text, not as an id; the model's own tokenizer.json maps them back: added tokens by
 * content, byte-level BPE pieces (Qwen, Llama 3) through the GPT-2 byte↔unicode table, and
 * SentencePiece pieces through "▁". A token that decodes to part of a UTF-8 character cannot be
 * recovered and gets id -1 (as in the openai engine).
 */

/** GPT-2's bytes_to_unicode: printable stand-ins for the 256 byte values. */
function byteToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const out = new Array<string>(256);
  bs.forEach((b, i) => (out[b] = String.fromCharCode(cs[i]!)));
  return out;
}

const BYTE_TO_UNICODE = byteToUnicode();

interface TokenizerJson {
  model?: { type?: string; vocab?: Record<string, number> | [string, number][] };
  added_tokens?: { id: number; content: string }[];
  pre_tokenizer?: unknown;
  decoder?: unknown;
}

function mentions(node: unknown, type: string): boolean {
  return JSON.stringify(node ?? null).includes(`"type":"${type}"`);
}

export class TokenIds {
  private readonly vocab = new Map<string, number>();
  private readonly added = new Map<string, number>();
  private readonly byteLevel: boolean;
  private readonly metaspace: boolean;
  private readonly memo = new Map<string, number>();

  constructor(tokenizerJson: object) {
    const tj = tokenizerJson as TokenizerJson;
    const vocab = tj.model?.vocab;
    if (Array.isArray(vocab)) vocab.forEach(([piece], id) => this.vocab.set(piece, id));
    else if (vocab) for (const [piece, id] of Object.entries(vocab)) this.vocab.set(piece, id);
    for (const t of tj.added_tokens ?? []) this.added.set(t.content, t.id);
    this.byteLevel = mentions(tj.pre_tokenizer, 'ByteLevel') || mentions(tj.decoder, 'ByteLevel');
    this.metaspace = mentions(tj.pre_tokenizer, 'Metaspace') || mentions(tj.decoder, 'Metaspace');
  }

  /** The id of a token given as its decoded text, or -1 when it cannot be recovered. */
  id(text: string): number {
    const hit = this.memo.get(text);
    if (hit !== undefined) return hit;
    let id = this.added.get(text);
    // U+FFFD is what a token holding part of a UTF-8 character decodes to: its bytes are lost.
    if (id === undefined && text.includes('\uFFFD')) id = -1;
    if (id === undefined && this.byteLevel) id = this.vocab.get(Array.from(new TextEncoder().encode(text), (b) => BYTE_TO_UNICODE[b]!).join(''));
    if (id === undefined && this.metaspace) id = this.vocab.get(text.replace(/ /g, '▁'));
    if (id === undefined) id = this.vocab.get(text);
    const out = id ?? -1;
    this.memo.set(text, out);
    return out;
  }
}
