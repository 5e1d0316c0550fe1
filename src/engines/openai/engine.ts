/**
 * The `openai` engine: the Engine contract over any OpenAI-compatible HTTP server (vLLM, llama.cpp
 * server, Ollama, `lab serve`).
 *
 * - generate: /v1/chat/completions; with a `prefix` (continue a partial assistant message) it goes
 *   through /v1/completions with the prompt built by the caller's `chatTemplate`. Log-probs map to
 *   SampledToken with `id` -1 (servers give token strings; vLLM's "token_id:N" form is parsed).
 *   n runs as one request where the server honours `n`, else as n requests. A request for the
 *   samples from index f on carries `seed` when f = 0 and a hash of (seed, f) otherwise, so
 *   one-by-one calls (firstIndex = i) differ from each other; unlike the ort engine, a sample drawn
 *   alone does not reproduce the same sample of a batch (with firstIndex 0, `lab serve` answers
 *   exactly what the ort engine would). Streams (SSE) when `onToken` is given.
 * - score: teacher-forced log-probs through /v1/completions with `echo: true, logprobs: 1` and 0-1
 *   new tokens. With a /tokenize endpoint (vLLM, llama.cpp, lab serve) the prompt and each
 *   completion are tokenized apart and sent as token ids, exactly as the ort engine scores. Without
 *   one, prompt + completion go as text, which the server tokenizes jointly: a token that spans the
 *   boundary would make the slice wrong, so that case is detected and refused.
 * - probe(): asks the server what it supports and sets `info.can`.
 * The API key lives in a private field: never logged, never in `info`, a URL or an error.
 */
import { withDefaults, type ChatMessage, type Completion, type Engine, type EngineInfo, type GenerateRequest, type SampledToken, type ScoreRequest, type SequenceScores } from '../../core/engine.js';
import { fnv1a } from '../../core/rng.js';
import { HttpClient, OpenAIEngineError } from './http.js';
import type { ChatLogprob, ChatResponse, ChoiceEnd, CompletionResponse, LegacyLogprobs, ModelList } from './protocol.js';

export { OpenAIEngineError } from './http.js';

/** Options of {@link OpenAIEngine}. */
export interface OpenAIEngineOptions {
  /** e.g. http://127.0.0.1:8000/v1 ("/v1" is added when missing). */
  baseUrl: string;
  /** The model name the server knows (its /v1/models id). */
  model: string;
  /** Bearer token; kept in memory only. */
  apiKey?: string;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Per request attempt, in ms (default 60 000); for streams, the longest silence between events. */
  timeoutMs?: number;
  /** Retries on 429, 5xx and network errors, with exponential backoff (default 2). */
  retries?: number;
  /** First backoff in ms, doubled per retry (default 500). */
  backoffMs?: number;
  /**
   * The served model's chat template with the generation prompt, as text. Needed to continue a
   * partial assistant message (`prefix`) and to score; e.g. `(m) => ortEngine.tokenizer.prompt(m)`.
   */
  chatTemplate?: (messages: ChatMessage[]) => string;
  /** How score() builds prompts: 'ids' (needs /tokenize), 'text' (joint tokenization), 'auto' (ids when possible). */
  scoreMode?: 'auto' | 'ids' | 'text';
  /** New tokens asked for when scoring (default 1: vLLM rejects 0; `lab serve` accepts 0). */
  scoreMaxTokens?: 0 | 1;
  /** Extra fields merged into every generation/scoring body (e.g. vLLM's add_special_tokens). */
  extraBody?: Record<string, unknown>;
  /** `info.id` (default: the model name). */
  id?: string;
}

/** What {@link OpenAIEngine.probe} found out. */
export interface ProbeResult {
  /** Model ids from /v1/models, or null when the server has no such list. */
  models: string[] | null;
  chat: boolean;
  completions: boolean;
  /** /v1/completions returns prompt log-probs with `echo: true` (needed by score). */
  echoLogprobs: boolean;
  /** The server has a /tokenize endpoint. */
  tokenize: boolean;
  /** The server honours `n` > 1 in one request. */
  batch: boolean;
  /** Per-token log-probs come back. */
  logprobs: boolean;
  /** Most top alternatives per token it reports (0 when none). */
  topLogprobs: number;
}

