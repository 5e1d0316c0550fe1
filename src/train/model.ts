/**
 * The embedded Qwen2 / Llama causal LMs as a pure jax-js function of their parameters, so jax-js
 * can differentiate and jit it. Same math as tools/train-tiny/model.py and the ONNX graph:
 * RMSNorm, rotate-half RoPE, grouped-query causal attention, SwiGLU MLP, tied embeddings.
 *
 * jax-js arrays are reference counted and every call consumes its arguments: a value used twice
 * is passed as `x.ref` the first time (see DESIGN.md, "Training").
 */
import { nn, numpy as np } from '@jax-js/jax';

type Arr = np.Array;

/** The config.json fields the trainer needs. */
export interface ModelConfig {
  modelType: 'qwen2' | 'llama';
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  layers: number;
  vocab: number;
  rmsEps: number;
  ropeTheta: number;
  maxPositions: number;
  attentionBias: boolean;
}

export function modelConfig(cfg: Record<string, unknown>, file = 'config.json'): ModelConfig {
  const num = (k: string): number => {
    const v = cfg[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${file}: field "${k}" is missing or not a number`);
    return v;
  };
  const type = cfg.model_type;
  if (type !== 'qwen2' && type !== 'llama') throw new Error(`${file}: model_type "${String(type)}" cannot be trained in the lab (qwen2 or llama only)`);
  if (cfg.tie_word_embeddings === false) throw new Error(`${file}: the trainer needs tied embeddings (tie_word_embeddings: true)`);
  const heads = num('num_attention_heads');
  return {
    modelType: type,
    hidden: num('hidden_size'),
    heads,
    kvHeads: typeof cfg.num_key_value_heads === 'number' ? cfg.num_key_value_heads : heads,
    headDim: typeof cfg.head_dim === 'number' ? cfg.head_dim : num('hidden_size') / heads,
    intermediate: num('intermediate_size'),
    layers: num('num_hidden_layers'),
    vocab: num('vocab_size'),
    rmsEps: num('rms_norm_eps'),
    ropeTheta: num('rope_theta'),
    maxPositions: num('max_position_embeddings'),
    attentionBias: type === 'qwen2' || cfg.attention_bias === true,
  };
}

/** Hugging Face parameter names and shapes of a config, in a fixed order. */
export function parameterShapes(c: ModelConfig): [string, number[]][] {
  const out: [string, number[]][] = [['model.embed_tokens.weight', [c.vocab, c.hidden]]];
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}.`;
    out.push([`${p}input_layernorm.weight`, [c.hidden]]);
    out.push([`${p}self_attn.q_proj.weight`, [c.heads * c.headDim, c.hidden]]);
    out.push([`${p}self_attn.k_proj.weight`, [c.kvHeads * c.headDim, c.hidden]]);
    out.push([`${p}self_attn.v_proj.weight`, [c.kvHeads * c.headDim, c.hidden]]);
    if (c.attentionBias) {
      out.push([`${p}self_attn.q_proj.bias`, [c.heads * c.headDim]]);
      out.push([`${p}self_attn.k_proj.bias`, [c.kvHeads * c.headDim]]);
      out.push([`${p}self_attn.v_proj.bias`, [c.kvHeads * c.headDim]]);
    }
    out.push([`${p}self_attn.o_proj.weight`, [c.hidden, c.heads * c.headDim]]);
    out.push([`${p}post_attention_layernorm.weight`, [c.hidden]]);
    out.push([`${p}mlp.gate_proj.weight`, [c.intermediate, c.hidden]]);
    out.push([`${p}mlp.up_proj.weight`, [c.intermediate, c.hidden]]);
    out.push([`${p}mlp.down_proj.weight`, [c.hidden, c.intermediate]]);
  }
  out.push(['model.norm.weight', [c.hidden]]);
  return out;
}

/**
 * Parameters as jax-js arrays keyed by HF name. Linear weights are stored transposed ([in, out])
 * so the forward pass is `x @ W` with no transpose per step; `toHf` in the trainer undoes it.
 */
export type Params = Record<string, Arr>;

/** True for the HF names whose trainer layout is the transpose ([in, out]). */
export const isLinear = (name: string): boolean => name.endsWith('_proj.weight');

/** Constant inputs of one batch shape: RoPE tables, the causal mask and the rotate-half matrix. */
export interface Consts {
  /** [T, headDim] */
  cos: Arr;
  sin: Arr;
  /** [headDim, headDim]: x @ rot = rotate_half(x). */
  rot: Arr;
  /** [T, T] additive causal mask (0 or -1e9). */
  causal: Arr;
}

export function makeConsts(c: ModelConfig, T: number, dtype: np.DType = np.float32): Consts {
  const hd = c.headDim;
  const half = hd / 2;
  const cos = new Float32Array(T * hd);
  const sin = new Float32Array(T * hd);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      // Same float32 rounding as the exporter: inv_freq in float32, position * inv_freq in float32.
      const inv = Math.fround(1 / Math.fround(c.ropeTheta ** Math.fround((2 * i) / hd)));
      const f = Math.fround(t * inv);
      cos[t * hd + i] = cos[t * hd + i + half] = Math.cos(f);
      sin[t * hd + i] = sin[t * hd + i + half] = Math.sin(f);
    }
  }
  // rotate_half(x) = cat(-x[half:], x[:half]) as a matrix: out[j] = -x[j + half] (j < half), x[j - half].
  const rot = new Float32Array(hd * hd);
  for (let j = 0; j < half; j++) {
    rot[(j + half) * hd + j] = -1;
    rot[j * hd + j + half] = 1;
  }
  const causal = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) causal[i * T + j] = -1e9;
  // float64 is for gradient checks against finite differences (tests).
  const arr = (a: Float32Array, shape: number[]) => (dtype === np.float32 ? np.array(a) : np.array(a).astype(dtype)).reshape(shape);
  return { cos: arr(cos, [T, hd]), sin: arr(sin, [T, hd]), rot: arr(rot, [hd, hd]), causal: arr(causal, [T, T]) };
}

