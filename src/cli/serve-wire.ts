/**
 * The wire side of `lab serve` (serve.ts): request field parsing with errors that name the field
 * (ApiError → 400/404/413 `{error: {...}}`), OpenAI and vLLM response shapes (finish reasons,
 * usage, chat / legacy / prompt log-probs), server-sent events with stop strings held back, JSON
 * bodies in and out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChatMessage, Completion, SampledToken } from '../core/engine.js';
import type { PromptTokenLogprob } from '../engines/openai/ort-raw.js';
import { utf8Bytes, type ChatLogprob, type LegacyLogprobs, type PromptLogprobs, type Usage } from '../engines/openai/protocol.js';

/** An error answered to the client as `{error: {...}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}


export class Fields {
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
export function parseMessages(v: unknown): ChatMessage[] {
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
export function finish(c: Completion): { finish_reason: 'stop' | 'length'; stop_reason: string | null } {
  return { finish_reason: c.finishReason === 'length' ? 'length' : 'stop', stop_reason: c.finishReason === 'stop' ? (c.stop ?? null) : null };
}

export function usage(promptTokens: number, outs: Completion[]): Usage {
  const completion = outs.reduce((a, c) => a + c.tokens.length, 0);
  return { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
}

export function chatLogprob(t: SampledToken, k: number): ChatLogprob {
  return { token: t.token, logprob: t.logprob, bytes: utf8Bytes(t.token), top_logprobs: t.top.slice(0, k).map((a) => ({ token: a.token, logprob: a.logprob, bytes: utf8Bytes(a.token) })) };
}

/**
 * Legacy `logprobs`: prompt tokens (when echoed; the first has null) then generated tokens, each
 * with its top-`k` alternatives plus itself, and its character offset in the returned text.
 */
export function legacyLogprobs(prompt: PromptTokenLogprob[], generated: SampledToken[], k: number, generatedOffset: number): LegacyLogprobs {
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
export function vllmPromptLogprobs(plp: PromptTokenLogprob[], k: number): PromptLogprobs {
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
export class TextStreamer {
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
export class SseWriter {
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

export async function readBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
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

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short rendering of a bad value for error messages. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