interface Caps {
  chat: boolean;
  completions: boolean;
  logprobs: boolean;
  /** undefined = not known yet (tried, and remembered, on first use). */
  tokenize: boolean | undefined;
}

export class OpenAIEngine implements Engine {
  readonly info: EngineInfo;
  /** The API root, e.g. http://127.0.0.1:8000/v1. */
  readonly apiUrl: string;
  private readonly rootUrl: string;
  private readonly http: HttpClient;
  private readonly caps: Caps = { chat: true, completions: true, logprobs: true, tokenize: undefined };
  private readonly opts: Omit<OpenAIEngineOptions, 'apiKey'>;

  constructor(options: OpenAIEngineOptions) {
    const { apiKey, ...opts } = options;
    const { api, root } = normalizeBaseUrl(opts.baseUrl);
    if (!opts.model) throw new Error('openai engine: a model name is required (the id the server lists at /v1/models)');
    const int = (name: string, v: number | undefined, dflt: number, min: number) => {
      if (v === undefined) return dflt;
      if (!Number.isInteger(v) || v < min) throw new RangeError(`openai engine: ${name} must be an integer >= ${min}, got ${v}`);
      return v;
    };
    this.apiUrl = api;
    this.rootUrl = root;
    this.opts = opts;
    this.http = new HttpClient({ ...(apiKey ? { apiKey } : {}), concurrency: int('concurrency', opts.concurrency, 4, 1), timeoutMs: int('timeoutMs', opts.timeoutMs, 60_000, 1), retries: int('retries', opts.retries, 2, 0), backoffMs: int('backoffMs', opts.backoffMs, 500, 0) });
    this.info = { id: opts.id ?? opts.model, backend: 'openai', model: opts.model, device: api, can: { score: !!opts.chatTemplate, topLogprobs: 20, batch: true, prefixCache: false } };
  }

  /** Ask the server what it supports (models, chat, completions, echo log-probs, /tokenize, n) and set `info.can`. */
  async probe(signal?: AbortSignal): Promise<ProbeResult> {
    const r: ProbeResult = { models: null, chat: false, completions: false, echoLogprobs: false, tokenize: false, batch: false, logprobs: false, topLogprobs: 0 };
    const missing = (e: unknown) => e instanceof OpenAIEngineError && e.kind === 'http' && (e.status === 404 || e.status === 405 || e.status === 501);
    const refused = (e: unknown) => e instanceof OpenAIEngineError && e.kind === 'http' && (e.status === 400 || e.status === 422 || missing(e));
    try {
      r.models = ((await this.http.request(`${this.apiUrl}/models`, undefined, signal)) as ModelList).data.map((m) => m.id);
    } catch (e) {
      if (!missing(e)) throw e;
    }
    if (r.models && !r.models.includes(this.info.model)) throw new Error(`openai engine: ${this.apiUrl} does not serve "${this.info.model}": it serves ${r.models.map((m) => `"${m}"`).join(', ') || 'nothing'}; pass one of them as the model`);
    const model = this.info.model;
    const messages = [{ role: 'user', content: 'Hi' }];
    try {
      const res = (await this.http.request(`${this.apiUrl}/chat/completions`, { model, messages, max_tokens: 1, n: 2, temperature: 1, seed: 0, logprobs: true, top_logprobs: 2 }, signal)) as ChatResponse;
      const content = res.choices[0]?.logprobs?.content;
      r.chat = true;
      r.batch = res.choices.length >= 2;
      r.logprobs = !!content?.length;
      r.topLogprobs = (content?.[0]?.top_logprobs?.length ?? 0) >= 2 ? 20 : 0;
    } catch (e) {
      if (!refused(e)) throw e;
      if (!missing(e)) {
        // Rejected the options (n, logprobs): try the plainest request.
        try {
          await this.http.request(`${this.apiUrl}/chat/completions`, { model, messages, max_tokens: 1 }, signal);
          r.chat = true;
        } catch (e2) {
          if (!refused(e2)) throw e2;
        }
      }
    }
    const maxTokens = this.opts.scoreMaxTokens ?? 1;
    try {
      const res = (await this.http.request(`${this.apiUrl}/completions`, { model, prompt: 'Hi', max_tokens: maxTokens, echo: true, logprobs: 1, temperature: 0 }, signal)) as CompletionResponse;
      const c = res.choices[0];
      r.completions = true;
      r.echoLogprobs = !!c?.logprobs && c.logprobs.token_logprobs[0] === null && c.logprobs.token_logprobs.length > maxTokens;
      if (!r.chat) {
        r.logprobs = !!c?.logprobs?.token_logprobs.length;
        r.topLogprobs = c?.logprobs?.top_logprobs?.some((t) => t && Object.keys(t).length > 0) ? 5 : 0;
      }
    } catch (e) {
      if (!refused(e)) throw e;
      if (!missing(e)) {
        try {
          await this.http.request(`${this.apiUrl}/completions`, { model, prompt: 'Hi', max_tokens: 1 }, signal);
          r.completions = true;
        } catch (e2) {
          if (!refused(e2)) throw e2;
        }
      }
    }
    if (!r.chat && !r.completions) throw new Error(`openai engine: ${this.apiUrl} answers neither /chat/completions nor /completions for "${model}": is it an OpenAI-compatible server? check --base-url`);
    try {
      r.tokenize = (await this.tokenize('Hi', signal)).length > 0;
    } catch (e) {
      if (!refused(e)) throw e;
    }
    Object.assign(this.caps, { chat: r.chat, completions: r.completions, logprobs: r.logprobs, tokenize: r.tokenize });
    this.info.can = { score: r.completions && r.echoLogprobs && !!this.opts.chatTemplate, topLogprobs: r.topLogprobs, batch: r.batch, prefixCache: false };
    return r;
  }

