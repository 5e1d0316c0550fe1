/**
 * WGSL kernel for masked sequence log-probs on WebGPU (fp32), checked against the CPU reference
 * in src/dpo/logprobs.ts:
 *
 *   token_logp[t] = logits[t][targets[t]] - logsumexp(logits[t])   where mask[t] != 0, else 0
 *
 * Pass 1 ("partials"): one workgroup per (row, vocabulary chunk); rows are split into chunks
 * when T alone gives too few workgroups, and the workgroup size follows the chunk length
 * (32..256 invocations on a GPU, 16..256 on a CPU implementation). Each invocation streams its
 * share of the chunk once with an online (max, sum) log-sum-exp (one exp per element, no
 * overflow: +90 logits are fine); the workgroup merges the (max, sum) pairs with subgroup
 * operations (`subgroupMax` / `subgroupAdd`, when the device has the `subgroups` feature
 * enabled) or a shared-memory tree. The invocation that meets the target captures its logit in
 * the same stream, so every logit is read exactly once. Masked rows are skipped (not read).
 *
 * Pass 2 ("finalize"): one workgroup per sequence merges each row's chunk partials, writes the
 * token log-probs and reduces the per-sequence sum and count with a fixed-order shared-memory
 * tree: deterministic, no atomics (WGSL has no float atomics).
 *
 * Tiling: no binding and no buffer the kernel creates exceeds `capBytes` (default 128 MiB, also
 * limited by the device's maxStorageBufferBindingSize / maxBufferSize). Logits in a GPUBuffer are
 * bound one tile at a time as sub-ranges whose offsets respect minStorageBufferOffsetAlignment;
 * a Float32Array larger than the cap is uploaded tile by tile into a cap-sized staging buffer.
 * Rows larger than a tile are split along the vocabulary and their partial (max, sum) pairs are
 * merged in pass 2. V = 151,936 with T = 4,096 (2.5 GB of logits) runs as ~19 tiles of 128 MiB.
 *
 * No browser globals are touched at module load, so `planTiles` can be tested in Node.
 */
import { finalizeShader, partialsShader } from './logprob-shaders.js';
import { WORKGROUP_SIZE, DEFAULT_CAP_BYTES, MAX_DISPATCH, UNIFORM_STRIDE, planTiles, type Tile, type TilePlan } from './tile-plan.js';

export { finalizeShader, partialsShader } from './logprob-shaders.js';
export { DEFAULT_CAP_BYTES, planTiles, WORKGROUP_SIZE, type PlanOptions, type Tile, type TilePlan } from './tile-plan.js';

/** Options of {@link MaskedLogprobKernel.create}. */
export interface KernelOptions {
  /** Cap in bytes on every binding and buffer the kernel binds or creates (default 128 MiB; also capped by device limits). */
  capBytes?: number;
  /** Use subgroup operations (default: whether the device has the `subgroups` feature enabled). */
  useSubgroups?: boolean;
  /**
   * Pass-1 workgroups to aim for by splitting rows into chunks (default 1024 on a GPU; 1, i.e. one
   * workgroup per row, on a CPU implementation such as SwiftShader, where each workgroup is costly).
   */
  targetWorkgroups?: number;
  /** Invocations per pass-1 workgroup, a power of two up to 256 (default: {@link chooseWorkgroupSize}). */
  workgroupSize?: number;
}

/** One sequence's logits, targets and mask (T rows of `vocab` logits, row t scores targets[t]). */
export interface KernelInput {
  vocab: number;
  /**
   * Row-major [T, vocab] fp32 logits: a GPUBuffer with STORAGE usage created on the kernel's
   * device (e.g. onnxruntime-web's `tensor.gpuBuffer`), or a Float32Array (uploaded).
   */
  logits: GPUBuffer | Float32Array;
  /** Byte offset of logits[0][0] in a GPUBuffer (multiple of 4; default 0). */
  logitsOffsetBytes?: number;
  targets: Int32Array | ArrayLike<number>;
  /** 1 = score this position, 0 = skip (token log-prob 0, not counted, logits row not read). */
  mask: Uint32Array | ArrayLike<number>;
}

/** Several sequences laid out back to back in one logits tensor (e.g. ORT's [B, T, V] output). */
export interface KernelBatchInput extends KernelInput {
  /** Rows of each sequence, in order; they sum to targets.length (default: one sequence). */
  lengths?: number[];
}

