/**
 * `lab serve`: an OpenAI-compatible HTTP server (node:http, no dependencies) for an embedded model
 * on the ort engine, so any OpenAI client — or the lab's own `openai` engine — can use it.
 *
 *   GET  /v1/models, /v1/models/{id}, /health
 *   POST /v1/chat/completions  messages, n, temperature, top_p, top_k, seed, max_tokens, stop,
 *                              logprobs + top_logprobs, stream (SSE, `data: [DONE]`)
 *   POST /v1/completions       prompt = raw text with the chat template already applied (or token
 *                              ids); n, temperature, top_p, top_k, seed, max_tokens (0 allowed),
 *                              stop, logprobs (int, legacy format), echo, prompt_logprobs (vLLM)
 *   POST /tokenize             {"prompt": TEXT} → {"tokens": [...], "count": N} (vLLM-style)
 *
 * Bad requests answer 400 with `{error: {message, type, param, code}}` naming the field; an
 * unknown model answers 404. Requests run one at a time (each one batched inside); a client that
 * disconnects aborts its generation. Sample i of a request with seed s uses the ort engine's stream
 * (s, i), so the same request gives the same answer as `engine.generate` in-process.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { abortError, type ChatMessage, type Completion, type SampledToken } from '../core/engine.js';
import { generateFromIds, promptLogprobs, type PromptTokenLogprob } from '../engines/openai/ort-raw.js';
import { utf8Bytes, type ChatLogprob, type ErrorBody, type LegacyLogprobs, type PromptLogprobs, type Usage } from '../engines/openai/protocol.js';
import type { OrtEngine } from '../engines/ort/engine.js';
import { loadNodeEngine } from '../engines/ort/node.js';
import { num, parse, UsageError } from './args.js';
import { corsPolicy, parseCorsOrigin } from './cors.js';

/** `--cors-origin` values (repeated and/or comma-separated), validated. */
function corsList(v: unknown): string[] {
  const raw = (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).flatMap((x: string) => x.split(','));
  try {
    return raw.filter((x) => x.trim()).map(parseCorsOrigin);
  } catch (e) {
    throw new UsageError(`lab serve: ${(e as Error).message}`);
  }
}

const HELP = `lab serve --model ID [--port 8000] [--host 127.0.0.1] [--cors-origin ORIGIN]
  An OpenAI-compatible HTTP server for an embedded model (no authentication):
    GET  /v1/models
    POST /v1/chat/completions   messages, n, temperature, top_p, top_k, seed, max_tokens, stop,
                                logprobs + top_logprobs, stream (server-sent events)
    POST /v1/completions        prompt with the chat template already applied (or token ids);
                                logprobs N, echo (+ max_tokens 0: prompt log-probs), prompt_logprobs
    POST /tokenize              {"prompt": TEXT} -> {"tokens": [...]}
  --model ID    catalogue id of an embedded model (see \`lab models\`), e.g. tiny-a
  --port P      TCP port (default 8000; 0 picks a free one)
  --host H      interface to bind (default 127.0.0.1; anything else exposes the model to the network)
  --cors-origin ORIGIN
                another web origin allowed to call the server from a browser, e.g.
                https://lab.example.org (repeatable or comma-separated; "*" allows any page).
                By default only pages served from this machine (127.0.0.1, localhost, [::1]) may;
                a request from any other page is refused with 403
  Use it from the lab with: --engine openai --base-url http://127.0.0.1:8000/v1 --model ID`;

/** Options of {@link startServer}. */
export interface ServeOptions {
  /** Catalogue id of the served model (also the `model` name clients must send). */
  model: string;
  /** TCP port; 0 picks a free one. Default 8000. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Serve an already loaded engine (then `close()` does not dispose it). */
  engine?: OrtEngine;
  /** One line per request (method, path, status, milliseconds); bodies are never logged. */
  log?: (line: string) => void;
  /** Largest accepted request body. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Web origins allowed besides the lab's own (loopback) ones; "*" allows any (see cli/cors.ts). */
  corsOrigins?: string[];
}

