/**
 * The request handlers of `lab serve` (serve.ts): /v1/models, /v1/chat/completions,
 * /v1/completions and /tokenize on one ort engine, one engine call at a time; a client that
 * disconnects aborts its generation.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { abortError, type Completion, type SampledToken } from '../core/engine.js';
import { generateFromIds, promptLogprobs } from '../engines/openai/ort-raw.js';
import type { ErrorBody } from '../engines/openai/protocol.js';
import type { OrtEngine } from '../engines/ort/engine.js';
import type { ServerStats } from './serve.js';
import { ApiError, Fields, parseMessages, finish, usage, chatLogprob, legacyLogprobs, vllmPromptLogprobs, TextStreamer, SseWriter, readBody, sendJson, isObject, describe } from './serve-wire.js';

/** Sampling fields shared by both generation endpoints, as engine request fields. */
export interface Sampling {
  n: number;
  temperature: number;
  topP: number;
  topK: number;
  seed: number;
  maxTokens: number;
  stop: string[];
}

/** The request handlers; one engine call at a time. */
export class Api {
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