/** Result for one sequence. */
export interface KernelResult {
  /** Per-position log-probs (0 where masked), fp32. */
  tokenLogps: Float32Array;
  /** Sum over masked-in positions, reduced on the GPU (fp32, deterministic order). */
  sum: number;
  count: number;
  /** Bytes of logits the kernel read for this sequence (each unmasked row once: V * 4 per row). */
  bytesRead: number;
}

/** Results of {@link MaskedLogprobKernel.runBatch}. */
export interface KernelBatchResult {
  sequences: KernelResult[];
  /** Bytes of logits read in total. */
  bytesRead: number;
  /** The chunk/tile plan used. */
  plan: TilePlan;
  /** Whether logits were uploaded tile by tile (Float32Array larger than the cap). */
  staged: boolean;
  /** Invocations per pass-1 workgroup (see {@link chooseWorkgroupSize}). */
  workgroupSize: number;
}

/** Whether the device is a CPU implementation of WebGPU (SwiftShader, llvmpipe, WARP...). */
export function isCpuDevice(device: GPUDevice): boolean {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  if (!info) return false;
  return info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|warp/i.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
}

/**
 * Pass-1 workgroup size for a chunk length: enough invocations for ~8 elements each on a GPU
 * (32..256), ~64 each on a CPU implementation (16..256), where every invocation of a workgroup
 * with barriers is costly.
 */
export function chooseWorkgroupSize(chunk: number, cpuDevice: boolean): number {
  const perThread = cpuDevice ? 64 : 8;
  let wg = cpuDevice ? 16 : 32;
  while (wg < WORKGROUP_SIZE && wg * perThread < chunk) wg *= 2;
  return wg;
}

/** Compile one compute pipeline; WGSL errors become an Error with the compiler's messages. */
async function compile(device: GPUDevice, code: string, label: string): Promise<GPUComputePipeline> {
  // Error scopes are pushed and popped synchronously: the device may be shared (ORT's).
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label, code });
  const scope = device.popErrorScope();
  let pipeline: GPUComputePipeline;
  try {
    pipeline = await device.createComputePipelineAsync({ label, layout: 'auto', compute: { module, entryPoint: 'main' } });
  } catch (e) {
    const info = await module.getCompilationInfo();
    const msgs = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
    throw new Error(`MaskedLogprobKernel: ${label}: pipeline creation failed: ${(e as Error).message}${msgs.length ? `\n${msgs.join('\n')}` : ''}`);
  }
  const err = await scope;
  if (err) throw new Error(`MaskedLogprobKernel: ${label}: shader compilation failed: ${err.message}`);
  return pipeline;
}

const isGpuBuffer = (x: unknown): x is GPUBuffer => typeof x === 'object' && x !== null && !ArrayBuffer.isView(x) && typeof (x as GPUBuffer).mapAsync === 'function';

/**
 * Masked sequence log-probs on a WebGPU device. Build once per device with
 * {@link MaskedLogprobKernel.create}; `run` / `runBatch` may be called many times.
 */
export class MaskedLogprobKernel {
  /** Whether the subgroup reduction path is used. */
  readonly usesSubgroups: boolean;
  /** Whether the `subgroup_id` WGSL builtin is used (else subgroups are assumed to cover consecutive local indices). */
  readonly usesSubgroupId: boolean;
  /** Effective cap in bytes (option, limited by the device's maxStorageBufferBindingSize and maxBufferSize). */
  readonly capBytes: number;
  /** Whether the device is a CPU implementation (smaller workgroups, fewer chunks). */
  readonly cpuDevice: boolean;
  private destroyed = false;
  private readonly targetWorkgroups: number;
  private readonly workgroupSize: number | undefined;
  private readonly partials = new Map<number, Promise<GPUComputePipeline>>();

  private constructor(
    /** The device everything runs on; GPUBuffer inputs must come from it. */
    readonly device: GPUDevice,
    private readonly finalize: GPUComputePipeline,
    opts: { usesSubgroups: boolean; usesSubgroupId: boolean; capBytes: number; targetWorkgroups: number; cpuDevice: boolean; workgroupSize?: number },
  ) {
    this.usesSubgroups = opts.usesSubgroups;
    this.usesSubgroupId = opts.usesSubgroupId;
    this.capBytes = opts.capBytes;
    this.targetWorkgroups = opts.targetWorkgroups;
    this.cpuDevice = opts.cpuDevice;
    this.workgroupSize = opts.workgroupSize;
  }