/** Request counters, for logs and tests. */
export interface ServerStats {
  requests: number;
  /** Generations stopped because the client disconnected. */
  aborted: number;
}

/** A listening server. */
export interface RunningServer {
  /** e.g. http://127.0.0.1:8000 */
  url: string;
  /** `url` + "/v1": what OpenAI clients call the base URL. */
  baseUrl: string;
  model: string;
  engine: OrtEngine;
  stats(): ServerStats;
  /** Stop listening, drop open connections and dispose the engine (unless it was passed in). */
  close(): Promise<void>;
}

/** An error answered to the client as `{error: {...}}`. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** Start serving `opts.model` over HTTP; resolves once listening. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const engine = opts.engine ?? (await loadNodeEngine(opts.model));
  const stats: ServerStats = { requests: 0, aborted: 0 };
  const allowOrigin = corsPolicy(opts.corsOrigins ?? []);
  const api = new Api(engine, opts.model, opts.maxBodyBytes ?? 16 * 1024 * 1024, stats);
  const server = createServer((req, res) => {
    const t0 = performance.now();
    stats.requests++;
    res.on('close', () => opts.log?.(`${req.method} ${req.url} ${res.statusCode}${res.writableFinished ? '' : ' (client gone)'} ${Math.round(performance.now() - t0)} ms`));
    // CORS, so the lab page (another origin) can use this server as an engine — only the lab's
    // own origins and those named with --cors-origin: any other page is refused (cli/cors.ts).
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    if (!allowOrigin(origin)) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `origin ${origin} may not call this server: restart lab serve with --cors-origin ${origin} to allow it`, type: 'invalid_request_error', param: null, code: 'origin_not_allowed' } }));
      return;
    }
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, Authorization',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    void api.handle(req, res);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 8000, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    if (!opts.engine) await engine.dispose();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${opts.port ?? 8000} on ${host} is in use: pick another with --port (0 picks a free one)`);
    if (code === 'EACCES') throw new Error(`not allowed to bind ${host}:${opts.port ?? 8000}: use a port above 1023`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new Error(`cannot bind --host ${host}: not an address of this machine (use 127.0.0.1)`);
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<void> | null = null;
  return {
    url,
    baseUrl: `${url}/v1`,
    model: opts.model,
    engine,
    stats: () => ({ ...stats }),
    close: () =>
      (closed ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (!opts.engine) await engine.dispose();
      })()),
  };
}

/** `lab serve`: serve until Ctrl-C (SIGINT) or SIGTERM. */
export async function serveCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const v = parse('serve', argv, { model: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'cors-origin': { type: 'string', multiple: true } });
  if (v.help) return out(HELP);
  if (typeof v.model !== 'string') throw new UsageError('lab serve: --model is required, e.g. --model tiny-a (see `lab models`)');
  const port = num('serve', 'port', v.port, 8000, 0, 65535);
  const host = typeof v.host === 'string' ? v.host : '127.0.0.1';
  const corsOrigins = corsList(v['cors-origin']);
  const server = await startServer({ model: v.model, port, host, log: out, corsOrigins });
  out(`lab serve: ${v.model} at ${server.baseUrl} (OpenAI-compatible; Ctrl-C to stop)`);
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) out(`lab serve: warning: bound to ${host} without authentication: anyone who can reach it can use the model`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Sampling fields shared by both generation endpoints, as engine request fields. */
interface Sampling {
  n: number;
  temperature: number;
  topP: number;
  topK: number;
  seed: number;
  maxTokens: number;
  stop: string[];
}

/** The request handlers; one engine call at a time. */
class Api {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: OrtEngine,
    private readonly model: string,
    private readonly maxBody: number,
    private readonly stats: ServerStats,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctl = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) ctl.abort();
    });
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/';
      const route = (method: string) => {
        if (req.method !== method) throw new ApiError(405, `${path} takes ${method}, not ${req.method}`);
      };
      if (path === '/v1/models') {
        route('GET');
        return sendJson(res, 200, { object: 'list', data: [this.modelCard()] });
      }
      if (path.startsWith('/v1/models/')) {
        route('GET');
        const id = decodeURIComponent(path.slice('/v1/models/'.length));
        if (id !== this.model) throw this.unknownModel(id);
        return sendJson(res, 200, this.modelCard());
      }
      if (path === '/health') return sendJson(res, 200, { status: 'ok' });
      if (path === '/v1/chat/completions') {
        route('POST');
        return await this.chat(await readBody(req, this.maxBody), res, ctl.signal);
      }
      if (path === '/v1/completions') {
        route('POST');
        return await this.completions(await readBody(req, this.maxBody), res, ctl.signal);
      }
      if (path === '/tokenize' || path === '/v1/tokenize') {
        route('POST');
        return this.tokenize(await readBody(req, this.maxBody), res);
      }
      throw new ApiError(404, `no route ${req.method} ${path}: this server answers GET /v1/models, POST /v1/chat/completions, POST /v1/completions, POST /tokenize`);
    } catch (e) {
      if (ctl.signal.aborted) {
        this.stats.aborted++;
        return;
      }
      const err = e instanceof ApiError ? e : e instanceof RangeError ? new ApiError(400, e.message) : new ApiError(500, `the server failed: ${(e as Error).message}`);
      const body: ErrorBody = { error: { message: err.message, type: err.status === 404 ? 'not_found_error' : err.status >= 500 ? 'server_error' : 'invalid_request_error', param: err.param, code: err.code } };
      if (res.headersSent) {
        // Mid-stream: report in the stream (as vLLM does) and end it.
        res.end(`data: ${JSON.stringify(body)}\n\ndata: [DONE]\n\n`);
      } else sendJson(res, err.status, body);
    }
  }

  /** Run engine work alone (one request at a time); skipped if the client left while queued. */
  private exclusive<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (signal.aborted) throw abortError();
      return fn();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private modelCard() {
    return { id: this.model, object: 'model' as const, created: 0, owned_by: 'reasoning-lab' };
  }

  private unknownModel(id: string): ApiError {
    return new ApiError(404, `the model "${id}" does not exist here: this server serves "${this.model}"`, 'model', 'model_not_found');
  }

  private checkModel(body: Record<string, unknown>): void {
    const m = body.model;
    if (m === undefined || m === null) return;
    if (typeof m !== 'string') throw new ApiError(400, `"model" must be a string, got ${describe(m)}`, 'model');
    if (m !== this.model) throw this.unknownModel(m);
  }

  private sampling(f: Fields, minTokens: number): Sampling {
    for (const k of ['presence_penalty', 'frequency_penalty', 'repetition_penalty'] as const) {
      const v = f.body[k];
      if (v !== undefined && v !== null && v !== 0 && !(k === 'repetition_penalty' && v === 1)) throw new ApiError(400, `"${k}" is not supported by lab serve: leave it out`, k);
    }
    if (f.body.logit_bias && Object.keys(f.body.logit_bias as object).length > 0) throw new ApiError(400, '"logit_bias" is not supported by lab serve: leave it out', 'logit_bias');
    if (f.body.best_of !== undefined && f.body.best_of !== null && f.body.best_of !== 1) throw new ApiError(400, '"best_of" is not supported by lab serve: use n', 'best_of');
    const maxName = f.body.max_completion_tokens !== undefined && f.body.max_completion_tokens !== null ? 'max_completion_tokens' : 'max_tokens';
    return {
      n: f.int('n', 1, 1, 256),
      temperature: f.number('temperature', 1, 0, 100),
      topP: f.number('top_p', 1, 0, 1, true),
      topK: Math.max(0, f.int('top_k', 0, -1, 1 << 30)),
      seed: f.int('seed', randomInt(2 ** 31), -(2 ** 53) + 1, 2 ** 53 - 1),
      maxTokens: f.int(maxName, 256, minTokens, 1 << 20),
      stop: f.stop(),
    };
  }

  private async chat(body: Record<string, unknown>, res: ServerResponse, signal: AbortSignal): Promise<void> {
    this.checkModel(body);
    if (Array.isArray(body.tools) && body.tools.length > 0) throw new ApiError(400, '"tools" is not supported by lab serve: leave it out', 'tools');
    const f = new Fields(body);
    const messages = parseMessages(body.messages);
    const s = this.sampling(f, 1);
    const logprobs = f.bool('logprobs', false);
    const topLogprobs = f.int('top_logprobs', 0, 0, 20);
    if (topLogprobs > 0 && !logprobs) throw new ApiError(400, '"top_logprobs" needs "logprobs": true', 'top_logprobs');
    const stream = f.bool('stream', false);
    const head = { id: `chatcmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: this.model };
    const req = { messages, ...s, topLogprobs };
    const lp = (t: SampledToken) => chatLogprob(t, topLogprobs);
    if (!stream) {
      const outs = await this.exclusive(signal, () => this.engine.generate(req, signal));
      return sendJson(res, 200, {
        ...head,
        object: 'chat.completion',
        choices: outs.map((c) => ({ index: c.index, message: { role: 'assistant', content: c.text }, logprobs: logprobs ? { content: c.logprobs.map(lp) } : null, ...finish(c) })),
        usage: usage(outs[0]?.promptTokens ?? 0, outs),
      });
    }
    const sse = new SseWriter(res);
    const text = new TextStreamer(s.stop);
    const chunk = (choice: object) => sse.send({ ...head, object: 'chat.completion.chunk', choices: [choice] });
    const outs = await this.exclusive(signal, () => {
      sse.open();
      return this.engine.generate(
        {
          ...req,
          onToken: (e) => {
            const delta = text.push(e.index, e.text);
            chunk({ index: e.index, delta: { ...(text.first(e.index) ? { role: 'assistant' } : {}), content: delta }, logprobs: logprobs ? { content: [lp(e.token)] } : null, finish_reason: null });
          },
        },
        signal,
      );
    });
    for (const c of outs) chunk({ index: c.index, delta: { content: text.finish(c.index, c.text) }, logprobs: null, ...finish(c) });
    if (isObject(body.stream_options) && body.stream_options.include_usage === true) sse.send({ ...head, object: 'chat.completion.chunk', choices: [], usage: usage(outs[0]?.promptTokens ?? 0, outs) });
    sse.done();
  }

  private async completions(body: Record<string, unknown>, res: ServerResponse, signal: AbortSignal): Promise<void> {
    this.checkModel(body);
    if (body.suffix !== undefined && body.suffix !== null) throw new ApiError(400, '"suffix" is not supported by lab serve: leave it out', 'suffix');
    const f = new Fields(body);
    const prompts = this.parsePrompts(body.prompt);
    const s = this.sampling(f, 0);
    const echo = f.bool('echo', false);
    const logprobs = f.intOrNull('logprobs', 0, 20);
    const promptLp = f.intOrNull('prompt_logprobs', 0, 20);
    const stream = f.bool('stream', false);
    if (stream && echo) throw new ApiError(400, '"echo" is not supported with "stream": true', 'echo');
    if (stream && prompts.length > 1) throw new ApiError(400, '"stream": true takes one prompt, not a list', 'prompt');
    if (stream && s.maxTokens === 0) throw new ApiError(400, '"max_tokens": 0 is only for non-streamed scoring (echo)', 'max_tokens');
    const head = { id: `cmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: this.model };
    const gen = { n: s.n, temperature: s.temperature, topP: s.topP, topK: s.topK, seed: s.seed, maxTokens: s.maxTokens, stop: s.stop, topLogprobs: logprobs ?? 0 };
    if (stream) {
      const p = prompts[0]!;
      const sse = new SseWriter(res);
      const text = new TextStreamer(s.stop);
      const chunk = (choice: object) => sse.send({ ...head, object: 'text_completion', choices: [choice] });
      const outs = await this.exclusive(signal, () => {
        sse.open();
        return generateFromIds(
          this.engine,
          p.ids,
          {
            ...gen,
            onToken: (e) => {
              const at = text.sentLength(e.index);
              const delta = text.push(e.index, e.text);
              chunk({ index: e.index, text: delta, logprobs: logprobs === null ? null : legacyLogprobs([], [e.token], logprobs, at), finish_reason: null });
            },
          },
          signal,
        );
      });
      for (const c of outs) chunk({ index: c.index, text: text.finish(c.index, c.text), logprobs: null, ...finish(c) });
      if (isObject(body.stream_options) && body.stream_options.include_usage === true) sse.send({ ...head, object: 'text_completion', choices: [], usage: usage(p.ids.length, outs) });
      sse.done();
      return;
    }
    const choices: object[] = [];
    const all: Completion[] = [];
    let promptTokens = 0;
    for (const [pi, p] of prompts.entries()) {
      promptTokens += p.ids.length;
      const needPrompt = (echo && logprobs !== null) || promptLp !== null;
      const plp = needPrompt ? await this.exclusive(signal, () => promptLogprobs(this.engine, p.ids, Math.max(logprobs ?? 0, promptLp ?? 0), signal)) : null;
      const outs: Completion[] =
        s.maxTokens === 0
          ? Array.from({ length: s.n }, (_, i) => ({ index: i, text: '', tokens: [], logprobs: [], finishReason: 'length' as const, promptTokens: p.ids.length }))
          : await this.exclusive(signal, () => generateFromIds(this.engine, p.ids, gen, signal));
      all.push(...outs);
      for (const c of outs) {
        choices.push({
          index: pi * s.n + c.index,
          text: (echo ? p.text : '') + c.text,
          logprobs: logprobs === null ? null : legacyLogprobs(echo ? plp! : [], c.logprobs, logprobs, echo ? p.text.length : 0),
          ...(promptLp !== null ? { prompt_logprobs: vllmPromptLogprobs(plp!, promptLp) } : {}),
          ...finish(c),
        });
      }
    }
    sendJson(res, 200, { ...head, object: 'text_completion', choices, usage: usage(promptTokens, all) });
  }

  private tokenize(body: Record<string, unknown>, res: ServerResponse): void {
    this.checkModel(body);
    const text = body.prompt ?? body.content;
    if (typeof text !== 'string') throw new ApiError(400, `"prompt" must be a string (the text to tokenize), got ${describe(text)}`, 'prompt');
    const tokens = this.engine.tokenizer.encode(text);
    sendJson(res, 200, { tokens, count: tokens.length });
  }

  /** `prompt`: a string, token ids, or a list of either (each one is a separate prompt). */
  private parsePrompts(v: unknown): { ids: number[]; text: string }[] {
    if (v === undefined || v === null) throw new ApiError(400, '"prompt" is required: the text to continue, with the chat template already applied', 'prompt');
    const vocab = this.engine.runner.shape.vocab;
    const one = (p: unknown, param: string): { ids: number[]; text: string } => {
      if (typeof p === 'string') {
        const ids = this.engine.tokenizer.encode(p);
        if (ids.length === 0) throw new ApiError(400, `"${param}" is empty: it needs at least one token`, param);
        return { ids, text: p };
      }
      if (Array.isArray(p) && p.length > 0 && p.every((t) => Number.isInteger(t))) {
        const bad = (p as number[]).findIndex((t) => t < 0 || t >= vocab);
        if (bad >= 0) throw new ApiError(400, `"${param}[${bad}]" is not a token id of this model (0..${vocab - 1}), got ${p[bad]}`, param);
        return { ids: p as number[], text: (p as number[]).map((t) => this.engine.tokenizer.tokenText(t)).join('') };
      }
      throw new ApiError(400, `"${param}" must be a non-empty string or a non-empty array of token ids, got ${describe(p)}`, param);
    };
    if (Array.isArray(v) && v.length > 0 && v.every((p) => typeof p === 'string' || Array.isArray(p))) return v.map((p, i) => one(p, `prompt[${i}]`));
    return [one(v, 'prompt')];
  }
}

