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
  prompt: string;
  chosen: string;
  rejected: string;
  commonPrefixChars: number | null;
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
      prompt: content(value.prompt, file, line, 'prompt'),
      chosen: content(value.chosen, file, line, 'chosen'),
      rejected: content(value.rejected, file, line, 'rejected'),
      commonPrefixChars: typeof meta.common_prefix_chars === 'number' ? meta.common_prefix_chars : null,
    };
  });
}
