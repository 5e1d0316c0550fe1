/**
 * The onnxruntime engine: batched sampling (n samples = one batch), prefix KV reuse through a radix
 * trie cache (kv-cache.ts), and batched teacher-forced scoring. Runtime-agnostic: pass the `ort` namespace of
 * onnxruntime-node or onnxruntime-web and the model's files (see node.ts / web.ts).
 */
import type * as OrtTypes from 'onnxruntime-common';
import { abortError, piecesFromDecoder, withDefaults, type Completion, type TokenPiece, type Engine, type EngineInfo, type GenerateRequest, type SampledToken, type ScoreRequest, type SequenceScores } from '../../core/engine.js';
import { Rng } from '../../core/rng.js';
import { logSoftmax, sampleToken, topK } from '../../core/sampling.js';
import { scoreOnDevice } from './device-score.js';
import { PrefixKvCache, type KvCacheStats } from './kv-cache.js';
import { OrtRunner, shapeFromConfig, type BatchPast, type KvGeometry, type OrtNamespace, type OutputStore } from './runner.js';
import { ChatTokenizer } from './tokenizer.js';

/** Everything needed to build an engine: parsed JSON files and the ONNX bytes (or a path for Node). */
export interface OrtModelFiles {
  config: Record<string, unknown>;
  generationConfig: Record<string, unknown>;
  tokenizer: object;
  tokenizerConfig: Record<string, unknown>;
  onnx: Uint8Array | string;
}

export interface OrtEngineOptions {
  id: string;
  /** e.g. 'cpu' (Node), 'wasm' or 'webgpu' (browser). */
  device: string;
  sessionOptions?: OrtTypes.InferenceSession.SessionOptions;
  /**
   * Memory cap of the radix prefix KV cache in bytes (default 64 MiB; 0 disables the cache). On by
   * default because it pays on the CPU (bench/mcts.ts: MCTS expansions/s, cache on vs off).
   */
  cacheBytes?: number;
  /** Where outputs live (default: CPU typed arrays); the WebGPU loader passes a GPU store. */
  outputStore?: (g: KvGeometry) => Promise<OutputStore>;
  /** WebGPU session with CPU outputs: count all outputs as read back (benchmarks of the old path). */
  countsDeviceReads?: boolean;
}

export class OrtEngine implements Engine {
  readonly info: EngineInfo;
  readonly cache: PrefixKvCache<unknown>;

  private constructor(
    readonly runner: OrtRunner,
    readonly tokenizer: ChatTokenizer,
    opts: OrtEngineOptions,
  ) {
    this.info = { id: opts.id, backend: 'ort', model: opts.id, device: opts.device, can: { score: true, topLogprobs: 20, batch: true, prefixCache: (opts.cacheBytes ?? 1) > 0 } };
    // On WebGPU the cache's blocks are GPU buffers copied on the device (kv-blocks.ts).
    this.cache = new PrefixKvCache(runner.shape, opts.cacheBytes ?? 64 * 1024 * 1024, runner.store.blockOps());
  }

  /** Create the session and tokenizer from model files. */
  static async create(ort: OrtNamespace, files: OrtModelFiles, opts: OrtEngineOptions): Promise<OrtEngine> {
    const shape = shapeFromConfig(files.config);
    const tokenizer = new ChatTokenizer(files.tokenizer, files.tokenizerConfig, files.generationConfig);
    const session = typeof files.onnx === 'string' ? await ort.InferenceSession.create(files.onnx, opts.sessionOptions ?? {}) : await ort.InferenceSession.create(files.onnx, opts.sessionOptions ?? {});
    let store: OutputStore | undefined;
    if (opts.outputStore) {
      const probe = new OrtRunner(ort, session, shape); // reads KV dtype from the session metadata
      store = await opts.outputStore({ layers: shape.layers, kvHeads: shape.kvHeads, headDim: shape.headDim, type: probe.kvType });
    }
    return new OrtEngine(new OrtRunner(ort, session, shape, store ? () => store : undefined, opts.countsDeviceReads ?? false), tokenizer, opts);
  }

