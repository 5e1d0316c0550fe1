/**
 * Drives one causal-LM ONNX session (transformers.js layout) by hand: batched forward passes with
 * explicit past key/values, so the engine controls batching and prefix reuse. Works with the
 * `ort` namespace of onnxruntime-node or onnxruntime-web (passed in; only engines know runtimes).
 */
import type * as OrtTypes from 'onnxruntime-common';
import { halfToFloat } from '../../core/half.js';
import { CpuKvStore, type BatchPast, type KvBlock, type KvGeometry, type KvStore, type KvType } from './kv-store.js';

export type OrtNamespace = typeof OrtTypes;

/** The few config.json fields the runner needs. */
export interface ModelShape {
  layers: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  /** Positions the model was trained for (config max_position_embeddings; Infinity when absent). */
  context: number;
}

export function shapeFromConfig(cfg: Record<string, unknown>): ModelShape {
  const num = (k: string) => {
    const v = cfg[k];
    if (typeof v !== 'number') throw new Error(`config.json: field "${k}" is missing or not a number`);
    return v;
  };
  const heads = num('num_attention_heads');
  return {
    layers: num('num_hidden_layers'),
    kvHeads: typeof cfg.num_key_value_heads === 'number' ? cfg.num_key_value_heads : heads,
    headDim: typeof cfg.head_dim === 'number' ? cfg.head_dim : num('hidden_size') / heads,
    vocab: num('vocab_size'),
    context: typeof cfg.max_position_embeddings === 'number' ? cfg.max_position_embeddings : Infinity,
  };
}

export type { BatchPast, KvBlock, KvGeometry, KvType } from './kv-store.js';

export interface ForwardResult {
  /** Float32 logits of the kept positions: [batch, kept, vocab]. */
  logits: Float32Array;
  /** First kept position (0 for 'all', T - 1 for 'last'). */
  from: number;
  /** Positions kept per row. */
  kept: number;
  present: BatchPast;
  /** With keep 'none' on the GPU store: the logits tensor itself, on the device (the caller disposes it). */
  logitsTensor?: OrtTypes.Tensor;
}

/** Bytes moved out of ORT into JavaScript (what a device→CPU read costs on WebGPU). */
export interface RunnerCounters {
  forwards: number;
  /** Logits rows converted to float32 for JavaScript. */
  logitsBytes: number;
  /** KV read into JavaScript arrays (0 when KV stays on the device). */
  kvBytes: number;
  /** Bytes read back from GPU buffers (mapAsync), logits and KV together. */
  deviceReadBytes: number;
}

/** A store for the session's outputs: where KV lives and how logits rows are read. */
export interface OutputStore extends KvStore {
  /** Float32 rows `rows` (indices into [batch*T]) of a [batch, T, vocab] logits output. */
  readRows(logits: OrtTypes.Tensor, rows: number[], vocab: number, counters: RunnerCounters): Promise<Float32Array>;
}

/** The CPU output store: typed arrays, float16 rows converted only when read. */
export class CpuOutputStore extends CpuKvStore implements OutputStore {
  async readRows(logits: OrtTypes.Tensor, rows: number[], vocab: number, counters: RunnerCounters): Promise<Float32Array> {
    // float16 logits: raw bits (Uint16Array) in Node, numbers (Float16Array) where the runtime has one.
    const all = (await logits.getData()) as Float32Array | Uint16Array;
    const out = new Float32Array(rows.length * vocab);
    rows.forEach((r, i) => out.set(all instanceof Uint16Array ? halfToFloat(all, r * vocab, vocab) : all.subarray(r * vocab, (r + 1) * vocab), i * vocab));
    counters.logitsBytes += rows.length * vocab * all.BYTES_PER_ELEMENT;
    return out;
  }
}

function tensorType(meta: readonly OrtTypes.InferenceSession.ValueMetadata[] | undefined, name: string): string | undefined {
  const m = meta?.find((x) => x.name === name);
  return m && m.isTensor ? m.type : undefined;
}

export class OrtRunner {
  /** Element type of past/present KV (float16 in q4f16 builds). */
  readonly kvType: KvType;
  /** Element type of the logits output. */
  readonly logitsType: KvType;
  readonly store: OutputStore;
  readonly counters: RunnerCounters = { forwards: 0, logitsBytes: 0, kvBytes: 0, deviceReadBytes: 0 };

  constructor(
    readonly ort: OrtNamespace,
    readonly session: OrtTypes.InferenceSession,
    readonly shape: ModelShape,
    store?: (g: KvGeometry) => OutputStore,
    /** The session runs on WebGPU but returns outputs to the CPU (the path before device-resident KV): count every output as read back. */
    readonly countsDeviceReads = false,
  ) {
    const need = ['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key'];
    for (const n of need) if (!session.inputNames.includes(n)) throw new Error(`model.onnx has no input "${n}": export it with the transformers.js causal-LM contract (with past)`);
    if (!session.outputNames.includes('logits')) throw new Error('model.onnx has no output "logits"');
    const kv = tensorType(session.inputMetadata, 'past_key_values.0.key') ?? 'float32';
    const lg = tensorType(session.outputMetadata, 'logits') ?? 'float32';
    for (const [what, t] of [['past_key_values', kv], ['logits', lg]] as const) {
      if (t !== 'float32' && t !== 'float16') throw new Error(`model.onnx: ${what} has element type ${t}; the runner supports float32 and float16`);
    }
    this.kvType = kv as KvType;
    this.logitsType = lg as KvType;
    const g = { layers: shape.layers, kvHeads: shape.kvHeads, headDim: shape.headDim, type: this.kvType };
    this.store = store ? store(g) : new CpuOutputStore(ort, g);
  }

