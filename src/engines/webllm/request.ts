/**
 * The Engine contract mapped onto web-llm's raw completions API:
 * - the prompt is the model's own chat template applied with a generation prompt, plus the
 *   assistant prefix to continue (an MCTS node expands by continuing the path so far);
 * - n samples are n requests of one sample each, sample i seeded by (seed, i), so one sample
 *   drawn alone (firstIndex = i) is the same as sample i of a batch (web-llm runs n > 1
 *   sequentially anyway, each with its own prefill);
 * - log-probs always on, with up to 5 alternatives (web-llm's maximum; it reports nothing unless
 *   top_logprobs >= 1); repetition/frequency/presence penalties are turned off so samples follow
 *   the model's distribution rather than mlc-chat-config.json's chat defaults.
 * web-llm computes log-probs after temperature scaling: they are log-probs of the *sampling*
 * distribution (at temperature 1 they are the model's).
 */
import type { ChatCompletionTokenLogprob, Completion as WebLLMCompletion, CompletionCreateParamsBase, InitProgressReport } from '@mlc-ai/web-llm';
import { withDefaults, type ChatMessage, type Completion, type LoadProgress, type SampledToken, type TokenEvent } from '../../core/engine.js';
import { fnv1a } from '../../core/rng.js';

/** web-llm's largest `top_logprobs`. */
export const MAX_TOP_LOGPROBS = 5;

export type Request = ReturnType<typeof withDefaults>;

/** Seed of sample `index` of a request seeded `seed` (web-llm wants a non-negative integer). */
export function sampleSeed(seed: number, index: number): number {
  return fnv1a(`webllm:${seed}:${index}`) & 0x7fffffff;
}

/** Chat template with the generation prompt, plus the partial assistant message to continue. */
export function continuationPrompt(template: (messages: ChatMessage[]) => string, messages: ChatMessage[], prefix?: string): string {
  return template(messages) + (prefix ?? '');
}