/** Typed reads of request fields; a bad value is a 400 that names the field. */
class Fields {
  constructor(readonly body: Record<string, unknown>) {}

  int(name: string, dflt: number, min: number, max: number): number {
    const v = this.body[name];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ApiError(400, `"${name}" must be an integer in ${min}..${max}, got ${describe(v)}`, name);
    return v;
  }

  intOrNull(name: string, min: number, max: number): number | null {
    const v = this.body[name];
    return v === undefined || v === null || v === false ? null : v === true ? min : this.int(name, min, min, max);
  }

  number(name: string, dflt: number, min: number, max: number, minExclusive = false): number {
    const v = this.body[name];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || (minExclusive ? v <= min : v < min) || v > max) throw new ApiError(400, `"${name}" must be a number in ${minExclusive ? '(' : '['}${min}, ${max}], got ${describe(v)}`, name);
    return v;
  }

  bool(name: string, dflt: boolean): boolean {
    const v = this.body[name];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') throw new ApiError(400, `"${name}" must be true or false, got ${describe(v)}`, name);
    return v;
  }

  /** `stop`: a string or a list of up to 16 non-empty strings. */
  stop(): string[] {
    const v = this.body.stop;
    if (v === undefined || v === null) return [];
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.length > 16 || !list.every((s) => typeof s === 'string' && s !== '')) throw new ApiError(400, `"stop" must be a non-empty string or a list of up to 16 of them, got ${describe(v)}`, 'stop');
    return list as string[];
  }
}

