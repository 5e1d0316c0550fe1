/** Reading tree@1 JSONL and DPO JSONL back in, validated line by line (file:line:field). */
import { TREE_SCHEMA, type Tree } from '../mcts/tree.js';
import { JsonlError, parseJsonl } from './jsonl.js';

export function parseTrees(text: string, file: string): Tree[] {
  return parseJsonl(text, file).map(({ line, value }) => {
    if (value.schema !== TREE_SCHEMA) throw new JsonlError(file, line, 'schema', `must be "${TREE_SCHEMA}", got ${JSON.stringify(value.schema)}`);
    if (!Array.isArray(value.nodes) || value.nodes.length === 0) throw new JsonlError(file, line, 'nodes', 'must be a non-empty array');
    const task = value.task as Record<string, unknown> | undefined;
    if (!task || typeof task.question !== 'string') throw new JsonlError(file, line, 'task.question', 'is missing');
    (value.nodes as unknown[]).forEach((n, i) => {
      const node = n as Record<string, unknown>;
      if (typeof node !== 'object' || node === null) throw new JsonlError(file, line, `nodes[${i}]`, 'must be an object');
      if (node.id !== i) throw new JsonlError(file, line, `nodes[${i}].id`, `must equal its index ${i}`);
      if (typeof node.text !== 'string') throw new JsonlError(file, line, `nodes[${i}].text`, 'must be a string');
      if (node.parent !== null && (typeof node.parent !== 'number' || node.parent >= i)) throw new JsonlError(file, line, `nodes[${i}].parent`, 'must be null or the id of an earlier node');
    });
    return value as unknown as Tree;
  });
}

export interface DpoRow {
  id: string;
  /** 1-based line in the file. */
  line: number;
  prompt: string;
  chosen: string;
  rejected: string;
  commonPrefixChars: number | null;
  /** Shared leading completion tokens as counted by `lab extract --model` (absent in other files). */
  commonPrefixTokens?: number;
}

/** One SFT row: the conversation before the last assistant message, and that message. */
export interface SftRow {
  line: number;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  completion: string;
}

/** TRL conversational SFT rows (`messages`, last one from the assistant), e.g. from `lab extract --sft`. */
export function parseSftRows(text: string, file: string): SftRow[] {
  return parseJsonl(text, file).map(({ line, value }) => {
    const msgs = value.messages;
    if (!Array.isArray(msgs) || msgs.length < 2) throw new JsonlError(file, line, 'messages', value.prompt !== undefined ? 'is missing: this looks like a DPO row (prompt/chosen/rejected); pass it with --dpo' : 'must be a list of at least two chat messages');
    const parsed = msgs.map((m, i) => {
      const r = m as Record<string, unknown>;
      if (typeof r !== 'object' || r === null || !['system', 'user', 'assistant'].includes(r.role as string)) throw new JsonlError(file, line, `messages[${i}].role`, 'must be system, user or assistant');
      if (typeof r.content !== 'string') throw new JsonlError(file, line, `messages[${i}].content`, 'must be a string');
      return { role: r.role as 'system' | 'user' | 'assistant', content: r.content };
    });
    const last = parsed[parsed.length - 1]!;
    if (last.role !== 'assistant') throw new JsonlError(file, line, `messages[${parsed.length - 1}].role`, 'the last message must be the assistant\'s (the text to learn)');
    if (last.content === '') throw new JsonlError(file, line, `messages[${parsed.length - 1}].content`, 'is empty');
    return { line, messages: parsed.slice(0, -1), completion: last.content };
  });
}

function content(v: unknown, file: string, line: number, field: string): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length > 0) {
    const last = v[v.length - 1] as Record<string, unknown>;
    if (last && typeof last.content === 'string') return last.content;
  }
  throw new JsonlError(file, line, field, 'must be a string or a list of chat messages with "content"');
}

/** TRL DPO rows (plain strings or conversational), e.g. from `lab extract --dpo`. */
export function parseDpoRows(text: string, file: string): DpoRow[] {
  return parseJsonl(text, file).map(({ line, value }, i) => {
    const meta = (value.meta ?? {}) as Record<string, unknown>;
    return {
      id: typeof value.id === 'string' ? value.id : typeof meta.tree_id === 'string' ? `${meta.tree_id}#${i}` : String(i),
      line,
      prompt: content(value.prompt, file, line, 'prompt'),
      chosen: content(value.chosen, file, line, 'chosen'),
      rejected: content(value.rejected, file, line, 'rejected'),
      commonPrefixChars: typeof meta.common_prefix_chars === 'number' ? meta.common_prefix_chars : null,
      ...(typeof meta.common_prefix_tokens === 'number' ? { commonPrefixTokens: meta.common_prefix_tokens } : {}),
    };
  });
}
