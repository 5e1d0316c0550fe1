/**
 * The prefix KV cache as a radix trie over token ids, so MCTS children do not re-run their
 * parents' tokens. Each node owns the KV of only its own edge's tokens (one block per layer and
 * key/value, [kvHeads, span, headDim], see kv-blocks.ts); a longer prefix is a child that refers
 * to its ancestors' blocks instead of copying them. Lookup walks the trie token by token, so it
 * costs O(prefix length) whatever the number of entries, and finds the longest cached prefix even
 * when it ends inside an edge (the KV of position i depends only on tokens 0..i). Nodes where a
 * prefill or a sample ended also keep the logits after their last token, which a full hit needs
 * to sample the next token. Memory is capped in bytes; least recently used leaves go first (a
 * node with live children cannot go, its blocks are theirs too).
 */
import { cpuBlockOps, type BlockPart, type KvBlockOps, type KvSource } from './kv-blocks.js';
import type { KvBlock } from './kv-store.js';

export type { KvArray, KvSource } from './kv-blocks.js';

/** A lookup result: the KV of `tokens` (a prefix of the request) as one contiguous batch-1 past. */
export interface KvEntry {
  tokens: number[];
  /** 2 * layers blocks: key0, value0, key1, value1, ... each [1, kvHeads, tokens.length, headDim]; a fresh copy the caller owns (and releases on the GPU). */
  past: KvBlock[];
  /** Logits predicting the token after `tokens`, when the cache has them (always on a full hit). */
  lastLogits: Float32Array | null;
}

export interface KvCacheStats {
  /** Trie nodes, each holding one span's blocks. */
  entries: number;
  bytes: number;
  capBytes: number;
  hits: number;
  misses: number;
  reusedTokens: number;
}

interface TrieNode<B> {
  /** Tokens on the edge into this node. */
  span: number[];
  /** KV of `span` only: 2 * layers arrays [kvHeads, span.length, headDim]. */
  blocks: B[];
  logits: Float32Array | null;
  children: Map<number, TrieNode<B>>;
  parent: TrieNode<B> | null;
  bytes: number;
}

/** Where a walk stopped: the path's nodes, how many tokens of the last one matched, the total. */
interface Walk<B> {
  path: TrieNode<B>[];
  lastTake: number;
  matched: number;
}

/** Bytes charged per stored token id (the number in a JS array) on top of its KV. */
const TOKEN_BYTES = 8;

export class PrefixKvCache<B = import('./kv-blocks.js').KvArray> {
  private readonly root: TrieNode<B> = { span: [], blocks: [], logits: null, children: new Map(), parent: null, bytes: 0 };
  /** Every node but the root, least recently used first (re-inserted on use). */
  private readonly lru = new Set<TrieNode<B>>();
  private readonly ops: KvBlockOps<B>;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private reusedTokens = 0;

  /**
   * @param shape the model's KV heads and head size (the block layout)
   * @param capBytes memory cap; least recently used leaves are evicted beyond it
   * @param ops block copy/concat operations (CPU typed arrays by default)
   */
  constructor(
    shape: { kvHeads: number; headDim: number },
    readonly capBytes = 64 * 1024 * 1024,
    ops?: KvBlockOps<B>,
  ) {
    this.ops = ops ?? (cpuBlockOps(shape.kvHeads, shape.headDim) as unknown as KvBlockOps<B>);
  }

  /** Follow `tokens` down the trie as far as they match. */
  private walk(tokens: readonly number[]): Walk<B> {
    const path: TrieNode<B>[] = [];
    let node = this.root;
    let pos = 0;
    let lastTake = 0;
    while (pos < tokens.length) {
      const child = node.children.get(tokens[pos]!);
      if (!child) break;
      const span = child.span;
      let k = 1; // the first token matched through the children map
      while (k < span.length && pos + k < tokens.length && span[k] === tokens[pos + k]) k++;
      path.push(child);
      lastTake = k;
      pos += k;
      if (k < span.length) break;
      node = child;
    }
    return { path, lastTake, matched: pos };
  }

  /** Mark the path recently used, root side first (so along one path the leaf is the newest). */
  private touch(path: readonly TrieNode<B>[]): void {
    for (const n of path) {
      this.lru.delete(n);
      this.lru.add(n);
    }
  }

  /** Length of the longest cached prefix of `tokens` (no stats, no recency change). */
  match(tokens: readonly number[]): number {
    return this.walk(tokens).matched;
  }