  async tokenize(text: string): Promise<number[]> {
    return this.tokenizer.encode(text);
  }

  async detokenize(ids: number[]): Promise<TokenPiece[]> {
    return piecesFromDecoder(ids, (x) => this.tokenizer.decode(x));
  }

  cacheStats(): KvCacheStats & { promptTokens: number; promptTokensReused: number } {
    return { ...this.cache.stats(), promptTokens: this.promptTokens, promptTokensReused: this.promptTokensReused };
  }

  private promptTokens = 0;
  private promptTokensReused = 0;

  /**
   * Past KV and next-token logits after `tokens` (batch 1), reusing the longest cached prefix and
   * storing the result. With `useCache` false everything is recomputed (for tests and benchmarks).
   */
  async prefill(tokens: number[], useCache = true): Promise<{ past: BatchPast; logits: Float32Array; reused: number }> {
    if (tokens.length === 0) throw new Error('prefill needs at least one token');
    const caching = useCache && this.info.can.prefixCache;
    const hit = caching ? this.cache.lookup(tokens) : null;
    this.promptTokens += tokens.length;
    this.promptTokensReused += hit ? hit.tokens.length : 0;
    // A hit's past is a fresh copy: the caller owns every past prefill returns and releases it.
    if (hit?.lastLogits) return { past: { batch: 1, len: tokens.length, data: hit.past }, logits: hit.lastLogits, reused: tokens.length };
    const start = hit ? hit.tokens.length : 0;
    const past: BatchPast = hit ? { batch: 1, len: start, data: hit.past } : this.runner.emptyPast(1);
    const rest = tokens.slice(start);
    const res = await this.runner.forward([rest], past, undefined, 'last').finally(() => this.runner.release(past));
    const logits = this.runner.logitsAt(res, 0, rest.length - 1);
    if (caching) this.cache.put(tokens, res.present, 0, logits);
    return { past: res.present, logits, reused: start };
  }

  /**
   * The past of `tokens` without reading any logits back (the kernel scoring path); cached
   * without logits, so a later prefill of the same tokens still runs their last one.
   */
  private async pastOnly(tokens: number[]): Promise<BatchPast> {
    const caching = this.info.can.prefixCache;
    const hit = caching ? this.cache.lookup(tokens) : null;
    this.promptTokens += tokens.length;
    this.promptTokensReused += hit ? hit.tokens.length : 0;
    if (hit && hit.tokens.length === tokens.length) return { batch: 1, len: tokens.length, data: hit.past };
    const past: BatchPast = hit ? { batch: 1, len: hit.tokens.length, data: hit.past } : this.runner.emptyPast(1);
    const res = await this.runner.forward([tokens.slice(past.len)], past, undefined, 'none').finally(() => this.runner.release(past));
    res.logitsTensor?.dispose();
    if (caching) this.cache.put(tokens, res.present, 0, null);
    return res.present;
  }

  async generate(request: GenerateRequest, signal?: AbortSignal): Promise<Completion[]> {
    const req = withDefaults(request);
    return this.generateIds(this.tokenizer.encode(this.tokenizer.prompt(req.messages, req.prefix ?? '')), request, signal);
  }

