/**
 * The weights of an embedded model's ONNX graph, by Hugging Face parameter name, and the same
 * graph with new weights (a checkpoint). Pure TypeScript over the protobuf bytes, so it runs in
 * Node, workers and the browser alike.
 *
 * The torch exporter folds each `nn.Linear` weight into a transposed initializer `onnx::MatMul_N`
 * ([in, out]) consumed by the node `/m/<module path>/MatMul`; norms, biases and the embedding keep
 * their names with an `m.` prefix. The tied `lm_head` is a second, transposed copy of
 * `embed_tokens`. Rewriting keeps every byte of the graph and overwrites the float32 raw data of
 * the initializers in place (same length), so a checkpoint is the shipped graph with new numbers.
 */

/** One float32 initializer: where its raw bytes live, and which HF parameter it holds. */
export interface OnnxWeight {
  /** Initializer name in the graph. */
  onnxName: string;
  /** Hugging Face parameter name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  hfName: string;
  /** True when the initializer is the transpose of the HF tensor (MatMul weights). */
  transposed: boolean;
  /** ONNX dims. */
  dims: number[];
  /** Byte range of the raw data in the model file. */
  offset: number;
  length: number;
}

interface Field {
  f: number;
  w: number;
  v?: number;
  s: number;
  e: number;
}

function* fields(buf: Uint8Array, start: number, end: number): Generator<Field> {
  let p = start;
  const varint = (): number => {
    let r = 0;
    let mul = 1;
    for (;;) {
      if (p >= end) throw new Error('ONNX model: truncated varint (the file is damaged)');
      const b = buf[p++]!;
      r += (b & 0x7f) * mul;
      if (!(b & 0x80)) return r;
      mul *= 128;
    }
  };
  while (p < end) {
    const key = varint();
    const f = Math.floor(key / 8);
    const w = key & 7;
    if (w === 0) {
      const s = p;
      yield { f, w, v: varint(), s, e: p };
    } else if (w === 2) {
      const len = varint();
      if (p + len > end) throw new Error('ONNX model: a field runs past the end of the file (the file is damaged)');
      yield { f, w, s: p, e: p + len };
      p += len;
    } else if (w === 5) {
      yield { f, w, s: p, e: p + 4 };
      p += 4;
    } else if (w === 1) {
      yield { f, w, s: p, e: p + 8 };
      p += 8;
    } else {
      throw new Error(`ONNX model: unsupported protobuf wire type ${w}: not an ONNX model file`);
    }
  }
}

const utf8 = new TextDecoder();
const FLOAT = 1;

