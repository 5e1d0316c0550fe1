/**
 * Drives one causal-LM ONNX session (transformers.js layout) by hand: batched forward passes with
 * explicit past key/values, so the engine controls batching and prefix reuse. Works with the
 * `ort` namespace of onnxruntime-node or onnxruntime-web (passed in; only engines know runtimes).
 */
import type * as OrtTypes from 'onnxruntime-common';

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

/** Past KV for a batch: 2 * layers arrays, each [batch, kvHeads, len, headDim]. */
export interface BatchPast {
  batch: number;
  len: number;
  data: Float32Array[];
}

export interface ForwardResult {
  /** [batch, T, vocab] */
  logits: Float32Array;
  present: BatchPast;
}

export class OrtRunner {
  constructor(
    readonly ort: OrtNamespace,
    readonly session: OrtTypes.InferenceSession,
    readonly shape: ModelShape,
  ) {
    const need = ['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key'];
    for (const n of need) if (!session.inputNames.includes(n)) throw new Error(`model.onnx has no input "${n}": export it with the transformers.js causal-LM contract (with past)`);
    if (!session.outputNames.includes('logits')) throw new Error('model.onnx has no output "logits"');
  }

  /** An empty past for `batch` rows. */
  emptyPast(batch: number): BatchPast {
    return { batch, len: 0, data: Array.from({ length: 2 * this.shape.layers }, () => new Float32Array(0)) };
  }

  /**
   * One forward pass. `ids` rows have equal length T; `mask` is [batch, past.len + T] (1 = attend).
   * Positions continue from past.len for every row (rows share the same past length).
   */
  async forward(ids: number[][], past: BatchPast, mask?: number[][]): Promise<ForwardResult> {
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
      feeds[`past_key_values.${l}.key`] = new ort.Tensor('float32', past.data[2 * l]!, [B, shape.kvHeads, P, shape.headDim]);
      feeds[`past_key_values.${l}.value`] = new ort.Tensor('float32', past.data[2 * l + 1]!, [B, shape.kvHeads, P, shape.headDim]);
    }
    const out = await this.session.run(feeds);
    const logits = (await out.logits!.getData()) as Float32Array;
    const data: Float32Array[] = [];
    for (let l = 0; l < shape.layers; l++) {
      data.push((await out[`present.${l}.key`]!.getData()) as Float32Array);
      data.push((await out[`present.${l}.value`]!.getData()) as Float32Array);
    }
    for (const t of Object.values(out)) t.dispose?.();
    return { logits, present: { batch: B, len: P + T, data } };
  }

  /** Replicate a batch-1 past into `n` rows. */
  repeat(one: BatchPast, n: number): BatchPast {
    if (one.batch !== 1) throw new Error('repeat needs a batch-1 past');
    return {
      batch: n,
      len: one.len,
      data: one.data.map((a) => {
        const out = new Float32Array(a.length * n);
        for (let i = 0; i < n; i++) out.set(a, i * a.length);
        return out;
      }),
    };
  }

  /** A batch past made of the rows `keep` (in that order). Rows are contiguous blocks. */
  select(past: BatchPast, keep: number[]): BatchPast {
    return {
      batch: keep.length,
      len: past.len,
      data: past.data.map((a) => {
        const block = a.length / past.batch;
        const out = new Float32Array(block * keep.length);
        keep.forEach((r, i) => out.set(a.subarray(r * block, (r + 1) * block), i * block));
        return out;
      }),
    };
  }

  /** Row `r` of a batch past, truncated to the first `len` positions, as a batch-1 past. */
  row(past: BatchPast, r: number, len = past.len): BatchPast {
    const { kvHeads, headDim } = this.shape;
    const data = past.data.map((a) => {
      const out = new Float32Array(kvHeads * len * headDim);
      for (let h = 0; h < kvHeads; h++) {
        const src = ((r * kvHeads + h) * past.len) * headDim;
        out.set(a.subarray(src, src + len * headDim), h * len * headDim);
      }
      return out;
    });
    return { batch: 1, len, data };
  }

  /** Logits row (batch b, position t) of a forward result. */
  logitsAt(res: ForwardResult, b: number, t: number, T: number): Float32Array {
    const V = this.shape.vocab;
    const off = (b * T + t) * V;
    return res.logits.slice(off, off + V);
  }
}
