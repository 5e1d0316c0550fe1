/** Reading tree@1 JSONL and DPO JSONL back in, validated line by line (file:line:field). */
import { ROLES } from '../mcts/roles.js';
import { TREE_SCHEMA, type Tree } from '../mcts/tree.js';
import { JsonlError, parseJsonl } from '../core/jsonl.js';

/** Reports a bad field: `field` is a path inside the record ("nodes[2].text"). */
export type Fail = (field: string, why: string) => never;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const NODE_ROLES: readonly string[] = ['root', ...ROLES];

/** Check one tree node (a record of `nodes`, or of a saved search event); `at` prefixes field names. */
export function checkNode(n: unknown, at: string, fail: Fail, index?: number): void {
  if (!isObj(n)) fail(at, 'must be an object');
  const node = n as Record<string, unknown>;
  if (index !== undefined ? node.id !== index : !(Number.isInteger(node.id) && (node.id as number) >= 0)) fail(`${at}.id`, index !== undefined ? `must equal its index ${index}` : 'must be a whole number ≥ 0');
  if (typeof node.role !== 'string' || !NODE_ROLES.includes(node.role)) fail(`${at}.role`, `must be one of ${NODE_ROLES.join(', ')}`);
  if (typeof node.text !== 'string') fail(`${at}.text`, 'must be a string');
  const id = node.id as number;
  if (node.parent !== null && (typeof node.parent !== 'number' || !Number.isInteger(node.parent) || node.parent < 0 || node.parent >= id)) fail(`${at}.parent`, 'must be null or the id of an earlier node');
  for (const f of ['visits', 'value', 'depth'] as const) if (typeof node[f] !== 'number' || !Number.isFinite(node[f])) fail(`${at}.${f}`, 'must be a number');
  if (!Array.isArray(node.children) || !node.children.every((c) => Number.isInteger(c) && (c as number) > id)) fail(`${at}.children`, 'must be a list of ids of later nodes');
}

/** Check a parsed tree@1 record (what `lab mcts` writes and a search run saves). */
export function checkTree(value: unknown, fail: Fail): Tree {
  if (!isObj(value)) fail('', 'must be a JSON object');
  const v = value as Record<string, unknown>;
  if (v.schema !== TREE_SCHEMA) fail('schema', `must be "${TREE_SCHEMA}", got ${JSON.stringify(v.schema)}`);
  if (!Array.isArray(v.nodes) || v.nodes.length === 0) fail('nodes', 'must be a non-empty array');
  const task = v.task as Record<string, unknown> | undefined;
  if (!isObj(task) || typeof task.question !== 'string') fail('task.question', 'is missing');
  const nodes = v.nodes as unknown[];
  nodes.forEach((n, i) => checkNode(n, `nodes[${i}]`, fail, i));
  nodes.forEach((n, i) => (n as { children: number[] }).children.forEach((c) => c < nodes.length || fail(`nodes[${i}].children`, `names node ${c}, but the tree has ${nodes.length} nodes`)));
  if (v.events !== undefined) {
    if (!Array.isArray(v.events)) fail('events', 'must be an array');
    (v.events as unknown[]).forEach((e, i) => (isObj(e) && typeof e.type === 'string') || fail(`events[${i}].type`, 'must be a string'));
  }
  if (v.stats !== undefined && !isObj(v.stats)) fail('stats', 'must be an object');
  return value as unknown as Tree;
}

export function parseTrees(text: string, file: string): Tree[] {
  return parseJsonl(text, file).map(({ line, value }) =>
    checkTree(value, (field, why) => {
      throw new JsonlError(file, line, field || null, why);
    }),
  );
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