  async generate(request: GenerateRequest, signal?: AbortSignal): Promise<Completion[]> {
    const req = withDefaults(request);
    const raw = !!req.prefix || !this.caps.chat;
    if (raw && !this.opts.chatTemplate) {
      throw new Error(req.prefix ? 'openai engine: continuing a partial assistant message (prefix) needs the served model\'s chat template: pass chatTemplate (CLI: --chat-template ID|DIR)' : `openai engine: ${this.apiUrl} has no /chat/completions, so generating needs the chat template: pass chatTemplate (CLI: --chat-template ID|DIR)`);
    }
    const prompt = raw ? this.opts.chatTemplate!(req.messages) + (req.prefix ?? '') : null;
    const run = (first: number, n: number) => this.sample(req, prompt, first, n, signal);
    const out = this.info.can.batch ? await run(req.firstIndex, req.n) : (await Promise.all(Array.from({ length: req.n }, (_, i) => run(req.firstIndex + i, 1)))).flat();
    // A server that ignores n (Ollama) answers one choice: draw the rest one by one.
    const got = new Set(out.map((c) => c.index));
    const lacking = Array.from({ length: req.n }, (_, i) => req.firstIndex + i).filter((i) => !got.has(i));
    if (lacking.length > 0) {
      this.info.can.batch = false;
      out.push(...(await Promise.all(lacking.map((i) => run(i, 1)))).flat());
    }
    return out.filter((c) => c.index < req.firstIndex + req.n).sort((a, b) => a.index - b.index);
  }