/** `messages`: a non-empty list of {role: system|developer|user|assistant, content: string | text parts}. */
function parseMessages(v: unknown): ChatMessage[] {
  if (v === undefined || v === null) throw new ApiError(400, '"messages" is required: a non-empty list of {"role", "content"}', 'messages');
  if (!Array.isArray(v) || v.length === 0) throw new ApiError(400, `"messages" must be a non-empty list of {"role", "content"}, got ${describe(v)}`, 'messages');
  return v.map((m, i) => {
    if (!isObject(m)) throw new ApiError(400, `"messages[${i}]" must be an object {"role", "content"}, got ${describe(m)}`, `messages[${i}]`);
    const role = m.role === 'developer' ? 'system' : m.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') throw new ApiError(400, `"messages[${i}].role" must be system, user or assistant, got ${describe(m.role)}`, `messages[${i}].role`);
    let content = m.content;
    if (Array.isArray(content) && content.every((p) => isObject(p) && p.type === 'text' && typeof p.text === 'string')) content = content.map((p) => (p as { text: string }).text).join('');
    if (typeof content !== 'string') throw new ApiError(400, `"messages[${i}].content" must be a string (or a list of text parts), got ${describe(m.content)}`, `messages[${i}].content`);
    return { role, content };
  });
}

/** `finish_reason` and vLLM's `stop_reason` (the stop string, or null for end-of-sequence and length). */
function finish(c: Completion): { finish_reason: 'stop' | 'length'; stop_reason: string | null } {
  return { finish_reason: c.finishReason === 'length' ? 'length' : 'stop', stop_reason: c.finishReason === 'stop' ? (c.stop ?? null) : null };
}