  /**
   * n samples continuing `promptIds` exactly (no chat template, no special tokens added): the
   * sampling loop behind `generate`, also used by `lab serve` for raw /v1/completions prompts.
   */
  async generateIds(promptIds: number[], request: Omit<GenerateRequest, 'messages' | 'prefix'>, signal?: AbortSignal): Promise<Completion[]> {
    const req = withDefaults({ ...request, messages: [] });
    if (promptIds.length === 0) throw new RangeError('the prompt is empty: it needs at least one token');
    // New tokens are capped by the context left after the prompt (an MCTS path is part of it).
    const room = this.runner.shape.context - promptIds.length;
    if (room < 1) throw new RangeError(`the prompt is ${promptIds.length} tokens and ${this.info.id} has a context of ${this.runner.shape.context}: shorten the prompt (or the search path) by at least ${1 - room} tokens`);
    const maxTokens = Math.min(req.maxTokens, room);
    if (signal?.aborted) throw abortError();
    const { past: past1, logits: first } = await this.prefill(promptIds);
    const n = req.n;
    const rngs = Array.from({ length: n }, (_, i) => new Rng(`${req.seed}:${req.firstIndex + i}`));
    const rows = Array.from({ length: n }, (_, i) => ({ index: req.firstIndex + i, tokens: [] as number[], logprobs: [] as SampledToken[], text: '', done: false, finish: 'length' as Completion['finishReason'], stop: undefined as string | undefined }));
    // `active[j]` is the row in batch slot j; finished rows leave the batch so they cost nothing.
    let active = rows.map((_, i) => i);
    let past = this.runner.repeat(past1, n);
    this.runner.release(past1);
    let logitRows: Float32Array[] = active.map(() => first);
    try {
      for (let step = 0; ; step++) {
        if (signal?.aborted) throw abortError();
        for (let j = 0; j < active.length; j++) {
          const row = rows[active[j]!]!;
          const lp = logSoftmax(logitRows[j]!);
          const id = sampleToken(lp, req, rngs[row.index - req.firstIndex]!);
          const top = req.topLogprobs > 0 ? topK(lp, req.topLogprobs).map((t) => ({ id: t, token: this.tokenizer.tokenText(t), logprob: lp[t]! })) : [];
          const tok: SampledToken = { id, token: this.tokenizer.tokenText(id), logprob: lp[id]!, top };
          row.tokens.push(id);
          row.logprobs.push(tok);
          if (this.tokenizer.stopIds.has(id)) {
            row.done = true;
            row.finish = 'eos';
          } else if (req.stop.length > 0 || req.onToken) {
            // Text is needed only for stop strings and streaming; otherwise decode once at the end.
            row.text = this.tokenizer.decode(row.tokens);
            const hit = firstStop(row.text, req.stop);
            if (hit) {
              row.text = row.text.slice(0, hit.at);
              row.stop = hit.stop;
              row.done = true;
              row.finish = 'stop';
            }
          }
          if (!row.done && row.tokens.length >= maxTokens) row.done = true; // finish stays 'length'
          req.onToken?.({ index: row.index, token: tok, text: row.text });
        }
        // Rows that finished now: keep their KV (prompt + all their tokens but the last, which was
        // never fed) so children continuing from them skip those tokens; the logits the last token
        // was sampled from are the logits after that prefix.
        const keep: number[] = [];
        active.forEach((r, j) => {
          const row = rows[r]!;
          if (!row.done) {
            keep.push(j);
          } else if (this.info.can.prefixCache && step > 0) {
            // Only the positions the trie lacks are copied out of the batch (row j).
            this.cache.put([...promptIds, ...row.tokens.slice(0, -1)], past, j, logitRows[j]!);
          }
        });
        if (keep.length === 0) break;
        if (keep.length < active.length) {
          const all = past;
          past = this.runner.select(all, keep);
          this.runner.release(all);
          active = keep.map((j) => active[j]!);
        }
        const res = await this.runner.forward(active.map((r) => [rows[r]!.tokens[rows[r]!.tokens.length - 1]!]), past, undefined, 'last');
        this.runner.release(past);
        past = res.present;
        logitRows = active.map((_, j) => this.runner.logitsAt(res, j, 0));
      }
    } finally {
      this.runner.release(past);
    }
    for (const r of rows) if (r.finish !== 'stop') r.text = this.tokenizer.decode(r.tokens);
    return rows.map((r) => ({ index: r.index, text: r.text, tokens: r.tokens, logprobs: r.logprobs, finishReason: r.finish, ...(r.stop ? { stop: r.stop } : {}), promptTokens: promptIds.length }));
  }

  async score(req: ScoreRequest, signal?: AbortSignal): Promise<SequenceScores> {
    if (req.completions.length === 0) throw new Error('score: "completions" is empty');
    const promptIds = this.tokenizer.encode(this.tokenizer.prompt(req.messages, req.prefix ?? ''));
    // On WebGPU with float32 logits the WGSL kernel scores in place (device-score.ts).
    if (this.runner.store.onDevice && this.runner.logitsType === 'float32') return this.scoreWithKernel(req, promptIds, signal);
    const { past: past1, logits: first } = await this.prefill(promptIds);
    try {
      return await this.scoreAfter(req, promptIds, past1, first, signal);
    } finally {
      this.runner.release(past1);
    }
  }