  /** One request for samples first..first+n-1 (chat, or completions when `prompt` is given). */
  private async sample(req: ReturnType<typeof withDefaults>, prompt: string | null, first: number, n: number, signal?: AbortSignal): Promise<Completion[]> {
    const chat = prompt === null;
    const lp = this.caps.logprobs;
    const body: Record<string, unknown> = {
      model: this.info.model,
      ...(chat ? { messages: req.messages } : { prompt }),
      n,
      temperature: req.temperature,
      top_p: req.topP,
      seed: first === 0 ? req.seed : fnv1a(`${req.seed}:${first}`) & 0x7fffffff,
      max_tokens: req.maxTokens,
      ...(req.stop.length > 0 ? { stop: req.stop } : {}),
      ...(req.topK > 0 ? { top_k: req.topK } : {}),
      ...(lp ? (chat ? { logprobs: true, ...(req.topLogprobs > 0 ? { top_logprobs: req.topLogprobs } : {}) } : { logprobs: req.topLogprobs }) : {}),
      ...(req.onToken ? { stream: true, stream_options: { include_usage: true } } : {}),
      ...this.opts.extraBody,
    };
    const url = `${this.apiUrl}/${chat ? 'chat/completions' : 'completions'}`;
    const k = req.topLogprobs;
    if (!req.onToken) {
      const res = (await this.http.request(url, body, signal)) as ChatResponse | CompletionResponse;
      if (!Array.isArray(res?.choices)) throw new OpenAIEngineError(`openai engine: ${url} answered without "choices": ${JSON.stringify(res).slice(0, 200)}`, 'protocol');
      const promptTokens = res.usage?.prompt_tokens ?? 0;
      return res.choices.map((c) => {
        const text = 'message' in c ? (c.message?.content ?? '') : c.text;
        const logprobs = 'message' in c ? chatTokens(c.logprobs?.content ?? null, k) : legacyTokens(c.logprobs, k);
        return { index: first + c.index, text, tokens: logprobs.map((t) => t.id), logprobs, ...finish(c, req.stop), promptTokens };
      });
    }
    // Streaming: accumulate each choice, reporting tokens as they arrive.
    const rows = new Map<number, { text: string; logprobs: SampledToken[]; end: ChoiceEnd }>();
    let promptTokens = 0;
    const onToken = req.onToken;
    await this.http.request(url, body, signal, (data) => {
      const chunk = data as { usage?: { prompt_tokens: number } | null; choices?: StreamChoice[] };
      if (chunk.usage) promptTokens = chunk.usage.prompt_tokens;
      for (const c of chunk.choices ?? []) {
        const row = rows.get(c.index) ?? { text: '', logprobs: [], end: { finish_reason: null } };
        rows.set(c.index, row);
        const delta = chat ? (c.delta?.content ?? c.message?.content ?? '') : (c.text ?? '');
        const toks = chat ? chatTokens((c.logprobs as { content?: ChatLogprob[] | null } | null | undefined)?.content ?? null,
          k) : legacyTokens((c.logprobs as LegacyLogprobs | null | undefined) ?? null, k);
        row.text += delta;
        for (const t of toks) {
          row.logprobs.push(t);
          onToken({ index: first + c.index, token: t, text: row.text });
        }
        // A server that sends no log-probs still streams: one event per text piece (id -1, log-prob NaN).
        // Text without a token after tokens came (held-back text flushed at the end) is no new token.
        if (toks.length === 0 && delta && row.logprobs.length === 0) onToken({ index: first + c.index, token: { id: -1, token: delta, logprob: NaN, top: [] }, text: row.text });
        if (c.finish_reason) row.end = c;
      }
    });
    return [...rows.entries()].map(([i, r]) => ({ index: first + i, text: r.text, tokens: r.logprobs.map((t) => t.id), logprobs: r.logprobs, ...finish(r.end, req.stop), promptTokens }));
  }

  async score(req: ScoreRequest, signal?: AbortSignal): Promise<SequenceScores> {
    if (!this.opts.chatTemplate) throw new Error('openai engine: scoring needs the served model\'s chat template: pass chatTemplate (CLI: --chat-template ID|DIR)');
    if (req.completions.length === 0) throw new Error('score: "completions" is empty');
    if (req.completionIds && req.completionIds.length !== req.completions.length) throw new Error('score: "completionIds" must have one row per completion');
    const promptText = this.opts.chatTemplate(req.messages) + (req.prefix ?? '');
    let mode = this.opts.scoreMode ?? 'auto';
    if (mode === 'auto') mode = this.caps.tokenize === false ? 'text' : 'ids';
    let promptIds: number[] | null = null;
    if (mode === 'ids') {
      try {
        promptIds = await this.tokenize(promptText, signal);
      } catch (e) {
        if (this.opts.scoreMode === 'ids' || this.caps.tokenize !== false) throw e;
      }
    }
    if (!promptIds) {
      if (req.completionIds) throw new Error(`openai engine: scoring token ids (completionIds) needs a server with /tokenize (vLLM, llama.cpp server, lab serve): ${this.rootUrl} has none`);
      return this.scoreText(promptText, req, signal);
    }
    const P = promptIds;
    const toks = req.completionIds ?? (await Promise.all(req.completions.map((c) => this.tokenize(c, signal))));
    toks.forEach((t, i) => {
      if (t.length === 0) throw new Error(`score: completion ${i} is empty`);
    });
    const echoes = await Promise.all(toks.map((t) => this.echo([...P, ...t], signal)));
    const rows = toks.map((t, i) => {
      const lps = echoes[i]!.logprobs.token_logprobs.slice(P.length, P.length + t.length);
      if (lps.length !== t.length || lps.some((x) => typeof x !== 'number')) throw this.noEcho(P.length + t.length, echoes[i]!.logprobs.token_logprobs.length);
      return { tokens: t, logprobs: lps as number[] };
    });
    return { promptTokens: P.length, sequences: withMask(rows, toks, !!req.maskCommonPrefix) };
  }

