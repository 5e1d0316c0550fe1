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

/** Largest invocations per workgroup used (the WebGPU default limit for maxComputeInvocationsPerWorkgroup). */
export const WORKGROUP_SIZE = 256;
/** Default cap on any binding or buffer the kernel creates or binds: 128 MiB. */
export const DEFAULT_CAP_BYTES = 128 * 1024 * 1024;
const MAX_DISPATCH = 65535;
const UNIFORM_STRIDE = 256;

/** One dispatch of pass 1: a contiguous range of (row, chunk) work items over one binding range. */
export interface Tile {
  /** First global chunk index (row * chunksPerRow + chunk). */
  g0: number;
  /** Number of chunks (= workgroups) in this tile. */
  n: number;
  /** Logical element range [e0, e1) of the logits (row-major T x V) this tile covers. */
  e0: number;
  e1: number;
  /** Byte offset into the source buffer where the binding starts (multiple of the alignment). */
  bindOffset: number;
  /** Byte size of the binding (<= cap). */
  bindSize: number;
  /** Binding-relative element index of logical element e0. */
  shift: number;
}

/** How a T x V problem is cut into chunks and tiles (see {@link planTiles}). */
export interface TilePlan {
  rows: number;
  vocab: number;
  /** Elements per chunk (one workgroup each); a row has `chunksPerRow` chunks. */
  chunk: number;
  chunksPerRow: number;
  /** The effective cap in bytes the plan respects. */
  capBytes: number;
  tiles: Tile[];
}

