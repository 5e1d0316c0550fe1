/**
 * The engine contract: every feature (search, scoring, Test@N, UI) talks to models through it,
 * whether the model runs in onnxruntime (Node or browser), web-llm, or an OpenAI-compatible server.
 */

/** One chat turn. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One alternative token with its log-probability. */
export interface TokenAlternative {
  id: number;
  token: string;
  logprob: number;
}

/** A sampled token: its log-probability under the model (temperature 1) and the top-k alternatives. */
export interface SampledToken extends TokenAlternative {
  top: TokenAlternative[];
}

/** Streamed while generating: one new token of sample `index`. */
export interface TokenEvent {
  index: number;
  token: SampledToken;
  /** Text of this sample so far. */
  text: string;
}

/** A generation request: chat messages, optionally continuing a partial assistant message. */
export interface GenerateRequest {
  messages: ChatMessage[];
  /**
   * Partial assistant message to continue (an MCTS node expands by continuing the path so far plus
   * its role prompt). The chat template is applied with a generation prompt and this is appended.
   */
  prefix?: string;
  /** Number of samples (run as one batch where the backend can). Default 1. */
  n?: number;
  /** 0 means greedy. Default 0.7. */
  temperature?: number;
  /** Nucleus sampling mass, default 1. */
  topP?: number;
  /** Keep only the k most likely tokens (0 = off), default 0. */
  topK?: number;
  /** Seed of the sampler; sample i uses the stream (seed, firstIndex + i), so batched = one-by-one. Default 0. */
  seed?: number;
  /** Index of the first sample (default 0): a call with n = 1 and firstIndex = i reproduces sample i of a batch. */
  firstIndex?: number;
  /** Maximum new tokens per sample. Default 256. */
  maxTokens?: number;
  /** Stop strings; the text is cut before the first one found (it is reported in `stop`). */
  stop?: string[];
  /** Number of top alternatives to report per sampled token (0 = none). */
  topLogprobs?: number;
  /** Called for each new token (streaming). */
  onToken?: (event: TokenEvent) => void;
}

/** Why a sample ended. */
export type FinishReason = 'stop' | 'eos' | 'length' | 'abort';

/** One generated sample. */
export interface Completion {
  index: number;
  text: string;
  /** Generated token ids (up to and including the stop/eos token). */
  tokens: number[];
  /** Per generated token: log-prob and top alternatives. */
  logprobs: SampledToken[];
  finishReason: FinishReason;
  /** The stop string that ended the sample, if any. */
  stop?: string;
  /** Tokens in the prompt (chat template + prefix). */
  promptTokens: number;
}

/** Teacher-forced scoring of completions that follow one prompt. */
export interface ScoreRequest {
  messages: ChatMessage[];
  prefix?: string;
  /** Completion texts (e.g. chosen and rejected of a DPO pair). */
  completions: string[];
  /** Token ids of the completions, used instead of tokenizing `completions` when given (same length). */
  completionIds?: number[][];
  /** When true, `mask` is 0 on the leading tokens all completions share (masking-based DPO). */
  maskCommonPrefix?: boolean;
}

/** Per-token log-probs of each completion. */
export interface ScoredSequence {
  tokens: number[];
  /** log p(token_t | prompt, tokens_<t), one per completion token. */
  logprobs: number[];
  /** 1 where the token counts, 0 where masked (shared prefix when asked for). */
  mask: number[];
  /** Sum of logprobs where mask is 1. */
  sum: number;
}

export interface SequenceScores {
  promptTokens: number;
  sequences: ScoredSequence[];
}

/** What an engine is and what it can do. */
export interface EngineInfo {
  id: string;
  backend: 'ort' | 'webllm' | 'openai';
  model: string;
  /** e.g. "cpu", "wasm", "webgpu", "http://127.0.0.1:8000". */
  device: string;
  can: { score: boolean; topLogprobs: number; batch: boolean; prefixCache: boolean };
}

