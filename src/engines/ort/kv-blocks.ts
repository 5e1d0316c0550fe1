/**
 * KV block operations for the radix prefix cache (kv-cache.ts). A block is one typed array per
 * layer and key/value holding the KV of a span of positions, laid out [kvHeads, span, headDim]
 * like ORT's past/present tensors at batch 1. The cache only moves blocks through these few
 * functions, so a float16 (Uint16Array) or GPU-resident variant replaces them without touching
 * the trie: element type and size always come from the arrays themselves.
 */

/** One layer's keys or values: float32, or float16 stored as raw Uint16Array bits. */
export type KvArray = Float32Array | Uint16Array;

/** A source of KV rows: 2 * layers arrays, each [batch, kvHeads, len, headDim] (a BatchPast). */
export interface KvSource {
  batch: number;
  len: number;
  data: KvArray[];
}

/** The part of a block a concatenation takes: its first `take` positions out of `len`. */
export interface BlockPart {
  blocks: KvArray[];
  len: number;
  take: number;
}

/** Operations on blocks; `cpuBlockOps` is the default, a GPU variant may supply its own. */
export interface KvBlockOps {
  /** Positions [from, to) of batch row `row` of `src`, copied into new blocks [kvHeads, to - from, headDim]. */
  slice(src: KvSource, row: number, from: number, to: number): KvArray[];
  /** One contiguous batch-1 past [kvHeads, sum(take), headDim] per array from the parts, in order. */
  concat(parts: readonly BlockPart[], arrays: number): KvArray[];
  /** Bytes held by a block set. */
  bytes(blocks: readonly KvArray[]): number;
}

/** Allocate an empty array of the same element type as `like`. */
function alloc(like: KvArray, n: number): KvArray {
  return like instanceof Uint16Array ? new Uint16Array(n) : new Float32Array(n);
}

/** Block operations on CPU typed arrays for a model with `kvHeads` KV heads of `headDim`. */
export function cpuBlockOps(kvHeads: number, headDim: number): KvBlockOps {
  return {
    slice(src, row, from, to) {
      if (from < 0 || to > src.len || from > to) throw new RangeError(`KV slice [${from}, ${to}) is outside the source's ${src.len} positions`);
      if (row < 0 || row >= src.batch) throw new RangeError(`KV slice: row ${row} is outside the batch of ${src.batch}`);
      const span = to - from;
      return src.data.map((a) => {
        const out = alloc(a, kvHeads * span * headDim);
        for (let h = 0; h < kvHeads; h++) {
          const at = ((row * kvHeads + h) * src.len + from) * headDim;
          out.set(a.subarray(at, at + span * headDim), h * span * headDim);
        }
        return out;
      });
    },
    // The copy into one contiguous past is unavoidable on the CPU: ORT takes each past tensor as
    // one flat array, while the trie keeps each span in its own block so entries share parents.
    concat(parts, arrays) {
      const total = parts.reduce((s, p) => s + p.take, 0);
      const out: KvArray[] = [];
      for (let i = 0; i < arrays; i++) {
        const like = parts[0]?.blocks[i];
        const o = like ? alloc(like, kvHeads * total * headDim) : new Float32Array(0);
        for (let h = 0; h < kvHeads; h++) {
          let at = h * total * headDim;
          for (const p of parts) {
            const b = p.blocks[i]!;
            const from = h * p.len * headDim;
            o.set(b.subarray(from, from + p.take * headDim), at);
            at += p.take * headDim;
          }
        }
        out.push(o);
      }
      return out;
    },
    bytes(blocks) {
      return blocks.reduce((s, b) => s + b.byteLength, 0);
    },
  };
}
