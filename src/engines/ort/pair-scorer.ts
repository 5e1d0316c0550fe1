/**
 * Score DPO pairs in the browser with onnxruntime-web on WebGPU while the logits stay on the GPU:
 * the session returns `logits` as a `gpu-buffer` tensor and the masked log-prob kernel reads
 * `tensor.gpuBuffer` directly on ORT's own device (`await ort.env.webgpu.device` after the first
 * session exists; setting the device yourself is ignored by ORT 1.30+). Only T floats per batch
 * come back to the CPU. The `readback` mode downloads the same logits and applies the CPU
 * reference (src/dpo/logprobs.ts), for comparison and benchmarks.
 *
 * A pair (prompt, chosen, rejected) is scored like the ort engine's `score`: prompt = chat
 * template with a generation prompt, completion tokenized on its own; one full forward pass of
 * prompt + completion (no past), where logits row t scores token t + 1.
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { ChatMessage } from '../../core/engine.js';
import { maskedLogprobs } from '../../dpo/logprobs.js';
import { shapeFromConfig, type ModelShape } from './runner.js';
import { ChatTokenizer } from './tokenizer.js';
import { MaskedLogprobKernel, type KernelOptions } from '../../gpu/masked-logprobs.js';

/** One preference pair. */
export interface DpoPair {
  id?: string;
  /** A user message, or a whole conversation before the assistant turn. */
  prompt: string | ChatMessage[];
  chosen: string;
  rejected: string;
}

/** Log-probs of one completion given its prompt. */
export interface CompletionLogprobs {
  tokens: number[];
  /** Per completion token (fp32 from the kernel, fp64 from the CPU reference). */
  tokenLogps: number[];
  sum: number;
  count: number;
}

/** Scores of one pair. */
export interface PairScore {
  id?: string;
  promptTokens: number;
  chosen: CompletionLogprobs;
  rejected: CompletionLogprobs;
}

/** Where the log-probs are computed: `gpu` keeps logits on the GPU; `readback` downloads them and uses the CPU reference. */
export type ScoreMode = 'gpu' | 'readback';

/** Timing and traffic of one {@link OrtPairScorer.score} call. */
export interface ScoreStats {
  mode: ScoreMode;
  pairs: number;
  forwardPasses: number;
  /**
   * Milliseconds in `session.run`; with `syncTiming` also until the GPU finished it (otherwise the
   * GPU time of the forward pass lands in `logprobMs`, whichever stage waits first).
   */
  forwardMs: number;
  /** Milliseconds turning logits into log-probs (kernel incl. its small readback, or download + CPU). */
  logprobMs: number;
  totalMs: number;
  /** Bytes of logits produced (B x L x V x 4 summed over batches). */
  logitsBytes: number;
  /** Bytes copied from the GPU to the CPU for the log-probs. */
  bytesToCpu: number;
  /** Bytes of logits the kernel read (gpu mode). */
  kernelBytesRead: number;
}

