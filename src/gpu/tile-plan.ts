/**
 * How the masked log-prob kernel (masked-logprobs.ts) cuts a T x V problem into vocabulary chunks
 * and tiles: no binding or buffer over the cap, offsets aligned for the device, enough workgroups
 * to fill the GPU. Pure arithmetic, tested in Node.
 */

/** Largest invocations per workgroup used (the WebGPU default limit for maxComputeInvocationsPerWorkgroup). */
export const WORKGROUP_SIZE = 256;
/** Default cap on any binding or buffer the kernel creates or binds: 128 MiB. */
export const DEFAULT_CAP_BYTES = 128 * 1024 * 1024;
export const MAX_DISPATCH = 65535;
export const UNIFORM_STRIDE = 256;

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

export const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

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

