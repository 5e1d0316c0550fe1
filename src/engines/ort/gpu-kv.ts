/**
 * The WebGPU output store: `present.*` and `logits` stay in GPU buffers (the session is created
 * with `preferredOutputLocation: 'gpu-buffer'`), the next step's past is the previous present
 * tensor itself, and batch row repeat/select/truncate are `copyBufferToBuffer` on ORT's own
 * device. JavaScript reads back only the logits rows it samples from (a copy of those rows into
 * one staging buffer), so a decode step costs n × vocab × element bytes of readback.
 */
import type * as OrtTypes from 'onnxruntime-common';
import { halfToFloat } from '../../core/half.js';
import { gpuBlockOps, type KvBlockOps } from './kv-blocks.js';
import { emptyKv, type BatchPast, type KvBlock, type KvGeometry } from './kv-store.js';
import type { OutputStore, RunnerCounters } from './runner.js';

const USAGE = 0x0080 /* STORAGE */ | 0x0004 /* COPY_SRC */ | 0x0008; /* COPY_DST */

export class GpuOutputStore implements OutputStore {
  readonly onDevice = true;
  private readonly elt: number;

  constructor(
    readonly ort: typeof OrtTypes,
    readonly g: KvGeometry,
    readonly device: GPUDevice,
  ) {
    this.elt = g.type === 'float16' ? 2 : 4;
    if ((g.headDim * this.elt) % 4 !== 0) throw new Error(`GPU KV copies need headDim × element size to be a multiple of 4 bytes (headDim ${g.headDim})`);
  }

  /** An empty past is a zero-length CPU tensor: ORT uploads nothing, and GPU buffers cannot be empty. */
  empty(batch: number): BatchPast {
    const make = (): KvBlock => ({ array: emptyKv(this.g.type), byteLength: 0 });
    return { batch, len: 0, data: Array.from({ length: 2 * this.g.layers }, make) };
  }

  feed(block: KvBlock, batch: number, len: number): OrtTypes.Tensor {
    const dims = [batch, this.g.kvHeads, len, this.g.headDim];
    if (block.tensor) return block.tensor;
    return new this.ort.Tensor(this.g.type, block.array!, dims);
  }

  async adopt(t: OrtTypes.Tensor): Promise<KvBlock> {
    if (t.location !== 'gpu-buffer') throw new Error(`expected present KV on the GPU, got location ${t.location}: create the session with preferredOutputLocation 'gpu-buffer'`);
    return { tensor: t, byteLength: t.dims.reduce((a, b) => a * b, 1) * this.elt };
  }

  private wrap(buffer: GPUBuffer, dims: number[]): KvBlock {
    const tensor = this.ort.Tensor.fromGpuBuffer(buffer, { dataType: this.g.type, dims, dispose: () => buffer.destroy() });
    return { tensor, byteLength: buffer.size };
  }

  /** New blocks for `dims` filled by `copies(src, dst, encoder)` per layer k/v, in one submit. */
  private build(past: BatchPast, dims: number[], copies: (src: GPUBuffer, dst: GPUBuffer, enc: GPUCommandEncoder) => void): BatchPast {
    const bytes = dims.reduce((a, b) => a * b, 1) * this.elt;
    const enc = this.device.createCommandEncoder();
    const data = past.data.map((b) => {
      const dst = this.device.createBuffer({ size: Math.max(4, bytes), usage: USAGE });
      if (b.tensor) copies(b.tensor.gpuBuffer as GPUBuffer, dst, enc);
      return this.wrap(dst, dims);
    });
    this.device.queue.submit([enc.finish()]);
    return { batch: dims[0]!, len: dims[2]!, data };
  }

  repeat(one: BatchPast, n: number): BatchPast {
    if (one.batch !== 1) throw new Error('repeat needs a batch-1 past');
    const { kvHeads, headDim } = this.g;
    const row = kvHeads * one.len * headDim * this.elt;
    return this.build(one, [n, kvHeads, one.len, headDim], (src, dst, enc) => {
      for (let i = 0; i < n; i++) enc.copyBufferToBuffer(src, 0, dst, i * row, row);
    });
  }

  select(past: BatchPast, keep: number[]): BatchPast {
    const { kvHeads, headDim } = this.g;
    const row = kvHeads * past.len * headDim * this.elt;
    return this.build(past, [keep.length, kvHeads, past.len, headDim], (src, dst, enc) => {
      keep.forEach((r, i) => enc.copyBufferToBuffer(src, r * row, dst, i * row, row));
    });
  }

  row(past: BatchPast, r: number, len = past.len): BatchPast {
    const { kvHeads, headDim } = this.g;
    const span = len * headDim * this.elt;
    return this.build(past, [1, kvHeads, len, headDim], (src, dst, enc) => {
      for (let h = 0; h < kvHeads; h++) enc.copyBufferToBuffer(src, (r * kvHeads + h) * past.len * headDim * this.elt, dst, h * span, span);
    });
  }

  blockOps(): KvBlockOps<unknown> {
    return gpuBlockOps(this.ort, this.g, this.device) as KvBlockOps<unknown>;
  }

  release(past: BatchPast): void {
    for (const b of past.data) b.tensor?.dispose();
  }

  async readRows(logits: OrtTypes.Tensor, rows: number[], vocab: number, counters: RunnerCounters): Promise<Float32Array> {
    if (logits.location !== 'gpu-buffer') throw new Error(`expected logits on the GPU, got location ${logits.location}`);
    const elt = logits.type === 'float16' ? 2 : 4;
    const rowBytes = vocab * elt;
    // copyBufferToBuffer needs 4-byte aligned offsets and sizes: pad odd float16 rows by one element.
    const stride = Math.ceil(rowBytes / 4) * 4;
    const staging = this.device.createBuffer({ size: Math.max(4, rows.length * stride), usage: 0x0001 /* MAP_READ */ | 0x0008 /* COPY_DST */ });
    const enc = this.device.createCommandEncoder();
    const src = logits.gpuBuffer as GPUBuffer;
    rows.forEach((r, i) => {
      const start = r * rowBytes;
      const aligned = start - (start % 4);
      const size = Math.min(Math.ceil((start + rowBytes - aligned) / 4) * 4, src.size - aligned);
      if (aligned !== start || size !== stride) throw new Error('logits rows must be 4-byte aligned (vocab × element size a multiple of 4)');
      enc.copyBufferToBuffer(src, aligned, staging, i * stride, size);
    });
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(0x0001 /* READ */);
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    counters.deviceReadBytes += rows.length * stride;
    counters.logitsBytes += rows.length * rowBytes;
    const out = new Float32Array(rows.length * vocab);
    for (let i = 0; i < rows.length; i++) {
      if (elt === 2) out.set(halfToFloat(new Uint16Array(bytes, i * stride, vocab)), i * vocab);
      else out.set(new Float32Array(bytes, i * stride, vocab), i * vocab);
    }
    return out;
  }
}