/** The contract every backend implements. */
export interface Engine {
  readonly info: EngineInfo;
  /** n samples for one prompt. Rejects with an AbortError when `signal` aborts. */
  generate(req: GenerateRequest, signal?: AbortSignal): Promise<Completion[]>;
  /** Teacher-forced per-token log-probs (only where `info.can.score`). */
  score?(req: ScoreRequest, signal?: AbortSignal): Promise<SequenceScores>;
  /** Token ids of plain text (no special tokens added). */
  tokenize(text: string): Promise<number[]>;
  /**
   * The text of each token of `ids` and its place in their decoded text, in one call (token
   * labels without a `tokenize` round trip per piece). Optional: engines without a local
   * tokenizer leave it out and callers fall back to aligning by `tokenize`.
   */
  detokenize?(ids: number[]): Promise<TokenPiece[]>;
  dispose(): Promise<void>;
}

/** One token's text in the decoded text of a sequence: text = decoded.slice(start, end). */
export interface TokenPiece {
  id: number;
  text: string;
  start: number;
  end: number;
}

/**
 * Token pieces from a prefix decoder: token i gets the characters that decoding ids[0..i] adds to
 * decoding ids[0..i-1]. A token that ends inside a multi-byte character (the decoder then ends in
 * U+FFFD) gets '' and the token that completes the character gets all of it, so the pieces
 * always concatenate to the decoded text.
 */
export function piecesFromDecoder(ids: readonly number[], decode: (ids: number[]) => string): TokenPiece[] {
  const out: TokenPiece[] = [];
  let done = '';
  for (let i = 0; i < ids.length; i++) {
    const cur = decode(ids.slice(0, i + 1) as number[]);
    const stable = cur.endsWith('\uFFFD') && i < ids.length - 1 ? done : cur;
    const text = stable.startsWith(done) ? stable.slice(done.length) : '';
    out.push({ id: ids[i]!, text, start: done.length, end: done.length + text.length });
    if (stable.startsWith(done)) done = stable;
  }
  return out;
}

/** Progress of loading a model: one event per file chunk, then warm-up. */
export interface LoadProgress {
  phase: 'download' | 'init' | 'warmup' | 'ready';
  file?: string;
  loaded?: number;
  total?: number;
}

/** Defaults applied to a GenerateRequest. */
export function withDefaults(req: GenerateRequest): Required<Omit<GenerateRequest, 'onToken' | 'prefix'>> & Pick<GenerateRequest, 'onToken' | 'prefix'> {
  const n = req.n ?? 1;
  const r = {
    messages: req.messages,
    prefix: req.prefix,
    n,
    temperature: req.temperature ?? 0.7,
    topP: req.topP ?? 1,
    topK: req.topK ?? 0,
    seed: req.seed ?? 0,
    firstIndex: req.firstIndex ?? 0,
    maxTokens: req.maxTokens ?? 256,
    stop: req.stop ?? [],
    topLogprobs: req.topLogprobs ?? 0,
    onToken: req.onToken,
  };
  if (!Number.isInteger(r.n) || r.n < 1 || r.n > 256) throw new RangeError(`n must be an integer in 1..256, got ${req.n}`);
  if (!(r.temperature >= 0)) throw new RangeError(`temperature must be >= 0, got ${req.temperature}`);
  if (!(r.topP > 0 && r.topP <= 1)) throw new RangeError(`topP must be in (0, 1], got ${req.topP}`);
  if (!Number.isInteger(r.maxTokens) || r.maxTokens < 1) throw new RangeError(`maxTokens must be a positive integer, got ${req.maxTokens}`);
  if (!Number.isInteger(r.topLogprobs) || r.topLogprobs < 0 || r.topLogprobs > 20) throw new RangeError(`topLogprobs must be an integer in 0..20, got ${req.topLogprobs}`);
  return r;
}

/** The error thrown when a request is aborted (name "AbortError", like fetch). */
export function abortError(): Error {
  const e = new Error('the request was aborted');
  e.name = 'AbortError';
  return e;
}