  /**
   * Compile the pipelines on `device` (pass 1 for the common workgroup sizes; others on first
   * use). Subgroups are used when the device has the `subgroups` feature enabled (override with
   * `opts.useSubgroups`; asking for them on a device without the feature throws).
   */
  static async create(device: GPUDevice, opts: KernelOptions = {}): Promise<MaskedLogprobKernel> {
    const has = device.features.has('subgroups');
    const usesSubgroups = opts.useSubgroups ?? has;
    if (usesSubgroups && !has) throw new Error('MaskedLogprobKernel: useSubgroups was asked for but the device does not have the "subgroups" feature enabled (request it in requestDevice)');
    const gpu = (globalThis.navigator as Navigator & { gpu?: GPU } | undefined)?.gpu;
    const usesSubgroupId = usesSubgroups && !!gpu?.wgslLanguageFeatures?.has('subgroup_id');
    const capBytes = Math.min(opts.capBytes ?? DEFAULT_CAP_BYTES, device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    const cpuDevice = isCpuDevice(device);
    const wg = opts.workgroupSize;
    if (wg !== undefined && !(Number.isInteger(Math.log2(wg)) && wg >= 1 && wg <= Math.min(WORKGROUP_SIZE, device.limits.maxComputeInvocationsPerWorkgroup))) throw new RangeError(`workgroupSize ${wg} must be a power of two up to ${WORKGROUP_SIZE}`);
    const finalize = await compile(device, finalizeShader(), 'masked-logprobs:finalize');
    const k = new MaskedLogprobKernel(device, finalize, { usesSubgroups, usesSubgroupId, capBytes, targetWorkgroups: opts.targetWorkgroups ?? (cpuDevice ? 1 : 1024),
      cpuDevice, ...(wg ? { workgroupSize: wg } : {}) });
    await Promise.all(wg ? [k.partialsPipeline(wg)] : [k.partialsPipeline(WORKGROUP_SIZE), k.partialsPipeline(cpuDevice ? 16 : 64)]);
    return k;
  }

  /** Pass-1 pipeline for a workgroup size (compiled once). */
  private partialsPipeline(workgroupSize: number): Promise<GPUComputePipeline> {
    let p = this.partials.get(workgroupSize);
    if (!p) {
      p = compile(this.device, partialsShader(this.usesSubgroups, this.usesSubgroupId, workgroupSize), `masked-logprobs:partials-${workgroupSize}`);
      this.partials.set(workgroupSize, p);
      p.catch(() => this.partials.delete(workgroupSize));
    }
    return p;
  }

  /** Log-probs of one sequence. */
  async run(input: KernelInput): Promise<KernelResult> {
    const r = await this.runBatch(input);
    return r.sequences[0]!;
  }

  /**
   * Log-probs of several sequences stored back to back (`lengths` rows each) in one logits
   * tensor, with one pass-1 sweep over the logits and one pass-2 workgroup per sequence.
   */
  async runBatch(input: KernelBatchInput): Promise<KernelBatchResult> {
    if (this.destroyed) throw new Error('MaskedLogprobKernel: used after destroy()');
    const { device } = this;
    const V = input.vocab;
    const T = input.targets.length;
    if (input.mask.length !== T) throw new RangeError(`mask has ${input.mask.length} entries, expected ${T}`);
    const lengths = input.lengths ?? [T];
    if (lengths.reduce((a, b) => a + b, 0) !== T || lengths.some((l) => !Number.isInteger(l) || l < 0)) throw new RangeError(`lengths [${lengths.join(', ')}] must be non-negative integers summing to T = ${T}`);
    const targets = new Int32Array(T);
    const mask = new Uint32Array(T);
    for (let t = 0; t < T; t++) {
      mask[t] = input.mask[t] ? 1 : 0;
      const tgt = Number(input.targets[t]);
      if (mask[t] && !(Number.isInteger(tgt) && tgt >= 0 && tgt < V)) throw new RangeError(`target ${tgt} at position ${t} is outside the vocabulary (${V})`);
      targets[t] = mask[t] ? tgt : -1;
    }
    const offset = input.logitsOffsetBytes ?? 0;
    const need = T * V * 4;
    const gpuSource = isGpuBuffer(input.logits);
    if (gpuSource) {
      const buf = input.logits as GPUBuffer;
      if (!(buf.usage & GPUBufferUsage.STORAGE)) throw new Error('logits GPUBuffer needs STORAGE usage');
      if (buf.size < offset + need) throw new RangeError(`logits GPUBuffer has ${buf.size} bytes, needs ${offset} + T*V*4 = ${offset + need}`);
    } else {
      if (offset !== 0) throw new RangeError('logitsOffsetBytes applies to GPUBuffer inputs only');
      if ((input.logits as Float32Array).length !== T * V) throw new RangeError(`logits has ${(input.logits as Float32Array).length} values, expected T*V = ${T}*${V}`);
    }
    const staged = !gpuSource && need > this.capBytes;
    const plan = planTiles({ rows: T, vocab: V, capBytes: this.capBytes, alignment: device.limits.minStorageBufferOffsetAlignment,
      offsetBytes: gpuSource ? offset : 0, targetWorkgroups: this.targetWorkgroups });
    const empty = (): KernelBatchResult => ({ sequences: lengths.map((l) => ({ tokenLogps: new Float32Array(l), sum: 0, count: 0, bytesRead: 0 })), bytesRead: 0, plan, staged, workgroupSize: 0 });
    if (T === 0) return empty();
    const workgroupSize = this.workgroupSize ?? chooseWorkgroupSize(plan.chunk, this.cpuDevice);
    const partials = await this.partialsPipeline(workgroupSize);

    const owned: GPUBuffer[] = [];
    const buffer = (size: number, usage: number, label: string) => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage, label: `masked-logprobs:${label}` });
      owned.push(b);
      return b;
    };
    const S = GPUBufferUsage.STORAGE;
    const nseq = lengths.length;
    const nChunks = T * plan.chunksPerRow;
    const upload = (data: ArrayBufferView<ArrayBuffer>, label: string) => {
      const b = buffer(data.byteLength, S | GPUBufferUsage.COPY_DST, label);
      device.queue.writeBuffer(b, 0, data);
      return b;
    };
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let out: GPUBuffer, seqOut: GPUBuffer, readback: GPUBuffer;
    try {
      const targetsBuf = upload(targets, 'targets');
      const maskBuf = upload(mask, 'mask');
      const partialsBuf = buffer(nChunks * 8, S, 'partials');
      const readsBuf = buffer(nChunks * 4, S, 'reads');
      const tgtBuf = buffer(T * 4, S, 'target-logits');
      out = buffer(T * 4, S | GPUBufferUsage.COPY_SRC, 'token-logps');
      seqOut = buffer(nseq * 16, S | GPUBufferUsage.COPY_SRC, 'sequences');
      const seqs = new Uint32Array(nseq * 2);
      let first = 0;
      lengths.forEach((l, i) => {
        seqs[2 * i] = first;
        seqs[2 * i + 1] = l;
        first += l;
      });
      const seqsBuf = upload(seqs, 'sequence-rows');
      const tiles = plan.tiles;
      const params = new Uint32Array((tiles.length * UNIFORM_STRIDE) / 4 + 4);
      tiles.forEach((tile, i) => {
        const wgx = Math.min(tile.n, MAX_DISPATCH);
        params.set([tile.g0, tile.n, plan.chunksPerRow, plan.chunk, V, tile.e0, staged ? 0 : tile.shift, wgx], (i * UNIFORM_STRIDE) / 4);
      });
      const paramsBuf = buffer(params.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'params');
      device.queue.writeBuffer(paramsBuf, 0, params);

      let source: GPUBuffer;
      if (gpuSource) source = input.logits as GPUBuffer;
      else if (!staged) source = upload(input.logits as Float32Array<ArrayBuffer>, 'logits');
      else source = buffer(Math.max(...tiles.map((t) => (t.e1 - t.e0) * 4)), S | GPUBufferUsage.COPY_DST, 'logits-staging');

      const layout1 = partials.getBindGroupLayout(0);
      const pass1 = (enc: GPUCommandEncoder, tile: Tile, i: number) => {
        const bind = device.createBindGroup({
          layout: layout1,
          entries: [
            { binding: 0, resource: { buffer: paramsBuf, offset: i * UNIFORM_STRIDE, size: 32 } },
            { binding: 1, resource: staged ? { buffer: source, offset: 0, size: (tile.e1 - tile.e0) * 4 } : { buffer: source, offset: tile.bindOffset, size: tile.bindSize } },
            { binding: 2, resource: { buffer: targetsBuf, size: T * 4 } },
            { binding: 3, resource: { buffer: maskBuf, size: T * 4 } },
            { binding: 4, resource: { buffer: partialsBuf, size: nChunks * 8 } },
            { binding: 5, resource: { buffer: readsBuf, size: nChunks * 4 } },
            { binding: 6, resource: { buffer: tgtBuf, size: T * 4 } },
          ],
        });
        const p = enc.beginComputePass({ label: 'masked-logprobs:partials' });
        p.setPipeline(partials);
        p.setBindGroup(0, bind);
        const wgx = Math.min(tile.n, MAX_DISPATCH);
        p.dispatchWorkgroups(wgx, Math.ceil(tile.n / wgx));
        p.end();
      };
      let enc = device.createCommandEncoder({ label: 'masked-logprobs' });
      tiles.forEach((tile, i) => {
        if (staged) {
          // One tile at a time through the staging buffer: the write is ordered after the
          // previous tile's submitted pass.
          const src = input.logits as Float32Array<ArrayBuffer>;
          device.queue.writeBuffer(source, 0, src, tile.e0, tile.e1 - tile.e0);
          pass1(enc, tile, i);
          device.queue.submit([enc.finish()]);
          enc = device.createCommandEncoder({ label: 'masked-logprobs' });
        } else {
          pass1(enc, tile, i);
        }
      });
      const fParams = buffer(16, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'finalize-params');
      const fwgx = Math.min(nseq, MAX_DISPATCH);
      device.queue.writeBuffer(fParams, 0, new Uint32Array([plan.chunksPerRow, nseq, fwgx, 0]));
      const bind2 = device.createBindGroup({
        layout: this.finalize.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: fParams } },
          { binding: 1, resource: { buffer: maskBuf, size: T * 4 } },
          { binding: 2, resource: { buffer: partialsBuf, size: nChunks * 8 } },
          { binding: 3, resource: { buffer: readsBuf, size: nChunks * 4 } },
          { binding: 4, resource: { buffer: tgtBuf, size: T * 4 } },
          { binding: 5, resource: { buffer: seqsBuf, size: nseq * 8 } },
          { binding: 6, resource: { buffer: out, size: T * 4 } },
          { binding: 7, resource: { buffer: seqOut, size: nseq * 16 } },
        ],
      });
      const p2 = enc.beginComputePass({ label: 'masked-logprobs:finalize' });
      p2.setPipeline(this.finalize);
      p2.setBindGroup(0, bind2);
      p2.dispatchWorkgroups(fwgx, Math.ceil(nseq / fwgx));
      p2.end();
      const outBytes = Math.ceil((T * 4) / 16) * 16;
      readback = buffer(outBytes + nseq * 16, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback');
      enc.copyBufferToBuffer(out, 0, readback, 0, T * 4);
      enc.copyBufferToBuffer(seqOut, 0, readback, outBytes, nseq * 16);
      device.queue.submit([enc.finish()]);
    } catch (e) {
      const scopes = [device.popErrorScope(), device.popErrorScope()];
      await Promise.all(scopes);
      for (const b of owned) b.destroy();
      throw e;
    }
    const [validation, oom] = await Promise.all([device.popErrorScope(), device.popErrorScope()]);
    if (validation || oom) {
      for (const b of owned) b.destroy();
      throw new Error(`MaskedLogprobKernel: ${(validation ?? oom)!.message}`);
    }
    try {
      await readback.mapAsync(GPUMapMode.READ);
      const bytes = readback.getMappedRange().slice(0);
      readback.unmap();
      const outBytes = Math.ceil((T * 4) / 16) * 16;
      const logps = new Float32Array(bytes, 0, T);
      const seqF = new Float32Array(bytes, outBytes, nseq * 4);
      const seqU = new Uint32Array(bytes, outBytes, nseq * 4);
      let first = 0;
      let bytesRead = 0;
      const sequences = lengths.map((l, i) => {
        const r: KernelResult = { tokenLogps: logps.slice(first, first + l), sum: seqF[4 * i]!, count: seqU[4 * i + 1]!, bytesRead: seqU[4 * i + 2]! * 4 };
        first += l;
        bytesRead += r.bytesRead;
        return r;
      });
      return { sequences, bytesRead, plan, staged, workgroupSize };
    } finally {
      for (const b of owned) b.destroy();
    }
  }

  /** Release the kernel (pipelines are garbage-collected; the device is not touched). */
  destroy(): void {
    this.destroyed = true;
  }
}