function usage(promptTokens: number, outs: Completion[]): Usage {
  const completion = outs.reduce((a, c) => a + c.tokens.length, 0);
  return { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
}

function chatLogprob(t: SampledToken, k: number): ChatLogprob {
  return { token: t.token, logprob: t.logprob, bytes: utf8Bytes(t.token), top_logprobs: t.top.slice(0, k).map((a) => ({ token: a.token, logprob: a.logprob, bytes: utf8Bytes(a.token) })) };
}

/**
 * Legacy `logprobs`: prompt tokens (when echoed; the first has null) then generated tokens, each
 * with its top-`k` alternatives plus itself, and its character offset in the returned text.
 */
function legacyLogprobs(prompt: PromptTokenLogprob[], generated: SampledToken[], k: number, generatedOffset: number): LegacyLogprobs {
  const out: LegacyLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
  let offset = 0;
  const add = (token: string, logprob: number | null, top: { token: string; logprob: number }[] | null) => {
    out.tokens.push(token);
    out.token_logprobs.push(logprob);
    out.top_logprobs!.push(top === null || logprob === null ? null : Object.fromEntries([...top.slice(0, k).map((a) => [a.token, a.logprob] as const), [token, logprob] as const]));
    out.text_offset.push(offset);
    offset += token.length;
  };
  for (const p of prompt) add(p.token, p.logprob, p.top);
  offset = Math.max(offset, generatedOffset);
  for (const g of generated) add(g.token, g.logprob, g.top);
  return out;
}

/** vLLM `prompt_logprobs`: per prompt token (null first), {id: {logprob, rank, decoded_token}}. */
function vllmPromptLogprobs(plp: PromptTokenLogprob[], k: number): PromptLogprobs {
  return plp.map((p) => {
    if (p.logprob === null) return null;
    const entry: Record<string, { logprob: number; rank: number; decoded_token: string }> = {};
    p.top.slice(0, k).forEach((a, r) => (entry[String(a.id)] = { logprob: a.logprob, rank: r + 1, decoded_token: a.token }));
    entry[String(p.id)] = { logprob: p.logprob, rank: p.rank!, decoded_token: p.token };
    return entry;
  });
}

/**
 * Turns each sample's growing text into stream deltas. Holds back a trailing partial UTF-8
 * character and any tail that could be the start of a stop string, so a client never receives
 * text that the stop string then cuts off.
 */
class TextStreamer {
  private sent = new Map<number, string>();
  private started = new Set<number>();

  constructor(private readonly stops: string[]) {}

  /** True the first time it is asked about sample `index` (its first chunk carries the role). */
  first(index: number): boolean {
    if (this.started.has(index)) return false;
    this.started.add(index);
    return true;
  }

  sentLength(index: number): number {
    return this.sent.get(index)?.length ?? 0;
  }

  /** The new text to send for sample `index`, given its whole text so far. */
  push(index: number, text: string): string {
    const sent = this.sent.get(index) ?? '';
    let safe = text.length;
    while (safe > 0 && text[safe - 1] === '\uFFFD') safe--;
    let hold = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, safe); k > hold; k--) {
        if (text.slice(safe - k, safe) === s.slice(0, k)) {
          hold = k;
          break;
        }
      }
    }
    safe -= hold;
    if (safe <= sent.length || !text.startsWith(sent)) return '';
    this.sent.set(index, text.slice(0, safe));
    return text.slice(sent.length, safe);
  }

  /** What is left to send once sample `index` is final. */
  finish(index: number, final: string): string {
    const sent = this.sent.get(index) ?? '';
    this.sent.set(index, final);
    return final.startsWith(sent) ? final.slice(sent.length) : '';
  }
}

/** Server-sent events on a response. Headers are written when the engine starts, not before. */
class SseWriter {
  constructor(private readonly res: ServerResponse) {}

  open(): void {
    if (this.res.headersSent) return;
    this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    this.res.flushHeaders();
  }

  send(data: object): void {
    this.open();
    if (!this.res.writableEnded) this.res.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  done(): void {
    this.open();
    if (!this.res.writableEnded) this.res.end('data: [DONE]\n\n');
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new ApiError(413, `the request body is over ${limit} bytes`);
    chunks.push(c);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new ApiError(400, `the request body is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(body)) throw new ApiError(400, `the request body must be a JSON object, got ${describe(body)}`);
  return body;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short rendering of a bad value for error messages. */
function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