  /** Scoring through text prompts (no /tokenize): prompt alone, then prompt + each completion. */
  private async scoreText(promptText: string, req: ScoreRequest, signal?: AbortSignal): Promise<SequenceScores> {
    const [base, ...echoes] = await Promise.all([this.echo(promptText, signal), ...req.completions.map((c) => this.echo(promptText + c, signal))]);
    const P = base!.promptTokens;
    const baseToks = base!.logprobs.tokens.slice(0, P);
    const rows = echoes.map((e, i) => {
      if (e.logprobs.token_logprobs.length < e.promptTokens) throw this.noEcho(e.promptTokens, e.logprobs.token_logprobs.length);
      if (e.promptTokens <= P) throw new Error(`score: completion ${i} is empty (it adds no tokens to the prompt)`);
      if (baseToks.some((t, j) => e.logprobs.tokens[j] !== t))
        throw new Error(`openai engine: the server tokenized prompt + completion ${i} differently from the prompt alone (a token spans the boundary), so its log-probs cannot be cut out: use a server with /tokenize (vLLM, llama.cpp server, lab serve) for exact scoring`);
      const strs = e.logprobs.tokens.slice(P, e.promptTokens);
      return { tokens: strs.map(tokenId), logprobs: e.logprobs.token_logprobs.slice(P, e.promptTokens) as number[], strs };
    });
    const keys = rows.map((r) => r.strs);
    return { promptTokens: P, sequences: withMask(rows, keys, !!req.maskCommonPrefix) };
  }

  /** Prompt log-probs of `prompt` (text or ids) via echo; `promptTokens` from usage or the echo length. */
  private async echo(prompt: string | number[], signal?: AbortSignal): Promise<{ logprobs: LegacyLogprobs; promptTokens: number }> {
    const maxTokens = this.opts.scoreMaxTokens ?? 1;
    const url = `${this.apiUrl}/completions`;
    const res = (await this.http.request(url, { model: this.info.model, prompt, echo: true, max_tokens: maxTokens,
      logprobs: 1, temperature: 0, ...this.opts.extraBody }, signal)) as CompletionResponse;
    const lp = res?.choices?.[0]?.logprobs;
    if (!lp || !Array.isArray(lp.token_logprobs)) throw this.noEcho(Array.isArray(prompt) ? prompt.length : 1, 0);
    return { logprobs: lp, promptTokens: Array.isArray(prompt) ? prompt.length : (res.usage?.prompt_tokens ?? lp.token_logprobs.length - maxTokens) };
  }

  private noEcho(want: number, got: number): Error {
    return new OpenAIEngineError(`openai engine: ${this.apiUrl}/completions gave ${got} log-probs with echo for a prompt of ${want} tokens: the server does not return prompt log-probs (echo: true with logprobs), which scoring needs (vLLM and lab serve do)`, 'protocol');
  }

  /** Token ids through the server's /tokenize (vLLM, llama.cpp server, lab serve); no special tokens added. */
  async tokenize(text: string, signal?: AbortSignal): Promise<number[]> {
    const url = `${this.rootUrl}/tokenize`;
    try {
      const res = (await this.http.request(url, { model: this.info.model, prompt: text, content: text,
        add_special_tokens: false, add_special: false }, signal)) as { tokens?: (number | { id: number })[] };
      if (!Array.isArray(res?.tokens)) throw new OpenAIEngineError(`openai engine: ${url} answered without "tokens"`, 'protocol');
      this.caps.tokenize = true;
      return res.tokens.map((t) => (typeof t === 'number' ? t : t.id));
    } catch (e) {
      if (e instanceof OpenAIEngineError && e.kind === 'http' && (e.status === 404 || e.status === 405)) {
        this.caps.tokenize = false;
        throw new OpenAIEngineError(`${e.message}: this server has no /tokenize endpoint (vLLM, llama.cpp server and lab serve have one)`, 'http', e.status);
      }
      throw e;
    }
  }