/** HF parameter name of a MatMul node `/m/layers.0/self_attn/q_proj/MatMul` (or null). */
function matmulParam(nodeName: string): string | null {
  const m = /^\/m\/(.+)\/MatMul$/.exec(nodeName);
  if (!m) return null;
  const path = m[1]!.replace(/\//g, '.');
  if (path === 'lm_head') return 'lm_head.weight';
  if (!/(_proj)$/.test(path)) return null;
  return `model.${path}.weight`;
}

/**
 * Index the float32 initializers of a model exported by `tools/train-tiny/export.py`.
 * Throws, naming the problem, when the bytes are not such a model.
 */
export function indexOnnxWeights(bytes: Uint8Array): OnnxWeight[] {
  let graph: Field | undefined;
  for (const f of fields(bytes, 0, bytes.length)) if (f.f === 7 && f.w === 2) graph = f;
  if (!graph) throw new Error('ONNX model: no graph found (is this an .onnx file?)');
  const inits = new Map<string, { dims: number[]; dtype: number; offset: number; length: number }>();
  const consumers = new Map<string, string>();
  for (const g of fields(bytes, graph.s, graph.e)) {
    if (g.f === 5 && g.w === 2) {
      let name = '';
      const dims: number[] = [];
      let dtype = 0;
      let offset = -1;
      let length = 0;
      for (const t of fields(bytes, g.s, g.e)) {
        if (t.f === 8) name = utf8.decode(bytes.subarray(t.s, t.e));
        else if (t.f === 1 && t.w === 0) dims.push(t.v!);
        else if (t.f === 1 && t.w === 2) for (const d of packedVarints(bytes, t.s, t.e)) dims.push(d);
        else if (t.f === 2) dtype = t.v!;
        else if (t.f === 9) {
          offset = t.s;
          length = t.e - t.s;
        }
      }
      if (dtype === FLOAT && offset >= 0) inits.set(name, { dims, dtype, offset, length });
    } else if (g.f === 1 && g.w === 2) {
      let name = '';
      let op = '';
      const inputs: string[] = [];
      for (const t of fields(bytes, g.s, g.e)) {
        if (t.f === 1) inputs.push(utf8.decode(bytes.subarray(t.s, t.e)));
        else if (t.f === 3) name = utf8.decode(bytes.subarray(t.s, t.e));
        else if (t.f === 4) op = utf8.decode(bytes.subarray(t.s, t.e));
      }
      if (op === 'MatMul') for (const i of inputs) if (i.startsWith('onnx::MatMul')) consumers.set(i, name);
    }
  }
  const out: OnnxWeight[] = [];
  for (const [onnxName, t] of inits) {
    let hfName: string | null = null;
    let transposed = false;
    if (onnxName.startsWith('m.')) hfName = onnxName.slice(2);
    else if (consumers.has(onnxName)) {
      hfName = matmulParam(consumers.get(onnxName)!);
      transposed = true;
    }
    if (!hfName) continue;
    if (t.length !== 4 * t.dims.reduce((a, b) => a * b, 1)) throw new Error(`ONNX model: initializer ${onnxName} has ${t.length} bytes for dims [${t.dims.join(', ')}]`);
    out.push({ onnxName, hfName, transposed, dims: t.dims, offset: t.offset, length: t.length });
  }
  if (!out.some((w) => w.hfName === 'model.embed_tokens.weight')) throw new Error('ONNX model: no embed_tokens initializer: only models exported by tools/train-tiny can be trained');
  return out;
}

function* packedVarints(buf: Uint8Array, s: number, e: number): Generator<number> {
  let p = s;
  while (p < e) {
    let r = 0;
    let mul = 1;
    for (;;) {
      const b = buf[p++]!;
      r += (b & 0x7f) * mul;
      if (!(b & 0x80)) break;
      mul *= 128;
    }
    yield r;
  }
}

/** A named float32 tensor in Hugging Face layout. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c]!;
  return out;
}

/**
 * Parameters in Hugging Face layout (Linear weights [out, in]). The lm_head copy is dropped: the
 * models tie it to `model.embed_tokens.weight`.
 */
export function readHfWeights(bytes: Uint8Array, index = indexOnnxWeights(bytes)): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const w of index) {
    if (w.hfName === 'lm_head.weight') continue;
    // Copy: the raw data is not 4-byte aligned inside the protobuf.
    const raw = new Float32Array(bytes.slice(w.offset, w.offset + w.length).buffer);
    if (w.transposed) {
      const [rows, cols] = w.dims as [number, number];
      out.set(w.hfName, { shape: [cols, rows], data: transpose2d(raw, rows, cols) });
    } else {
      out.set(w.hfName, { shape: w.dims.slice(), data: raw });
    }
  }
  return out;
}

/**
 * The same ONNX graph with new weights: a copy of `bytes` whose initializers hold `weights`
 * (HF layout; the tied lm_head is written from `model.embed_tokens.weight`). Every initializer of
 * the index must be given, with its exact size.
 */
export function writeHfWeights(bytes: Uint8Array, weights: Map<string, NamedTensor>, index = indexOnnxWeights(bytes)): Uint8Array {
  const out = bytes.slice();
  for (const w of index) {
    const src = w.hfName === 'lm_head.weight' ? weights.get('model.embed_tokens.weight') : weights.get(w.hfName);
    if (!src) throw new Error(`checkpoint: weight ${w.hfName} is missing`);
    if (src.data.length * 4 !== w.length) throw new Error(`checkpoint: weight ${w.hfName} has ${src.data.length} values, the graph needs ${w.length / 4}`);
    let data = src.data;
    // ONNX holds W^T ([in, out]); HF holds [out, in] = src.shape.
    if (w.transposed) data = transpose2d(src.data, src.shape[0]!, src.shape[1]!);
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), w.offset);
  }
  return out;
}
