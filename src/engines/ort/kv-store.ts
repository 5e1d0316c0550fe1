/**
 * Where a batch's past key/values live and how rows are copied between batches. The CPU store
 * keeps typed arrays (float32, or float16 bit patterns in a Uint16Array for q4f16 builds, never
 * converted); the WebGPU store (gpu-kv.ts) keeps GPU buffers and copies on the device. The runner
 * and the engine only call these operations, so KV never passes through JavaScript on WebGPU.
 */
import type * as OrtTypes from 'onnxruntime-common';
import { cpuBlockOps, type KvBlockOps } from './kv-blocks.js';

/** Element type of KV tensors, from the session's input metadata. */
export type KvType = 'float32' | 'float16';
/** Float16 KV is a Float16Array where the runtime has one (Chromium; ORT web then requires it), else raw bits in a Uint16Array (Node 20). */
export type KvArray = Float32Array | Uint16Array;

/** An empty KV array of the type ORT expects for `type` in this runtime. */
export function emptyKv(type: KvType): KvArray {
  const F16 = (globalThis as { Float16Array?: new (n: number) => KvArray }).Float16Array;
  return type === 'float16' ? (F16 ? new F16(0) : new Uint16Array(0)) : new Float32Array(0);
}

/** One layer's key or value for a whole batch: [batch, kvHeads, len, headDim]. */
export interface KvBlock {
  /** CPU data; absent on the GPU store. */
  readonly array?: KvArray;
  /** GPU tensor (location 'gpu-buffer'); absent on the CPU store. */
  readonly tensor?: OrtTypes.Tensor;
  readonly byteLength: number;
}

/** Past KV for a batch: 2 * layers blocks (key0, value0, key1, ...). */
export interface BatchPast {
  batch: number;
  len: number;
  data: KvBlock[];
}

export interface KvGeometry {
  layers: number;
  kvHeads: number;
  headDim: number;
  type: KvType;
}

export interface KvStore {
  readonly onDevice: boolean;
  empty(batch: number): BatchPast;
  /** A feed tensor for ORT. */
  feed(block: KvBlock, batch: number, len: number): OrtTypes.Tensor;
  /** Wrap an ORT output (present.*) as a block, keeping it where it is. */
  adopt(t: OrtTypes.Tensor): Promise<KvBlock>;
  /** `n` copies of a batch-1 past. */
  repeat(one: BatchPast, n: number): BatchPast;
  /** Rows `keep` of a batch (in that order). */
  select(past: BatchPast, keep: number[]): BatchPast;
  /** Row `r`, first `len` positions, as batch 1. */
  row(past: BatchPast, r: number, len?: number): BatchPast;
  /** Free what a past holds (GPU buffers); a no-op on the CPU. */
  release(past: BatchPast): void;
  /** Block operations for the prefix cache, where this store keeps KV. */
  blockOps(): KvBlockOps<unknown>;
}

function alloc(like: KvArray, n: number): KvArray {
  return new (like.constructor as new (n: number) => KvArray)(n);
}

/** KV in JavaScript typed arrays (Node, wasm). */
export class CpuKvStore implements KvStore {
  readonly onDevice = false;
  constructor(
    readonly ort: typeof OrtTypes,
    readonly g: KvGeometry,
  ) {}

  private block(array: KvArray): KvBlock {
    return { array, byteLength: array.byteLength };
  }

  empty(batch: number): BatchPast {
    const make = () => this.block(emptyKv(this.g.type));
    return { batch, len: 0, data: Array.from({ length: 2 * this.g.layers }, make) };
  }

  feed(block: KvBlock, batch: number, len: number): OrtTypes.Tensor {
    return new this.ort.Tensor(this.g.type, block.array!, [batch, this.g.kvHeads, len, this.g.headDim]);
  }

  async adopt(t: OrtTypes.Tensor): Promise<KvBlock> {
    return this.block((await t.getData()) as KvArray);
  }

  repeat(one: BatchPast, n: number): BatchPast {
    if (one.batch !== 1) throw new Error('repeat needs a batch-1 past');
    const data = one.data.map((b) => {
      const a = b.array!;
      const out = alloc(a, a.length * n);
      for (let i = 0; i < n; i++) out.set(a, i * a.length);
      return this.block(out);
    });
    return { batch: n, len: one.len, data };
  }

  select(past: BatchPast, keep: number[]): BatchPast {
    const data = past.data.map((b) => {
      const a = b.array!;
      const size = a.length / past.batch;
      const out = alloc(a, size * keep.length);
      keep.forEach((r, i) => out.set(a.subarray(r * size, (r + 1) * size), i * size));
      return this.block(out);
    });
    return { batch: keep.length, len: past.len, data };
  }

  row(past: BatchPast, r: number, len = past.len): BatchPast {
    const { kvHeads, headDim } = this.g;
    const data = past.data.map((b) => {
      const a = b.array!;
      const out = alloc(a, kvHeads * len * headDim);
      for (let h = 0; h < kvHeads; h++) {
        const src = (r * kvHeads + h) * past.len * headDim;
        out.set(a.subarray(src, src + len * headDim), h * len * headDim);
      }
      return this.block(out);
    });
    return { batch: 1, len, data };
  }

  release(): void {}

  blockOps(): KvBlockOps<unknown> {
    return cpuBlockOps(this.g.kvHeads, this.g.headDim) as KvBlockOps<unknown>;
  }
}