  async dispose(): Promise<void> {
    this.http.abortAll();
  }
}

/** The API root (".../v1") and the server root (for /tokenize) of a base URL. */
export function normalizeBaseUrl(baseUrl: string): { api: string; root: string } {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    throw new Error(`openai engine: base URL "${baseUrl}" is not a URL: use e.g. http://127.0.0.1:8000/v1`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`openai engine: the base URL must be http:// or https://, got ${u.protocol}`);
  if (u.username || u.password) throw new Error('openai engine: the base URL must not carry credentials: pass the API key separately (CLI: the OPENAI_API_KEY environment variable)');
  if (u.search || u.hash) throw new Error('openai engine: the base URL must not have a query or fragment: use e.g. http://127.0.0.1:8000/v1');
  const path = u.pathname.replace(/\/+$/, '');
  const api = `${u.origin}${/\/v1$/.test(path) ? path : `${path}/v1`}`;
  return { api, root: api.replace(/\/v1$/, '') };
}

/** One choice of a streamed chunk, chat or legacy (some servers send whole messages). */
type StreamChoice = ChoiceEnd & { index: number; delta?: { content?: string | null }; message?: { content?: string | null }; text?: string; logprobs?: unknown };

/** The Completion end of a choice. `finish_reason` "stop" is a stop string or end-of-sequence: vLLM's `stop_reason` tells which; without it, a request with stop strings counts it as 'stop'. */
function finish(c: ChoiceEnd, stops: string[]): Pick<Completion, 'finishReason' | 'stop'> {
  if (c.finish_reason !== 'stop') return { finishReason: 'length' };
  if (c.stop_reason !== undefined) return typeof c.stop_reason === 'string' && c.stop_reason ? { finishReason: 'stop', stop: c.stop_reason } : { finishReason: 'eos' };
  return { finishReason: stops.length > 0 ? 'stop' : 'eos' };
}

/** A token string's id when the server wrote it as vLLM's "token_id:N", else -1. */
function tokenId(token: string): number {
  const m = /^token_id:(\d+)$/.exec(token);
  return m ? Number(m[1]) : -1;
}

function chatTokens(content: ChatLogprob[] | null, k: number): SampledToken[] {
  return (content ?? []).map((t) => ({ id: tokenId(t.token), token: t.token, logprob: t.logprob, top: (t.top_logprobs ?? []).slice(0,
    k).map((a) => ({ id: tokenId(a.token), token: a.token, logprob: a.logprob })) }));
}

function legacyTokens(lp: LegacyLogprobs | null, k: number): SampledToken[] {
  if (!lp) return [];
  return lp.tokens.map((t, i) => ({
    id: tokenId(t),
    token: t,
    logprob: lp.token_logprobs[i] ?? NaN,
    top: Object.entries(lp.top_logprobs?.[i] ?? {})
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([tok, l]) => ({ id: tokenId(tok), token: tok, logprob: l })),
  }));
}

/** Rows with their mask (0 on the leading tokens all share, when asked) and masked sum. */
function withMask(rows: { tokens: number[]; logprobs: number[] }[], keys: (number | string)[][], maskCommon: boolean): SequenceScores['sequences'] {
  let shared = 0;
  if (maskCommon && keys.length >= 2) {
    while (keys[0]![shared] !== undefined && keys.every((k) => k[shared] === keys[0]![shared])) shared++;
  }
  return rows.map((r) => {
    const mask = r.logprobs.map((_, j) => (j < shared ? 0 : 1));
    return { tokens: r.tokens, logprobs: r.logprobs, mask, sum: r.logprobs.reduce((a, lp, j) => a + (mask[j] ? lp : 0), 0) };
  });
}
