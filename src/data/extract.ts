/**
 * From search trees to post-training data (Marco-o1 v2, Section 2.4 / 3):
 * - SFT paths: highest-reward, longest and shortest correct, or all correct;
 * - DPO pairs: each correct path with the incorrect path of the same tree that shares the
 *   *shortest* common prefix with it (prefix recorded in characters and, given a tokenizer, tokens);
 * - Thoughts Length Balance: per question, correct paths bucketed short / medium / long by their
 *   relative token length (terciles of that question's own lengths, not fixed thresholds);
 * - the slow-thinking report's selection: positive = correct path with the highest perplexity,
 *   negative = incorrect path with the lowest (perplexities from Engine.score).
 */
import type { ChatMessage, Engine } from '../core/engine.js';
import { formatNode, type Role } from '../mcts/roles.js';
import { pathTo, type Tree } from '../mcts/tree.js';

export type LengthBucket = 'short' | 'medium' | 'long';

export interface TreePath {
  treeId: string;
  problemId: string;
  question: string;
  /** Node ids root → Answer. */
  nodes: number[];
  /** Assistant text: the thought nodes with tags and role prompts. */
  text: string;
  /** Generated tokens along the path. */
  tokens: number;
  correct: boolean;
  reward: number;
  /** Mean node value along the path (tie-break for "highest reward"). */
  meanValue: number;
  bucket: LengthBucket;
}

/** Every root → Answer path of a tree, with length buckets assigned per question. */
export function treePaths(tree: Tree): TreePath[] {
  const paths: Omit<TreePath, 'bucket'>[] = tree.nodes
    .filter((n) => n.role === 'Answer' && n.verdict)
    .map((ans) => {
      const ids = pathTo(tree.nodes, ans.id);
      const nodes = ids.slice(1).map((id) => tree.nodes[id]!);
      return {
        treeId: tree.id,
        problemId: tree.task.problemId,
        question: tree.task.question,
        nodes: ids,
        text: nodes.map((n) => formatNode(n.role as Role, n.text)).join(''),
        tokens: nodes.reduce((a, n) => a + n.tokens, 0),
        correct: !!ans.verdict?.correct,
        reward: ans.verdict?.reward ?? 0,
        meanValue: nodes.reduce((a, n) => a + n.value, 0) / Math.max(1, nodes.length),
      };
    });
  const buckets = lengthBuckets(paths.filter((p) => p.correct).map((p) => p.tokens));
  return paths.map((p) => ({ ...p, bucket: p.correct ? buckets(p.tokens) : relativeBucket(paths.map((x) => x.tokens), p.tokens) }));
}

/** Terciles of one question's lengths: a function from a length to its bucket. */
export function lengthBuckets(lengths: number[]): (len: number) => LengthBucket {
  return (len) => relativeBucket(lengths, len);
}

function relativeBucket(lengths: number[], len: number): LengthBucket {
  if (lengths.length < 2) return 'medium';
  const sorted = [...lengths].sort((a, b) => a - b);
  const below = sorted.filter((x) => x < len).length;
  const equal = sorted.filter((x) => x === len).length;
  const rank = (below + (equal - 1) / 2) / (sorted.length - 1); // 0 = shortest, 1 = longest
  return rank < 1 / 3 ? 'short' : rank > 2 / 3 ? 'long' : 'medium';
}

export type SftSelect = 'reward' | 'longest' | 'shortest' | 'all';

/** SFT paths of one tree (only correct paths, except 'reward' which takes the best-rewarded path). */
export function selectSft(paths: TreePath[], select: SftSelect, buckets?: LengthBucket[]): TreePath[] {
  const pool = paths.filter((p) => p.correct && (!buckets || buckets.includes(p.bucket)));
  if (pool.length === 0) return [];
  switch (select) {
    case 'all':
      return pool;
    case 'longest':
      return [pool.reduce((a, b) => (b.tokens > a.tokens ? b : a))];
    case 'shortest':
      return [pool.reduce((a, b) => (b.tokens < a.tokens ? b : a))];
    case 'reward':
      return [pool.reduce((a, b) => (b.reward > a.reward || (b.reward === a.reward && b.meanValue > a.meanValue) ? b : a))];
  }
}