  /** An empty past for `batch` rows. */
  emptyPast(batch: number): BatchPast {
    return this.store.empty(batch);
  }

  /**
   * One forward pass. `ids` rows have equal length T; `mask` is [batch, past.len + T] (1 = attend).
   * Positions continue from past.len for every row (rows share the same past length). `keep`
   * chooses the logits rows JavaScript gets: every position, or the last one per row (decoding and
   * prefill need only that). The input past is not released (the caller owns it).
   */
  async forward(ids: number[][], past: BatchPast, mask?: number[][], keep: 'all' | 'last' | 'none' = 'all'): Promise<ForwardResult> {
    const { ort, shape } = this;
    const B = ids.length;
    const T = ids[0]!.length;
    const P = past.len;
    if (past.batch !== B) throw new Error(`forward: past batch ${past.batch} != ${B}`);
    const idData = new BigInt64Array(B * T);
    const posData = new BigInt64Array(B * T);
    const maskData = new BigInt64Array(B * (P + T));
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        idData[b * T + t] = BigInt(ids[b]![t]!);
        posData[b * T + t] = BigInt(P + t);
      }
      for (let j = 0; j < P + T; j++) maskData[b * (P + T) + j] = BigInt(mask ? mask[b]![j]! : 1);
    }
    const feeds: Record<string, OrtTypes.Tensor> = {
      input_ids: new ort.Tensor('int64', idData, [B, T]),
      attention_mask: new ort.Tensor('int64', maskData, [B, P + T]),
      position_ids: new ort.Tensor('int64', posData, [B, T]),
    };
    for (let l = 0; l < shape.layers; l++) {
      feeds[`past_key_values.${l}.key`] = this.store.feed(past.data[2 * l]!, B, P);
      feeds[`past_key_values.${l}.value`] = this.store.feed(past.data[2 * l + 1]!, B, P);
    }
    const out = await this.session.run(feeds);
    this.counters.forwards++;
    if (this.countsDeviceReads) for (const t of Object.values(out)) this.counters.deviceReadBytes += t.dims.reduce((a, b) => a * b, 1) * (t.type === 'float16' ? 2 : 4);
    const from = keep === 'last' ? T - 1 : keep === 'none' ? T : 0;
    const rows: number[] = [];
    for (let b = 0; b < B; b++) for (let t = from; t < T; t++) rows.push(b * T + t);
    const handOver = keep === 'none' && this.store.onDevice;
    const logits = keep === 'none' ? new Float32Array(0) : await this.store.readRows(out.logits!, rows, shape.vocab, this.counters);
    const data: KvBlock[] = [];
    for (let l = 0; l < shape.layers; l++) {
      for (const kv of ['key', 'value']) {
        const block = await this.store.adopt(out[`present.${l}.${kv}`]!);
        if (block.array) this.counters.kvBytes += block.byteLength;
        data.push(block);
      }
    }
    // Present tensors now belong to the returned past (GPU store) or were copied (CPU store).
    if (!handOver) out.logits!.dispose?.();
    if (!this.store.onDevice) for (const t of Object.values(out)) t.dispose?.();
    return { logits, from, kept: T - from, present: { batch: B, len: P + T, data }, ...(handOver ? { logitsTensor: out.logits! } : {}) };
  }

  /** Replicate a batch-1 past into `n` rows. */
  repeat(one: BatchPast, n: number): BatchPast {
    return this.store.repeat(one, n);
  }

  /** A batch past made of the rows `keep` (in that order). */
  select(past: BatchPast, keep: number[]): BatchPast {
    return this.store.select(past, keep);
  }

  /** Row `r` of a batch past, truncated to the first `len` positions, as a batch-1 past. */
  row(past: BatchPast, r: number, len = past.len): BatchPast {
    return this.store.row(past, r, len);
  }

  /** Free a past's device memory (no-op on the CPU). */
  release(past: BatchPast): void {
    this.store.release(past);
  }

  /** Logits row (batch b, position t) of a forward result; t must be a kept position. */
  logitsAt(res: ForwardResult, b: number, t: number): Float32Array {
    const V = this.shape.vocab;
    const k = t - res.from;
    if (k < 0 || k >= res.kept) throw new RangeError(`logitsAt: position ${t} was not kept (kept ${res.from}..${res.from + res.kept - 1})`);
    const off = (b * res.kept + k) * V;
    return res.logits.slice(off, off + V);
  }
}