/** Options of {@link OrtPairScorer.create}. */
export interface OrtScorerOptions {
  /** Folder URL with config.json, generation_config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx. */
  baseUrl: string;
  /** Where ORT's wasm files are served (default "/ort/"). */
  wasmPaths?: string;
  /** Options of the masked log-prob kernel (built on ORT's device). */
  kernel?: KernelOptions;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not download ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function fetchJson(url: string): Promise<Record<string, unknown>> {
  const text = new TextDecoder().decode(await fetchBytes(url));
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${url} is not valid JSON: ${(e as Error).message}`);
  }
}

/** DPO pair scoring on onnxruntime-web (WebGPU) with the masked log-prob kernel on ORT's device. */
export class OrtPairScorer {
  private constructor(
    readonly session: ort.InferenceSession,
    readonly tokenizer: ChatTokenizer,
    readonly shape: ModelShape,
    /** ORT's GPUDevice (the kernel runs on it). */
    readonly device: GPUDevice,
    readonly kernel: MaskedLogprobKernel,
  ) {}

  /** Load the model and tokenizer, create the WebGPU session (logits and present.* as gpu-buffer), then the kernel on ORT's device. */
  static async create(opts: OrtScorerOptions): Promise<OrtPairScorer> {
    const base = opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`;
    ort.env.wasm.wasmPaths = new URL(opts.wasmPaths ?? '/ort/', globalThis.location?.href ?? 'http://localhost/').href;
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
    const [config, generationConfig, tokenizerJson, tokenizerConfig, onnx] = await Promise.all([
      fetchJson(base + 'config.json'),
      fetchJson(base + 'generation_config.json'),
      fetchJson(base + 'tokenizer.json'),
      fetchJson(base + 'tokenizer_config.json'),
      fetchBytes(base + 'onnx/model.onnx'),
    ]);
    const shape = shapeFromConfig(config);
    const tokenizer = new ChatTokenizer(tokenizerJson, tokenizerConfig, generationConfig);
    const locations: Record<string, ort.Tensor.DataLocation> = { logits: 'gpu-buffer' };
    // The KV outputs are not needed: keep them on the GPU too so nothing else is downloaded.
    for (let l = 0; l < shape.layers; l++) {
      locations[`present.${l}.key`] = 'gpu-buffer';
      locations[`present.${l}.value`] = 'gpu-buffer';
    }
    const session = await ort.InferenceSession.create(onnx, { executionProviders: ['webgpu'], preferredOutputLocation: locations });
    for (const n of ['input_ids', 'attention_mask', 'position_ids']) if (!session.inputNames.includes(n)) throw new Error(`model.onnx has no input "${n}"`);
    if (!session.outputNames.includes('logits')) throw new Error('model.onnx has no output "logits"');
    const device = (await ort.env.webgpu.device) as GPUDevice;
    const kernel = await MaskedLogprobKernel.create(device, opts.kernel);
    return new OrtPairScorer(session, tokenizer, shape, device, kernel);
  }

  /** Token ids of the prompt (chat template + generation prompt) and of a completion. */
  tokenize(pair: DpoPair): { prompt: number[]; chosen: number[]; rejected: number[] } {
    const messages: ChatMessage[] = typeof pair.prompt === 'string' ? [{ role: 'user', content: pair.prompt }] : pair.prompt;
    const prompt = this.tokenizer.encode(this.tokenizer.prompt(messages));
    const chosen = this.tokenizer.encode(pair.chosen);
    const rejected = this.tokenizer.encode(pair.rejected);
    if (prompt.length === 0) throw new Error(`pair ${pair.id ?? ''}: the prompt has no tokens`);
    if (chosen.length === 0 || rejected.length === 0) throw new Error(`pair ${pair.id ?? ''}: chosen and rejected must have at least one token`);
    return { prompt, chosen, rejected };
  }