/** Inputs of {@link planTiles}. */
export interface PlanOptions {
  rows: number;
  vocab: number;
  capBytes: number;
  /** minStorageBufferOffsetAlignment of the device (binding offsets are multiples of it). */
  alignment: number;
  /** Byte offset of logical element 0 in the source buffer (multiple of 4). */
  offsetBytes?: number;
  /** Aim for at least this many workgroups in pass 1 (splits rows when T is small). Default 1024. */
  targetWorkgroups?: number;
  /** Never split a row into chunks smaller than this many elements (unless the cap forces it). Default 4096. */
  minChunk?: number;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/**
 * Cut a T x V logits problem into chunks (workgroups) and tiles (bindings), such that every
 * binding of the logits is at most `capBytes`, starts at a multiple of `alignment`, and every
 * logical element belongs to exactly one chunk. The per-chunk partials buffer (8 bytes per
 * chunk) also stays under the cap. Pure function (tested in Node).
 */
export function planTiles(o: PlanOptions): TilePlan {
  const { rows, vocab, alignment } = o;
  const off = o.offsetBytes ?? 0;
  const cap = Math.floor(o.capBytes / 4) * 4;
  if (!(Number.isInteger(rows) && rows >= 0)) throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
  if (!(Number.isInteger(vocab) && vocab >= 1)) throw new RangeError(`vocab must be a positive integer, got ${vocab}`);
  if (off % 4 !== 0 || off < 0) throw new RangeError(`logits offset ${off} must be a non-negative multiple of 4 bytes`);
  if (cap < alignment + 64) throw new RangeError(`cap of ${o.capBytes} bytes is too small (alignment ${alignment})`);
  if (rows * vocab >= 2 ** 32) throw new RangeError(`T*V = ${rows}*${vocab} exceeds 2^32 elements`);
  const maxChunk = Math.floor((cap - alignment) / 4);
  const minChunk = o.minChunk ?? 4096;
  const target = o.targetWorkgroups ?? 1024;
  let k = Math.max(1, Math.min(ceilDiv(vocab, minChunk), ceilDiv(target, Math.max(1, rows))));
  let chunk = Math.min(ceilDiv(vocab, k), maxChunk);
  let nc = ceilDiv(vocab, chunk);
  if (rows * nc * 8 > cap) {
    // Too many partials for the cap: fewer, larger chunks.
    k = Math.max(1, Math.floor(cap / (8 * Math.max(1, rows))));
    chunk = ceilDiv(vocab, k);
    if (chunk > maxChunk) throw new RangeError(`cap of ${o.capBytes} bytes cannot hold both the partials of ${rows} rows and a chunk of their ${vocab}-entry rows`);
    nc = ceilDiv(vocab, chunk);
  }
  const start = (g: number) => {
    const r = Math.floor(g / nc);
    return r * vocab + (g - r * nc) * chunk;
  };
  const end = (g: number) => {
    const r = Math.floor(g / nc);
    return r * vocab + Math.min((g - r * nc + 1) * chunk, vocab);
  };
  const tiles: Tile[] = [];
  const total = rows * nc;
  let g = 0;
  while (g < total) {
    const e0 = start(g);
    const bindOffset = Math.floor((off + e0 * 4) / alignment) * alignment;
    const limit = bindOffset + cap; // bytes: the binding may end at most here
    // Whole rows at a time while they fit, then chunk by chunk.
    let g1 = g + 1;
    const rowEnd = (x: number) => (Math.floor(x / nc) + 1) * nc; // first chunk of the next row
    while (g1 < total) {
      const nextRow = rowEnd(g1);
      if (g1 % nc === 0 && off + end(nextRow - 1) * 4 <= limit) {
        // Jump as many whole rows as fit.
        const rowBytes = vocab * 4;
        const fitRows = Math.floor((limit - (off + start(g1) * 4)) / rowBytes);
        g1 = Math.min(total, g1 + Math.max(1, fitRows) * nc);
        continue;
      }
      if (off + end(g1) * 4 <= limit) g1++;
      else break;
    }
    const e1 = end(g1 - 1);
    const bindSize = off + e1 * 4 - bindOffset;
    tiles.push({ g0: g, n: g1 - g, e0, e1, bindOffset, bindSize, shift: (off + e0 * 4 - bindOffset) / 4 });
    g = g1;
  }
  return { rows, vocab, chunk, chunksPerRow: nc, capBytes: cap, tiles };
}

/** WGSL of pass 1 (one workgroup per (row, chunk)). */
/** WGSL: merge two (max, sum of exp relative to max) pairs — the online log-sum-exp step, shared by both passes. */
const MERGE_WGSL = `// Merge two (max, sum-of-exp relative to max) pairs.
fn merge(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let m = max(a.x, b.x);
  return vec2<f32>(m, a.y * exp(a.x - m) + b.y * exp(b.x - m));
}`;

export function partialsShader(useSubgroups: boolean, subgroupIdBuiltin: boolean, workgroupSize = WORKGROUP_SIZE): string {
  const sgBuiltins = useSubgroups ? (subgroupIdBuiltin ? ', @builtin(subgroup_id) sgId: u32, @builtin(num_subgroups) numSg: u32, @builtin(subgroup_invocation_id) lane: u32' : ', @builtin(subgroup_size) sgSize: u32, @builtin(subgroup_invocation_id) lane: u32') : '';
  const reduce = useSubgroups
    ? /* wgsl */ `
  // Subgroup level: every lane ends with its subgroup's (max, sum).
  let M = subgroupMax(m);
  let S = subgroupAdd(s * exp(m - M));
  ${subgroupIdBuiltin ? 'let sid = sgId;\n  let nsg = numSg;' : '// Assumes subgroups cover consecutive local indices (no subgroup_id builtin here).\n  let sid = lid / sgSize;\n  let nsg = (WG + sgSize - 1u) / sgSize;'}
  if (lane == 0u) { shM[sid] = M; shS[sid] = S; }
  if (lid == 0u) { wgN = nsg; }
  let n = workgroupUniformLoad(&wgN); // also a barrier: the subgroup results are visible
  // Across subgroups: fixed-order tree over the n subgroup results.
  var span = 1u;
  while (span < n) { span = span << 1u; }
  for (var st = span >> 1u; st > 0u; st = st >> 1u) {
    if (lid < st && lid + st < n) {
      let r = merge(vec2<f32>(shM[lid], shS[lid]), vec2<f32>(shM[lid + st], shS[lid + st]));
      shM[lid] = r.x;
      shS[lid] = r.y;
    }
    workgroupBarrier();
  }`
    : /* wgsl */ `
  shM[lid] = m;
  shS[lid] = s;
  workgroupBarrier();
  for (var st = WG / 2u; st > 0u; st = st >> 1u) {
    if (lid < st) {
      let r = merge(vec2<f32>(shM[lid], shS[lid]), vec2<f32>(shM[lid + st], shS[lid + st]));
      shM[lid] = r.x;
      shS[lid] = r.y;
    }
    workgroupBarrier();
  }`;
  return /* wgsl */ `${useSubgroups ? 'enable subgroups;\n' : ''}
struct Params {
  g0: u32,     // first global chunk of this tile
  n: u32,      // chunks in this tile
  nc: u32,     // chunks per row
  chunk: u32,  // elements per chunk
  vocab: u32,
  e0: u32,     // logical element index of the tile's first element
  shift: u32,  // binding-relative index of logical element e0
  wgx: u32,    // workgroups along x in this dispatch
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<i32>;
@group(0) @binding(3) var<storage, read> mask: array<u32>;
@group(0) @binding(4) var<storage, read_write> partials: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read_write> reads: array<u32>;
@group(0) @binding(6) var<storage, read_write> tgtLogit: array<f32>;

const WG: u32 = ${workgroupSize}u;
// Finite "minus infinity": WGSL implementations may assume no infinities.
const NEG: f32 = -1.0e30;

var<workgroup> rowOn: u32;
var<workgroup> wgN: u32;
var<workgroup> shM: array<f32, WG>;
var<workgroup> shS: array<f32, WG>;

${MERGE_WGSL}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32${sgBuiltins}) {
  let k = wid.y * P.wgx + wid.x;
  if (k >= P.n) { return; }
  let g = P.g0 + k;
  let row = g / P.nc;
  let c = g - row * P.nc;
  if (lid == 0u) { rowOn = mask[row]; }
  if (workgroupUniformLoad(&rowOn) == 0u) { return; } // masked rows are not read at all
  let start = c * P.chunk;
  let len = min(P.chunk, P.vocab - start);
  let base = row * P.vocab + start - P.e0 + P.shift;
  let tRel = targets[row] - i32(start);
  // Online log-sum-exp, one exp per element: e = exp(-|x - m|) either rescales the running sum
  // (new max) or is the new term.
  var m = NEG;
  var s = 0.0;
  for (var i = lid; i < len; i += WG) {
    let x = logits[base + i];
    let d = x - m;
    let e = exp(-abs(d));
    s = select(s + e, s * e + 1.0, d > 0.0);
    m = max(m, x);
    if (i32(i) == tRel) { tgtLogit[row] = x; }
  }
${reduce}
  if (lid == 0u) {
    partials[g] = vec2<f32>(shM[0], shS[0]);
    reads[g] = len;
  }
}
`;
}

/** WGSL of pass 2 (one workgroup per sequence; deterministic fixed-order reductions). */
export function finalizeShader(): string {
  return /* wgsl */ `
struct Params {
  nc: u32,     // chunks per row
  nseq: u32,
  wgx: u32,
  pad: u32,
}
struct SeqOut {
  sum: f32,
  count: u32,
  reads: u32,
  pad: u32,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> mask: array<u32>;
@group(0) @binding(2) var<storage, read> partials: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> reads: array<u32>;
@group(0) @binding(4) var<storage, read> tgtLogit: array<f32>;
@group(0) @binding(5) var<storage, read> seqs: array<vec2<u32>>; // (first row, rows)
@group(0) @binding(6) var<storage, read_write> tokenLogps: array<f32>;
@group(0) @binding(7) var<storage, read_write> seqOut: array<SeqOut>;

const WG: u32 = ${WORKGROUP_SIZE}u;
const NEG: f32 = -1.0e30;

var<workgroup> shSum: array<f32, WG>;
var<workgroup> shCount: array<u32, WG>;
var<workgroup> shReads: array<u32, WG>;

${MERGE_WGSL}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = wid.y * P.wgx + wid.x;
  if (q >= P.nseq) { return; }
  let sq = seqs[q];
  var acc = 0.0;
  var cnt = 0u;
  var rd = 0u;
  for (var r = sq.x + lid; r < sq.x + sq.y; r += WG) {
    var lp = 0.0;
    if (mask[r] != 0u) {
      var p = vec2<f32>(NEG, 0.0);
      for (var c = 0u; c < P.nc; c++) {
        p = merge(p, partials[r * P.nc + c]);
        rd += reads[r * P.nc + c];
      }
      lp = (tgtLogit[r] - p.x) - log(p.y);
      cnt += 1u;
    }
    tokenLogps[r] = lp;
    acc += lp;
  }
  shSum[lid] = acc;
  shCount[lid] = cnt;
  shReads[lid] = rd;
  workgroupBarrier();
  for (var st = WG / 2u; st > 0u; st = st >> 1u) {
    if (lid < st) {
      shSum[lid] += shSum[lid + st];
      shCount[lid] += shCount[lid + st];
      shReads[lid] += shReads[lid + st];
    }
    workgroupBarrier();
  }
  if (lid == 0u) { seqOut[q] = SeqOut(shSum[0], shCount[0], shReads[0], 0u); }
}
`;
}

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
    const k = new MaskedLogprobKernel(device, finalize, { usesSubgroups, usesSubgroupId, capBytes, targetWorkgroups: opts.targetWorkgroups ?? (cpuDevice ? 1 : 1024), cpuDevice, ...(wg ? { workgroupSize: wg } : {}) });
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
    const plan = planTiles({ rows: T, vocab: V, capBytes: this.capBytes, alignment: device.limits.minStorageBufferOffsetAlignment, offsetBytes: gpuSource ? offset : 0, targetWorkgroups: this.targetWorkgroups });
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
