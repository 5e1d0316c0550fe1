/**
 * Import for the Data view: a JSONL file of search trees (`lab mcts --out`, tree@1) or of DPO pairs
 * (`lab extract --dpo`, TRL prompt / chosen / rejected, plain strings or chat messages). Pure and
 * total: it never throws; every problem is a message naming the file, the 1-based line and the
 * field. All or nothing: one bad line imports nothing, so a half-read file never replaces good data.
 */
import { commonPrefixChars, type DpoPair, type LengthBucket, type TreePath } from '../../data/extract.js';
import { JsonlError, parseJsonlLine } from '../../core/jsonl.js';
import { parseTrees } from '../../data/trees-io.js';
import { TREE_SCHEMA, type Tree } from '../../mcts/tree.js';

export type ImportResult = { kind: 'trees'; trees: Tree[] } | { kind: 'pairs'; pairs: DpoPair[] } | { kind: 'error'; errors: string[] };

/** Files larger than this are refused before parsing (the UI would stall on them). */
export const MAX_IMPORT_CHARS = 64 * 1024 * 1024;

const BUCKETS: readonly string[] = ['short', 'medium', 'long'];

function content(v: unknown, file: string, line: number, field: string): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length > 0) {
    const last = v[v.length - 1] as Record<string, unknown> | null;
    if (last && typeof last === 'object' && typeof last.content === 'string') return last.content;
    throw new JsonlError(file, line, `${field}[${v.length - 1}].content`, 'must be a string');
  }
  throw new JsonlError(file, line, field, v === undefined ? 'is missing' : 'must be a string or a non-empty list of chat messages with "content"');
}

function optInt(meta: Record<string, unknown>, key: string, file: string, line: number): number | undefined {
  const v = meta[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new JsonlError(file, line, `meta.${key}`, `must be a non-negative integer, got ${JSON.stringify(v).slice(0, 40)}`);
  return v;
}

function optString(meta: Record<string, unknown>, key: string, file: string, line: number): string | undefined {
  const v = meta[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new JsonlError(file, line, `meta.${key}`, 'must be a string');
  return v;
}

/** One DPO row → a DpoPair (its two paths carry what the row says; nodes are unknown). */
export function pairFromRow(value: Record<string, unknown>, file: string, line: number): DpoPair {
  const question = content(value.prompt, file, line, 'prompt');
  const chosenText = content(value.chosen, file, line, 'chosen');
  const rejectedText = content(value.rejected, file, line, 'rejected');
  const metaRaw = value.meta ?? {};
  if (typeof metaRaw !== 'object' || metaRaw === null || Array.isArray(metaRaw)) throw new JsonlError(file, line, 'meta', 'must be an object');
  const meta = metaRaw as Record<string, unknown>;
  const bucketRaw = meta.length_bucket;
  if (bucketRaw !== undefined && (typeof bucketRaw !== 'string' || !BUCKETS.includes(bucketRaw))) throw new JsonlError(file, line, 'meta.length_bucket', `must be short, medium or long, got ${JSON.stringify(bucketRaw).slice(0, 40)}`);
  const bucket = (bucketRaw ?? 'medium') as LengthBucket;
  const treeId = optString(meta, 'tree_id', file, line) ?? `${file}:${line}`;
  const problemId = optString(meta, 'problem_id', file, line) ?? '';
  const chosenTokens = optInt(meta, 'chosen_tokens', file, line);
  const rejectedTokens = optInt(meta, 'rejected_tokens', file, line);
  const prefixTokens = optInt(meta, 'common_prefix_tokens', file, line);
  optInt(meta, 'common_prefix_chars', file, line); // validated; recomputed from the texts below
  const path = (text: string, correct: boolean, tokens: number | undefined): TreePath => ({
    treeId,
    problemId,
    question,
    nodes: [],
    text,
    tokens: tokens ?? 0,
    correct,
    reward: correct ? 1 : 0,
    meanValue: 0,
    bucket,
  });
  return {
    question,
    chosen: path(chosenText, true, chosenTokens),
    rejected: path(rejectedText, false, rejectedTokens),
    commonPrefixChars: commonPrefixChars(chosenText, rejectedText),
    ...(prefixTokens !== undefined ? { commonPrefixTokens: prefixTokens } : {}),
    bucket,
  };
}

/** Parse tree@1 JSONL or DPO JSONL; at most `maxErrors` messages are kept (with a count of the rest). */
export function importJsonl(text: string, file: string, maxErrors = 10): ImportResult {
  try {
    if (text.length > MAX_IMPORT_CHARS) return { kind: 'error', errors: [`${file}: the file is ${(text.length / 1048576).toFixed(0)} MiB; the limit is ${MAX_IMPORT_CHARS / 1048576} MiB`] };
    const lines = text.split(/\r?\n/);
    const errors: string[] = [];
    let extra = 0;
    const fail = (e: unknown, line: number) => {
      const msg = e instanceof JsonlError ? e.message : `${file}:${line}: ${(e as Error).message}`;
      if (errors.length < maxErrors) errors.push(msg);
      else extra++;
    };
    const rows: { line: number; value: Record<string, unknown> }[] = [];
    lines.forEach((raw, i) => {
      const line = i + 1;
      if (raw.trim() === '') return;
      try {
        rows.push({ line, value: parseJsonlLine(raw, file, line) });
      } catch (e) {
        fail(e, line);
      }
    });
    if (rows.length === 0 && errors.length === 0) return { kind: 'error', errors: [new JsonlError(file, 1, null, 'the file is empty: expected one JSON object per line').message] };
    const isTrees = rows.some((r) => r.value.schema === TREE_SCHEMA || Array.isArray(r.value.nodes));
    if (isTrees) {
      if (errors.length) return { kind: 'error', errors: withExtra(errors, extra) };
      try {
        return { kind: 'trees', trees: parseTrees(text, file) };
      } catch (e) {
        return { kind: 'error', errors: [(e as Error).message] };
      }
    }
    const pairs: DpoPair[] = [];
    for (const r of rows) {
      try {
        pairs.push(pairFromRow(r.value, file, r.line));
      } catch (e) {
        fail(e, r.line);
      }
    }
    if (errors.length) return { kind: 'error', errors: withExtra(errors, extra) };
    return { kind: 'pairs', pairs };
  } catch (e) {
    return { kind: 'error', errors: [`${file}: ${(e as Error).message}`] };
  }
}

function withExtra(errors: string[], extra: number): string[] {
  return extra ? [...errors, `… and ${extra} more`] : errors;
}
