/**
 * KV block operations for the radix prefix cache (kv-cache.ts). A block is one array (or GPU
 * buffer) per layer and key/value holding the KV of a span of positions, laid out
 * [kvHeads, span, headDim] like ORT's past/present tensors at batch 1. The cache only moves
 * blocks through these few functions: `cpuBlockOps` copies typed arrays (float32, or float16 as
 * Uint16Array / Float16Array, element type taken from the arrays), `gpuBlockOps` copies GPU
 * buffers on the device with `copyBufferToBuffer`, so on WebGPU cached KV never leaves the GPU.
 */
import type * as OrtTypes from 'onnxruntime-common';
import type { BatchPast, KvArray, KvBlock, KvGeometry } from './kv-store.js';

export type { KvArray } from './kv-store.js';
/** A source of KV rows: 2 * layers blocks, each [batch, kvHeads, len, headDim] (a BatchPast). */
export type KvSource = BatchPast;

/** The part of a block set a concatenation takes: its first `take` positions out of `len`. */
export interface BlockPart<B> {
  blocks: B[];
  len: number;
  take: number;
}

/** Operations on blocks of type B. */
export interface KvBlockOps<B> {
  /** Positions [from, to) of batch row `row` of `src`, copied into new blocks [kvHeads, to - from, headDim]. */
  slice(src: KvSource, row: number, from: number, to: number): B[];
  /** One contiguous batch-1 past [1, kvHeads, sum(take), headDim] per array from the parts, in order (owned by the caller). */
  concat(parts: readonly BlockPart<B>[], arrays: number): KvBlock[];
  /** Bytes held by a block set. */
  bytes(blocks: readonly B[]): number;
  /** Free a block set the cache drops (GPU buffers); a no-op on the CPU. */
  free(blocks: readonly B[]): void;
}

function alloc(like: KvArray, n: number): KvArray {
  return new (like.constructor as new (n: number) => KvArray)(n);
}

function checkSlice(src: KvSource, row: number, from: number, to: number): void {
  if (from < 0 || to > src.len || from > to) throw new RangeError(`KV slice [${from}, ${to}) is outside the source's ${src.len} positions`);
  if (row < 0 || row >= src.batch) throw new RangeError(`KV slice: row ${row} is outside the batch of ${src.batch}`);
}

/** Block operations on CPU typed arrays for a model with `kvHeads` KV heads of `headDim`. */
export function cpuBlockOps(kvHeads: number, headDim: number): KvBlockOps<KvArray> {
  return {
    slice(src, row, from, to) {
      checkSlice(src, row, from, to);
      const span = to - from;
      return src.data.map((blk) => {
        const a = blk.array!;
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
      // One whole block: hand out the cache's own arrays (nothing writes a past in place: ORT
      // reads its inputs and repeat/select/slice copy), as the linear cache did.
      if (parts.length === 1 && parts[0]!.take === parts[0]!.len) return parts[0]!.blocks.slice(0, arrays).map((a) => ({ array: a, byteLength: a.byteLength }));
      const total = parts.reduce((s, p) => s + p.take, 0);
      const out: KvBlock[] = [];
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
        out.push({ array: o, byteLength: o.byteLength });
      }
      return out;
    },
    bytes(blocks) {
      return blocks.reduce((s, b) => s + b.byteLength, 0);
    },
    free() {},
  };
}

const USAGE = 0x0080 /* STORAGE */ | 0x0004 /* COPY_SRC */ | 0x0008; /* COPY_DST */

/**
 * The same operations on GPU buffers of ORT's device: a slice or a concatenation is one command
 * encoder of per-head `copyBufferToBuffer` calls, and a concatenated past is wrapped as an ORT
 * gpu-buffer tensor that destroys its buffer when released.
 */
export function gpuBlockOps(ort: typeof OrtTypes, g: KvGeometry, device: GPUDevice): KvBlockOps<GPUBuffer> {
  const elt = g.type === 'float16' ? 2 : 4;
  const { kvHeads, headDim } = g;
  const create = (positions: number) => device.createBuffer({ size: Math.max(4, kvHeads * positions * headDim * elt), usage: USAGE });
  return {
    slice(src, row, from, to) {
      checkSlice(src, row, from, to);
      const span = (to - from) * headDim * elt;
      const enc = device.createCommandEncoder();
      const out = src.data.map((blk) => {
        const dst = create(to - from);
        const buf = blk.tensor!.gpuBuffer as GPUBuffer;
        for (let h = 0; h < kvHeads; h++) enc.copyBufferToBuffer(buf, ((row * kvHeads + h) * src.len + from) * headDim * elt, dst, h * span, span);
        return dst;
      });
      device.queue.submit([enc.finish()]);
      return out;
    },
    concat(parts, arrays) {
      const total = parts.reduce((s, p) => s + p.take, 0);
      const enc = device.createCommandEncoder();
      const out: KvBlock[] = [];
      for (let i = 0; i < arrays; i++) {
        const dst = create(total);
        for (let h = 0; h < kvHeads; h++) {
          let at = h * total * headDim * elt;
          for (const p of parts) {
            const bytes = p.take * headDim * elt;
            enc.copyBufferToBuffer(p.blocks[i]!, h * p.len * headDim * elt, dst, at, bytes);
            at += bytes;
          }
        }
        const tensor = ort.Tensor.fromGpuBuffer(dst, { dataType: g.type, dims: [1, kvHeads, total, headDim], dispose: () => dst.destroy() });
        out.push({ tensor, byteLength: dst.size });
      }
      device.queue.submit([enc.finish()]);
      return out;
    },
    bytes(blocks) {
      return blocks.reduce((s, b) => s + b.size, 0);
    },
    free(blocks) {
      for (const b of blocks) b.destroy();
    },
  };
}