function rmsNorm(x: Arr, w: Arr, eps: number): Arr {
  const v = np.mean(np.square(x.ref), -1, { keepdims: true });
  return x.mul(np.reciprocal(np.sqrt(v.add(eps)))).mul(w);
}

function rope(x: Arr, k: Consts): Arr {
  // x: [B, H, T, hd]
  return x.ref.mul(k.cos.ref).add(np.matmul(x, k.rot.ref).mul(k.sin.ref));
}

function linear(x: Arr, p: Params, name: string, bias: boolean): Arr {
  const y = np.matmul(x, p[`${name}.weight`]!.ref);
  return bias ? y.add(p[`${name}.bias`]!.ref) : y;
}

/**
 * Logits [B, T, V] of token ids [B, T] (int32). Rows are right-padded: real positions never attend
 * to the padding that follows them, so no padding mask is needed. Consumes `ids`; borrows
 * `params` and `k` (they stay usable).
 */
export function forward(c: ModelConfig, params: Params, ids: Arr, k: Consts): Arr {
  const [B, T] = ids.shape as [number, number];
  const { hidden: D, heads: H, kvHeads: KV, headDim: hd } = c;
  const rep = H / KV;
  const emb = params['model.embed_tokens.weight']!;
  // One-hot matmul rather than take(): its backward is a matmul, not a scatter (jit-safe).
  let x = np.matmul(nn.oneHot(ids.reshape([B * T]), c.vocab), emb.ref).reshape([B, T, D]);
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}.`;
    const h = rmsNorm(x.ref, params[`${p}input_layernorm.weight`]!.ref, c.rmsEps);
    const q = linear(h.ref, params, `${p}self_attn.q_proj`, c.attentionBias).reshape([B, T, KV, rep, hd]).transpose([0, 2, 3, 1, 4]);
    const kk = linear(h.ref, params, `${p}self_attn.k_proj`, c.attentionBias).reshape([B, T, KV, 1, hd]).transpose([0, 2, 3, 1, 4]);
    const v = linear(h, params, `${p}self_attn.v_proj`, c.attentionBias).reshape([B, T, KV, 1, hd]).transpose([0, 2, 3, 1, 4]);
    const qr = rope(q, k);
    const kr = rope(kk, k);
    // [B, KV, rep, T, T]: each query head group attends to its shared key/value head.
    const scores = np.matmul(qr, kr.transpose([0, 1, 2, 4, 3])).mul(1 / Math.sqrt(hd)).add(k.causal.ref);
    const att = nn.softmax(scores, -1);
    const y = np.matmul(att, v).transpose([0, 3, 1, 2, 4]).reshape([B, T, H * hd]);
    x = x.add(linear(y, params, `${p}self_attn.o_proj`, false));
    const h2 = rmsNorm(x.ref, params[`${p}post_attention_layernorm.weight`]!.ref, c.rmsEps);
    const gate = nn.silu(linear(h2.ref, params, `${p}mlp.gate_proj`, false));
    const up = linear(h2, params, `${p}mlp.up_proj`, false);
    x = x.add(linear(gate.mul(up), params, `${p}mlp.down_proj`, false));
  }
  const hN = rmsNorm(x, params['model.norm.weight']!.ref, c.rmsEps);
  return np.matmul(hN, emb.ref.transpose([1, 0]));
}

/**
 * Per-token log-probs [B, T]: log p(ids[b, t+1] | ids[b, ..t]) at column t for t < T-1 (the last
 * column is 0). Consumes `logits` and `targets` ([B, T] int32, the ids shifted left by one).
 */
export function tokenLogps(logits: Arr, targets: Arr, vocab: number): Arr {
  const lp = nn.logSoftmax(logits, -1);
  return np.sum(lp.mul(nn.oneHot(targets, vocab)), -1);
}