  /** Completion token ids of a score request, checked against the context. */
  private scoreTokens(req: ScoreRequest, promptIds: number[]): number[][] {
    if (req.completionIds && req.completionIds.length !== req.completions.length) throw new Error('score: "completionIds" must have one row per completion');
    const toks = req.completionIds ?? req.completions.map((c) => this.tokenizer.encode(c));
    toks.forEach((t, i) => {
      if (t.length === 0) throw new Error(`score: completion ${i} is empty`);
    });
    const over = toks.findIndex((t) => promptIds.length + t.length > this.runner.shape.context);
    if (over >= 0) throw new RangeError(`score: prompt (${promptIds.length} tokens) + completion ${over} (${toks[over]!.length} tokens) exceed ${this.info.id}'s context of ${this.runner.shape.context}`);
    return toks;
  }

  private async scoreWithKernel(req: ScoreRequest, promptIds: number[], signal?: AbortSignal): Promise<SequenceScores> {
    const toks = this.scoreTokens(req, promptIds);
    const shared = req.maskCommonPrefix ? commonPrefixLength(toks) : 0;
    if (promptIds.length === 1) return scoreOnDevice(this.runner, this.runner.emptyPast(1), promptIds, toks, shared, this.tokenizer.padId);
    const head = await this.pastOnly(promptIds.slice(0, -1));
    try {
      if (signal?.aborted) throw abortError();
      return await scoreOnDevice(this.runner, head, promptIds, toks, shared, this.tokenizer.padId);
    } finally {
      this.runner.release(head);
    }
  }

  private async scoreAfter(req: ScoreRequest, promptIds: number[], past1: BatchPast, first: Float32Array, signal?: AbortSignal): Promise<SequenceScores> {
    if (signal?.aborted) throw abortError();
    const toks = this.scoreTokens(req, promptIds);
    const m = toks.length;
    const T = Math.max(1, ...toks.map((t) => t.length));
    const ids = toks.map((t) => [...t, ...new Array<number>(T - t.length).fill(this.tokenizer.padId)]);
    const mask = toks.map((t) => [...new Array<number>(promptIds.length).fill(1), ...Array.from({ length: T }, (_, j) => (j < t.length ? 1 : 0))]);
    const rep = this.runner.repeat(past1, m);
    const res = await this.runner.forward(ids, rep, mask).finally(() => this.runner.release(rep));
    this.runner.release(res.present);
    const firstLp = logSoftmax(first);
    const shared = req.maskCommonPrefix ? commonPrefixLength(toks) : 0;
    const sequences = toks.map((t, b) => {
      const logprobs = t.map((id, j) => (j === 0 ? firstLp[id]! : logSoftmax(this.runner.logitsAt(res, b, j - 1))[id]!));
      const maskRow = t.map((_, j) => (j < shared ? 0 : 1));
      const sum = logprobs.reduce((a, lp, j) => a + (maskRow[j] ? lp : 0), 0);
      return { tokens: t, logprobs, mask: maskRow, sum };
    });
    return { promptTokens: promptIds.length, sequences };
  }

  async dispose(): Promise<void> {
    this.cache.clear();
    await this.runner.session.release();
  }
}

/** Earliest stop string in `text`. */
export function firstStop(text: string, stops: string[]): { at: number; stop: string } | null {
  let best: { at: number; stop: string } | null = null;
  for (const s of stops) {
    if (!s) continue;
    const at = text.indexOf(s);
    if (at >= 0 && (!best || at < best.at)) best = { at, stop: s };
  }
  return best;
}

/** Number of leading tokens shared by all sequences. */
export function commonPrefixLength(seqs: number[][]): number {
  if (seqs.length < 2) return 0;
  let k = 0;
  for (;;) {
    const v = seqs[0]![k];
    if (v === undefined || seqs.some((s) => s[k] !== v)) return k;
    k++;
  }
}