  /**
   * Sequence log-probs of chosen and rejected for every pair. `batchPairs` pairs (2 sequences
   * each, right-padded) go through one forward pass (default 8). `syncTiming` waits for the GPU
   * after each forward pass so that the stats split forward and log-prob time (benchmarks).
   */
  async score(pairs: DpoPair[], opts: { mode?: ScoreMode; batchPairs?: number; syncTiming?: boolean } = {}): Promise<{ pairs: PairScore[]; stats: ScoreStats }> {
    const mode = opts.mode ?? 'gpu';
    const per = Math.max(1, opts.batchPairs ?? 8);
    const V = this.shape.vocab;
    const stats: ScoreStats = { mode, pairs: pairs.length, forwardPasses: 0, forwardMs: 0, logprobMs: 0, totalMs: 0, logitsBytes: 0, bytesToCpu: 0, kernelBytesRead: 0 };
    const t0 = performance.now();
    const results: PairScore[] = [];
    for (let i = 0; i < pairs.length; i += per) {
      const batch = pairs.slice(i, i + per).map((p) => ({ pair: p, ids: this.tokenize(p) }));
      const seqs = batch.flatMap(({ ids }) => [
        { prompt: ids.prompt.length, completion: ids.chosen, all: [...ids.prompt, ...ids.chosen] },
        { prompt: ids.prompt.length, completion: ids.rejected, all: [...ids.prompt, ...ids.rejected] },
      ]);
      const B = seqs.length;
      const L = Math.max(...seqs.map((s) => s.all.length));
      const ids = new BigInt64Array(B * L);
      const attn = new BigInt64Array(B * L);
      const pos = new BigInt64Array(B * L);
      // Row t of sequence b scores token t + 1; only the completion's tokens are counted.
      const targets = new Int32Array(B * L);
      const mask = new Uint32Array(B * L);
      seqs.forEach((s, b) => {
        for (let t = 0; t < L; t++) {
          ids[b * L + t] = BigInt(t < s.all.length ? s.all[t]! : this.tokenizer.padId);
          attn[b * L + t] = t < s.all.length ? 1n : 0n;
          pos[b * L + t] = BigInt(t);
          if (t + 1 < s.all.length) targets[b * L + t] = s.all[t + 1]!;
          if (t >= s.prompt - 1 && t + 1 < s.all.length) mask[b * L + t] = 1;
        }
      });
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', ids, [B, L]),
        attention_mask: new ort.Tensor('int64', attn, [B, L]),
        position_ids: new ort.Tensor('int64', pos, [B, L]),
      };
      const { layers, kvHeads, headDim } = this.shape;
      for (let l = 0; l < layers; l++) {
        feeds[`past_key_values.${l}.key`] = new ort.Tensor('float32', new Float32Array(0), [B, kvHeads, 0, headDim]);
        feeds[`past_key_values.${l}.value`] = new ort.Tensor('float32', new Float32Array(0), [B, kvHeads, 0, headDim]);
      }
      const tf = performance.now();
      const out = await this.session.run(feeds);
      if (opts.syncTiming) await this.device.queue.onSubmittedWorkDone();
      stats.forwardMs += performance.now() - tf;
      stats.forwardPasses++;
      stats.logitsBytes += B * L * V * 4;
      const tl = performance.now();
      let perSeq: { tokenLogps: ArrayLike<number>; sum: number; count: number }[];
      try {
        const logits = out.logits!;
        if (logits.location !== 'gpu-buffer') throw new Error(`logits came back on "${logits.location}", expected gpu-buffer`);
        const dims = logits.dims;
        if (dims[0] !== B || dims[1] !== L || dims[2] !== V) throw new Error(`logits dims [${dims.join(', ')}], expected [${B}, ${L}, ${V}]`);
        if (mode === 'gpu') {
          const r = await this.kernel.runBatch({ vocab: V, logits: logits.gpuBuffer as GPUBuffer, targets, mask, lengths: new Array<number>(B).fill(L) });
          perSeq = r.sequences;
          stats.kernelBytesRead += r.bytesRead;
          stats.bytesToCpu += B * L * 4 + B * 16;
        } else {
          const data = (await logits.getData()) as Float32Array;
          stats.bytesToCpu += data.byteLength;
          perSeq = seqs.map((_, b) => maskedLogprobs(data.subarray(b * L * V, (b + 1) * L * V), V, targets.subarray(b * L, (b + 1) * L), mask.subarray(b * L, (b + 1) * L)));
        }
      } finally {
        for (const t of Object.values(out)) t.dispose();
      }
      stats.logprobMs += performance.now() - tl;
      batch.forEach(({ pair, ids: tok }, j) => {
        const pick = (b: number, completion: number[]): CompletionLogprobs => {
          const r = perSeq[b]!;
          const from = tok.prompt.length - 1;
          const tokenLogps = Array.from({ length: completion.length }, (_, k) => Number(r.tokenLogps[from + k]));
          return { tokens: completion, tokenLogps, sum: r.sum, count: r.count };
        };
        results.push({ ...(pair.id !== undefined ? { id: pair.id } : {}), promptTokens: tok.prompt.length, chosen: pick(2 * j, tok.chosen), rejected: pick(2 * j + 1, tok.rejected) });
      });
    }
    stats.totalMs = performance.now() - t0;
    return { pairs: results, stats };
  }

  /** Release the session (the device belongs to ORT). */
  async dispose(): Promise<void> {
    this.kernel.destroy();
    await this.session.release();
  }
}