/** The web-llm completions request for sample `index` of `req`. */
export function buildCompletionParams(req: Request, prompt: string, index: number, opts: { stream?: boolean } = {}): CompletionCreateParamsBase {
  if (req.topK > 0) throw new Error(`webllm engine: web-llm has no top-k sampling (topK ${req.topK}): use topP instead, or a model on the ort backend`);
  return {
    prompt,
    n: 1,
    temperature: req.temperature,
    top_p: req.topP,
    seed: sampleSeed(req.seed, index),
    max_tokens: req.maxTokens,
    ...(req.stop.length > 0 ? { stop: req.stop } : {}),
    logprobs: true,
    top_logprobs: Math.min(MAX_TOP_LOGPROBS, Math.max(1, req.topLogprobs)),
    repetition_penalty: 1,
    frequency_penalty: 0,
    presence_penalty: 0,
    ...(opts.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

export interface MapContext {
  /** Sample index (firstIndex + i). */
  index: number;
  stops: string[];
  /** Alternatives to report per token (the request's topLogprobs, at most 5). */
  topLogprobs: number;
  /** Token text → id (see TokenIds); -1 when unknown. */
  ids: (token: string) => number;
  /** Prompt length when web-llm's usage is missing. */
  promptTokens?: number;
}

/** web-llm's per-token log-probs as SampledTokens. */
export function mapLogprobs(content: ChatCompletionTokenLogprob[], ctx: Pick<MapContext, 'topLogprobs' | 'ids'>): SampledToken[] {
  const k = Math.min(ctx.topLogprobs, MAX_TOP_LOGPROBS);
  return content.map((t) => ({
    id: ctx.ids(t.token),
    token: t.token,
    logprob: t.logprob,
    top: (t.top_logprobs ?? []).slice(0, k).map((a) => ({ id: ctx.ids(a.token), token: a.token, logprob: a.logprob })),
  }));
}

/**
 * Why a sample ended. web-llm says "stop" for both a stop string and the end-of-sequence token and
 * cuts the stop string from the text; the generated tokens still spell it, which tells them apart.
 */
export function finishOf(reason: string | null | undefined, text: string, tokens: SampledToken[], stops: string[]): Pick<Completion, 'finishReason' | 'stop'> {
  if (reason === 'length') return { finishReason: 'length' };
  if (reason === 'abort') return { finishReason: 'abort' };
  if (stops.length === 0) return { finishReason: 'eos' };
  const joined = tokens.map((t) => t.token).join('');
  let rest: string;
  if (joined.startsWith(text)) rest = joined.slice(text.length);
  else {
    // Token-by-token text can differ from the whole (split UTF-8 characters): look at the tail.
    const tail = tokens.slice(-4).map((t) => t.token).join('');
    const s = stops.find((x) => tail.includes(x));
    return s !== undefined ? { finishReason: 'stop', stop: s } : { finishReason: tokens.length === 0 ? 'stop' : 'eos' };
  }
  const s = stops.filter((x) => rest.startsWith(x)).sort((a, b) => b.length - a.length)[0];
  return s !== undefined ? { finishReason: 'stop', stop: s } : { finishReason: 'eos' };
}

/** A web-llm completions response (one choice) as a Completion. */
export function mapCompletion(res: WebLLMCompletion, ctx: MapContext): Completion {
  const c = res.choices?.[0];
  if (!c) throw new Error(`webllm engine: the completion came back without a choice: ${JSON.stringify(res).slice(0, 200)}`);
  const logprobs = mapLogprobs(c.logprobs?.content ?? [], ctx);
  return { index: ctx.index, text: c.text, tokens: logprobs.map((t) => t.id), logprobs, ...finishOf(c.finish_reason,
    c.text, logprobs, ctx.stops), promptTokens: res.usage?.prompt_tokens ?? ctx.promptTokens ?? 0 };
}

/**
 * Accumulates a streamed completion (chunks of text plus the log-prob of the newest token),
 * reporting each token as it arrives. web-llm holds back a chunk that ends inside a UTF-8
 * character and sends the log-prob of the newest token only, so a token split mid-character can
 * miss its log-prob entry when streaming (the text is always whole); the non-streaming path is exact.
 */
export class StreamCollector {
  private text = '';
  private readonly logprobs: SampledToken[] = [];
  private reason: string | null = null;
  private promptTokens: number | undefined;

  constructor(
    private readonly ctx: MapContext,
    private readonly onToken?: (e: TokenEvent) => void,
  ) {}

  add(chunk: WebLLMCompletion): void {
    if (chunk.usage) this.promptTokens = chunk.usage.prompt_tokens;
    for (const c of chunk.choices ?? []) {
      this.text += c.text ?? '';
      const toks = mapLogprobs(c.logprobs?.content ?? [], this.ctx);
      for (const t of toks) {
        this.logprobs.push(t);
        this.onToken?.({ index: this.ctx.index, token: t, text: this.text });
      }
      if (c.finish_reason) this.reason = c.finish_reason;
    }
  }

  result(): Completion {
    return { index: this.ctx.index, text: this.text, tokens: this.logprobs.map((t) => t.id), logprobs: this.logprobs,
      ...finishOf(this.reason, this.text, this.logprobs, this.ctx.stops), promptTokens: this.promptTokens ?? this.ctx.promptTokens ?? 0 };
  }
}

/** web-llm's init progress as LoadProgress: weight download, then loading onto the GPU and compiling shaders. */
export function progressOf(r: InitProgressReport, file: string): LoadProgress {
  const mb = /(\d+(?:\.\d+)?)MB (?:fetched|loaded)/.exec(r.text);
  const loaded = mb ? Number(mb[1]) * 1024 * 1024 : undefined;
  const total = loaded !== undefined && r.progress > 0 ? Math.round(loaded / r.progress) : undefined;
  const sizes = { ...(loaded !== undefined ? { loaded } : {}), ...(total !== undefined ? { total } : {}) };
  if (/^(Fetching param cache|Start to fetch params)/.test(r.text)) return { phase: 'download', file, ...sizes };
  if (/^Loading model from cache/.test(r.text)) return { phase: 'init', file, ...sizes };
  return { phase: 'init' };
}