export interface DpoPair {
  question: string;
  chosen: TreePath;
  rejected: TreePath;
  /** Shared leading characters of chosen.text and rejected.text. */
  commonPrefixChars: number;
  /** Shared leading tokens (filled by `withTokenPrefix`). */
  commonPrefixTokens?: number;
  bucket: LengthBucket;
}

export function commonPrefixChars(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Each correct path (in `buckets` if given) paired with the incorrect path sharing the shortest prefix. */
export function selectDpo(paths: TreePath[], buckets?: LengthBucket[]): DpoPair[] {
  const wrong = paths.filter((p) => !p.correct);
  if (wrong.length === 0) return [];
  return paths
    .filter((p) => p.correct && (!buckets || buckets.includes(p.bucket)))
    .map((c) => {
      let best = wrong[0]!;
      let bestLen = commonPrefixChars(c.text, best.text);
      for (const w of wrong.slice(1)) {
        const l = commonPrefixChars(c.text, w.text);
        if (l < bestLen) {
          best = w;
          bestLen = l;
        }
      }
      return { question: c.question, chosen: c, rejected: best, commonPrefixChars: bestLen, bucket: c.bucket };
    });
}

/** Fill commonPrefixTokens with the model's tokenizer (leading tokens shared by both completions). */
export async function withTokenPrefix(pairs: DpoPair[], tokenize: (s: string) => Promise<number[]>): Promise<DpoPair[]> {
  const out: DpoPair[] = [];
  for (const p of pairs) {
    const [a, b] = [await tokenize(p.chosen.text), await tokenize(p.rejected.text)];
    let k = 0;
    while (k < a.length && k < b.length && a[k] === b[k]) k++;
    out.push({ ...p, commonPrefixTokens: k });
  }
  return out;
}

/** Perplexity of each path's text under `engine` (teacher forcing). */
export async function perplexities(paths: TreePath[], engine: Engine): Promise<number[]> {
  if (!engine.score) throw new Error(`model ${engine.info.id} cannot score sequences: perplexity selection needs an ort model`);
  const out: number[] = [];
  for (const p of paths) {
    const messages: ChatMessage[] = [{ role: 'user', content: p.question }];
    const s = await engine.score({ messages, completions: [p.text] });
    const seq = s.sequences[0]!;
    out.push(Math.exp(-seq.sum / Math.max(1, seq.logprobs.length)));
  }
  return out;
}

/** Slow-thinking selection: the highest-perplexity correct path vs the lowest-perplexity incorrect path. */
export async function selectByPerplexity(paths: TreePath[], engine: Engine, buckets?: LengthBucket[]): Promise<DpoPair[]> {
  const good = paths.filter((p) => p.correct && (!buckets || buckets.includes(p.bucket)));
  const bad = paths.filter((p) => !p.correct);
  if (!good.length || !bad.length) return [];
  const [pg, pb] = [await perplexities(good, engine), await perplexities(bad, engine)];
  const chosen = good[pg.indexOf(Math.max(...pg))]!;
  const rejected = bad[pb.indexOf(Math.min(...pb))]!;
  return [{ question: chosen.question, chosen, rejected, commonPrefixChars: commonPrefixChars(chosen.text, rejected.text), bucket: chosen.bucket }];
}

/** SFT record in the chat `messages` format. */
export function sftRecord(p: TreePath): Record<string, unknown> {
  return {
    messages: [
      { role: 'user', content: p.question },
      { role: 'assistant', content: p.text },
    ],
    meta: { tree_id: p.treeId, problem_id: p.problemId, tokens: p.tokens, length_bucket: p.bucket, reward: p.reward },
  };
}

/** DPO record in TRL's conversational prompt / chosen / rejected format, with meta. */
export function dpoRecord(p: DpoPair): Record<string, unknown> {
  return {
    prompt: [{ role: 'user', content: p.question }],
    chosen: [{ role: 'assistant', content: p.chosen.text }],
    rejected: [{ role: 'assistant', content: p.rejected.text }],
    meta: {
      tree_id: p.chosen.treeId,
      problem_id: p.chosen.problemId,
      common_prefix_chars: p.commonPrefixChars,
      ...(p.commonPrefixTokens !== undefined ? { common_prefix_tokens: p.commonPrefixTokens } : {}),
      length_bucket: p.bucket,
      chosen_tokens: p.chosen.tokens,
      rejected_tokens: p.rejected.tokens,
    },
  };
}
