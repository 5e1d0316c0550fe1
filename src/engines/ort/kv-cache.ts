/**
 * A bounded LRU cache of KV states keyed by token prefix, so MCTS children do not re-run their
 * parents' tokens. Each entry holds, for batch size 1, the past keys/values of `tokens` (one
 * Float32Array per layer and key/value, laid out [kvHeads, tokens.length, headDim]) and the logits
 * after the last token. Lookup returns the longest cached prefix of the requested tokens.
 */
import type { KvBlock } from './kv-store.js';

export interface KvEntry {
  tokens: number[];
  /** 2 * layers blocks: key0, value0, key1, value1, ... each [1, kvHeads, len, headDim]. */
  past: KvBlock[];
  /** Logits predicting the token after `tokens`. */
  lastLogits: Float32Array;
}

export interface KvCacheStats {
  entries: number;
  bytes: number;
  capBytes: number;
  hits: number;
  misses: number;
  reusedTokens: number;
}

export class PrefixKvCache {
  private entries = new Map<string, { entry: KvEntry; bytes: number }>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private reusedTokens = 0;

  /** @param capBytes memory cap; least recently used entries are evicted beyond it.
   *  @param onEvict frees an entry's device memory (GPU store). */
  constructor(
    readonly capBytes = 64 * 1024 * 1024,
    readonly maxEntries = 256,
    readonly onEvict: (e: KvEntry) => void = () => {},
  ) {}

  /** Longest cached prefix of `tokens` (possibly all of them), or null. Marks it recently used. */
  lookup(tokens: readonly number[]): KvEntry | null {
    let best: { key: string; entry: KvEntry; bytes: number } | null = null;
    for (const [key, v] of this.entries) {
      const t = v.entry.tokens;
      if (t.length > tokens.length || (best && t.length <= best.entry.tokens.length)) continue;
      let ok = true;
      for (let i = 0; i < t.length; i++) {
        if (t[i] !== tokens[i]) {
          ok = false;
          break;
        }
      }
      if (ok) best = { key, ...v };
    }
    if (!best) {
      this.misses++;
      return null;
    }
    this.hits++;
    this.reusedTokens += best.entry.tokens.length;
    this.entries.delete(best.key);
    this.entries.set(best.key, { entry: best.entry, bytes: best.bytes });
    return best.entry;
  }

  /** Store an entry (replacing one with the same tokens) and evict beyond the cap. */
  put(entry: KvEntry): void {
    if (entry.tokens.length === 0) return;
    const key = entry.tokens.join(',');
    const bytes = entry.past.reduce((a, p) => a + p.byteLength, 0) + entry.lastLogits.byteLength + entry.tokens.length * 8;
    if (bytes > this.capBytes) return this.onEvict(entry);
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
      if (old.entry !== entry) this.onEvict(old.entry);
    }
    this.entries.set(key, { entry, bytes });
    this.bytes += bytes;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.capBytes && this.entries.size <= this.maxEntries) break;
      this.entries.delete(k);
      this.bytes -= v.bytes;
      this.onEvict(v.entry);
    }
  }

  clear(): void {
    for (const v of this.entries.values()) this.onEvict(v.entry);
    this.entries.clear();
    this.bytes = 0;
  }

  stats(): KvCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, capBytes: this.capBytes, hits: this.hits, misses: this.misses, reusedTokens: this.reusedTokens };
  }
}