  /**
   * The longest cached prefix of `tokens` that is usable for a prefill: all of `tokens` when the
   * logits after them are cached too, otherwise at most tokens.length - 1 so that at least one
   * token is left to run. Null when nothing is cached. Marks the path recently used.
   */
  lookup(tokens: readonly number[]): KvEntry | null {
    const w = this.walk(tokens);
    const last = w.path[w.path.length - 1];
    const full = w.matched === tokens.length && last !== undefined && w.lastTake === last.span.length && last.logits !== null;
    const use = full ? w.matched : Math.min(w.matched, tokens.length - 1);
    if (use <= 0) {
      this.misses++;
      return null;
    }
    const parts: BlockPart<B>[] = [];
    let left = use;
    for (const n of w.path) {
      if (left === 0) break;
      const take = Math.min(left, n.span.length);
      parts.push({ blocks: n.blocks, len: n.span.length, take });
      left -= take;
    }
    this.touch(w.path.slice(0, parts.length));
    this.hits++;
    this.reusedTokens += use;
    return { tokens: tokens.slice(0, use), past: this.ops.concat(parts, w.path[0]!.blocks.length), lastLogits: full ? last!.logits : null };
  }

  /**
   * Store the KV of `tokens`, read from batch row `row` of `src` (which holds at least
   * tokens.length positions), and the logits after them when given. Only the positions the trie
   * does not hold yet are copied; an edge that the new prefix leaves part-way is split.
   */
  put(tokens: readonly number[], src: KvSource, row = 0, lastLogits: Float32Array | null = null): void {
    if (tokens.length === 0) return;
    if (src.len < tokens.length) throw new RangeError(`KV cache put: ${tokens.length} tokens but the source holds ${src.len} positions`);
    const w = this.walk(tokens);
    if (w.matched === tokens.length && !lastLogits) return this.touch(w.path); // nothing new to keep
    let last = w.path[w.path.length - 1];
    if (last && w.lastTake < last.span.length) last = this.split(last, w.lastTake);
    const path = w.path.slice(0, -1);
    if (last) path.push(last);
    let end = last ?? this.root;
    if (w.matched < tokens.length) {
      const blocks = this.ops.slice(src, row, w.matched, tokens.length);
      end = { span: tokens.slice(w.matched), blocks, logits: null, children: new Map(), parent: end, bytes: 0 };
      end.parent!.children.set(end.span[0]!, end);
      this.charge(end, this.ops.bytes(blocks) + end.span.length * TOKEN_BYTES);
      path.push(end);
    }
    if (lastLogits) {
      this.charge(end, lastLogits.byteLength - (end.logits?.byteLength ?? 0));
      end.logits = lastLogits;
    }
    this.touch(path);
    this.evict();
  }

  /** Split `node`'s edge after `k` tokens: a new parent takes the first k tokens and their KV. */
  private split(node: TrieNode<B>, k: number): TrieNode<B> {
    const len = node.span.length;
    // Two parts of the node's own blocks, through concat (the only op that reads blocks).
    const whole: KvSource = { batch: 1, len, data: this.ops.concat([{ blocks: node.blocks, len, take: len }], node.blocks.length) };
    const head: TrieNode<B> = { span: node.span.slice(0, k), blocks: this.ops.slice(whole, 0, 0, k), logits: null, children: new Map(), parent: node.parent, bytes: 0 };
    const tailBlocks = this.ops.slice(whole, 0, k, len);
    for (const b of whole.data) b.tensor?.dispose();
    this.ops.free(node.blocks);
    const before = node.bytes;
    node.parent!.children.set(head.span[0]!, head);
    head.children.set(node.span[k]!, node);
    node.parent = head;
    node.span = node.span.slice(k);
    node.blocks = tailBlocks;
    this.charge(node, this.ops.bytes(tailBlocks) + node.span.length * TOKEN_BYTES + (node.logits?.byteLength ?? 0) - before);
    this.charge(head, this.ops.bytes(head.blocks) + k * TOKEN_BYTES);
    // put() marks the head used right after (it is on the new path); the tail keeps its recency.
    this.lru.add(head);
    return head;
  }

  private charge(n: TrieNode<B>, delta: number): void {
    n.bytes += delta;
    this.bytes += delta;
  }

  /** Drop least recently used leaves until under the cap. */
  private evict(): void {
    while (this.bytes > this.capBytes) {
      let victim: TrieNode<B> | null = null;
      for (const n of this.lru) {
        if (n.children.size === 0) {
          victim = n;
          break;
        }
      }
      if (!victim) return;
      this.remove(victim);
    }
  }

  private remove(n: TrieNode<B>): void {
    n.parent!.children.delete(n.span[0]!);
    this.lru.delete(n);
    this.bytes -= n.bytes;
    this.ops.free(n.blocks);
  }

  /**
   * The nodes along the cached part of `tokens` (for tests and inspection): each edge's tokens,
   * its blocks (the very arrays the cache holds) and whether it keeps logits.
   */
  pathBlocks(tokens: readonly number[]): { span: number[]; blocks: B[]; logits: boolean }[] {
    return this.walk(tokens).path.map((n) => ({ span: n.span.slice(), blocks: n.blocks, logits: n.logits !== null }));
  }

  clear(): void {
    for (const n of this.lru) this.ops.free(n.blocks);
    this.root.children.clear();
    this.lru.clear();
    this.bytes = 0;
  }

  stats(): KvCacheStats {
    return { entries: this.lru.size, bytes: this.bytes, capBytes: this.capBytes, hits: this.hits, misses: this.misses, reusedTokens: this.reusedTokens };
  }
}
