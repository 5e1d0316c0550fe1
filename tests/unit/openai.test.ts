/**
 * `lab serve` and the `openai` engine, through real HTTP: the server runs in-process on tiny-a and
 * is compared with the ort engine itself; timeouts, retries and the concurrency limit are checked
 * against small raw node:http servers made here (the only fakes).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCommand, startServer, type RunningServer } from '../../src/cli/serve.js';
import type { Completion } from '../../src/core/engine.js';
import { normalizeBaseUrl, OpenAIEngine, type ProbeResult } from '../../src/engines/openai/engine.js';
import type { ChatChunk, ChatResponse, CompletionResponse, ErrorBody, ModelList } from '../../src/engines/openai/protocol.js';
import type { OrtEngine } from '../../src/engines/ort/engine.js';
import { loadNodeEngine } from '../../src/engines/ort/node.js';
import { closeTag, nodePrefix } from '../../src/mcts/roles.js';

const messages = [{ role: 'user' as const, content: "How many r's are in strawberry?" }];
let server: RunningServer;
let ort: OrtEngine;
let client: OpenAIEngine;
let probed: ProbeResult;

beforeAll(async () => {
  ort = await loadNodeEngine('tiny-a');
  server = await startServer({ model: 'tiny-a', port: 0 });
  client = new OpenAIEngine({ baseUrl: server.baseUrl, model: 'tiny-a', chatTemplate: (m) => ort.tokenizer.prompt(m) });
  probed = await client.probe();
});
afterAll(async () => {
  await client?.dispose();
  await server?.close();
  await ort?.dispose();
});

/** A raw request to the test server; `json` is typed as the caller expects the answer. */
async function call<T = ErrorBody>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<{ status: number; json: T }> {
  const res = await fetch(server.url + path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as T };
}

/** The same samples: texts, finish, token strings, log-probs (1e-4) and alternatives. */
function expectSame(got: Completion[], want: Completion[]): void {
  expect(got.map((c) => c.text)).toEqual(want.map((c) => c.text));
  expect(got.map((c) => [c.index, c.finishReason, c.stop])).toEqual(want.map((c) => [c.index, c.finishReason, c.stop]));
  got.forEach((c, i) => {
    const w = want[i]!;
    expect(c.logprobs.map((t) => t.token)).toEqual(w.logprobs.map((t) => t.token));
    c.logprobs.forEach((t, j) => {
      expect(Math.abs(t.logprob - w.logprobs[j]!.logprob)).toBeLessThan(1e-4);
      expect(t.top.map((a) => a.token)).toEqual(w.logprobs[j]!.top.map((a) => a.token));
    });
  });
}

describe('lab serve', () => {
  it('lists the model and answers 404 for unknown models and routes', async () => {
    const list = await call<ModelList>('/v1/models');
    expect(list.status).toBe(200);
    expect(list.json.data.map((m) => m.id)).toEqual(['tiny-a']);
    expect((await call('/v1/models/tiny-a')).status).toBe(200);
    expect((await call('/v1/models/gpt-9')).status).toBe(404);
    const chat = await call('/v1/chat/completions', { model: 'gpt-9', messages });
    expect(chat.status).toBe(404);
    expect(chat.json.error).toMatchObject({ param: 'model', code: 'model_not_found' });
    expect(chat.json.error.message).toMatch(/"gpt-9" does not exist.*"tiny-a"/);
    expect((await call('/v1/nothing')).status).toBe(404);
    expect((await call('/v1/chat/completions')).status).toBe(405);
  });

  it('answers CORS preflights from the lab\'s own origins only; a foreign page is refused before the model runs', async () => {
    const pre = await fetch(`${server.baseUrl}/chat/completions`, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,authorization' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const list = await fetch(`${server.baseUrl}/models`, { headers: { Origin: 'http://localhost:4173' } });
    expect(list.headers.get('access-control-allow-origin')).toBe('http://localhost:4173');

    // Any other web page: no CORS headers on the preflight, and even a "simple" POST (which a
    // browser sends without a preflight) is refused before it reaches the model.
    const foreign = 'https://evil.example';
    const pre2 = await fetch(`${server.baseUrl}/chat/completions`, { method: 'OPTIONS', headers: { Origin: foreign, 'Access-Control-Request-Method': 'POST' } });
    expect(pre2.status).toBe(403);
    expect(pre2.headers.get('access-control-allow-origin')).toBeNull();
    const before = server.engine.cacheStats().promptTokens;
    const post = await fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', headers: { Origin: foreign, 'content-type': 'text/plain' }, body: JSON.stringify({ model: 'tiny-a', messages, max_tokens: 4 }) });
    expect(post.status).toBe(403);
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await post.json()) as ErrorBody).error.message).toContain('--cors-origin https://evil.example');
    expect(server.engine.cacheStats().promptTokens).toBe(before); // the model never ran
    // Without an Origin (curl, SDKs, the CLI) nothing changes.
    expect((await fetch(`${server.baseUrl}/models`)).status).toBe(200);

    // --cors-origin widens the list to exactly the origins named.
    const wide = await startServer({ model: 'tiny-a', port: 0, engine: ort, corsOrigins: ['https://lab.example.org'] });
    try {
      const ok = await fetch(`${wide.baseUrl}/models`, { headers: { Origin: 'https://lab.example.org' } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://lab.example.org');
      expect((await fetch(`${wide.baseUrl}/models`, { headers: { Origin: foreign } })).status).toBe(403);
    } finally {
      await wide.close();
    }
    const any = await startServer({ model: 'tiny-a', port: 0, engine: ort, corsOrigins: ['*'] });
    try {
      const ok = await fetch(`${any.baseUrl}/models`, { headers: { Origin: foreign } });
      expect(ok.headers.get('access-control-allow-origin')).toBe(foreign);
    } finally {
      await any.close();
    }
    await expect(serveCommand(['--model', 'tiny-a', '--cors-origin', 'lab.example.org/x'], () => undefined)).rejects.toThrow(/--cors-origin "lab\.example\.org\/x" is not an origin/);
  });

  it('rejects bad requests with 400 and an error that names the field', async () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['/v1/chat/completions', { messages, n: 0 }, 'n', /"n" must be an integer in 1\.\.256, got 0/],
      ['/v1/chat/completions', { model: 'tiny-a' }, 'messages', /"messages" is required/],
      ['/v1/chat/completions', { messages: [{ role: 'robot', content: 'hi' }] }, 'messages[0].role', /role/],
      ['/v1/chat/completions', { messages, temperature: -1 }, 'temperature', /"temperature" must be a number/],
      ['/v1/chat/completions', { messages, top_logprobs: 3 }, 'top_logprobs', /needs "logprobs": true/],
      ['/v1/chat/completions', { messages, stop: [1] }, 'stop', /"stop"/],
      ['/v1/completions', { max_tokens: 4 }, 'prompt', /"prompt" is required/],
      ['/v1/completions', { prompt: 'hi', logprobs: 99 }, 'logprobs', /"logprobs" must be an integer in 0\.\.20/],
    ];
    for (const [path, body, param, message] of cases) {
      const r = await call(path, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.param).toBe(param);
      expect(r.json.error.type).toBe('invalid_request_error');
      expect(r.json.error.message).toMatch(message);
    }
    const bad = await call('/v1/chat/completions', '{"messages": [');
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/not valid JSON/);
  });

  it('chat: n=3 with a seed is deterministic and equals the ort engine, log-probs included', async () => {
    const body = { model: 'tiny-a', messages, n: 3, seed: 7, temperature: 0.9, max_tokens: 24, logprobs: true, top_logprobs: 3 };
    const a = await call<ChatResponse>('/v1/chat/completions', body);
    const b = await call<ChatResponse>('/v1/chat/completions', body);
    expect(a.status).toBe(200);
    expect(a.json.choices).toHaveLength(3);
    expect(b.json.choices).toEqual(a.json.choices);
    const want = await ort.generate({ messages, n: 3, seed: 7, temperature: 0.9, maxTokens: 24, topLogprobs: 3 });
    expect(a.json.usage!.prompt_tokens).toBe(want[0]!.promptTokens);
    a.json.choices.forEach((c, i) => {
      expect(c.message.content).toBe(want[i]!.text);
      expect(c.logprobs!.content!.map((t) => t.token)).toEqual(want[i]!.logprobs.map((t) => t.token));
      c.logprobs!.content!.forEach((t, j) => {
        expect(Math.abs(t.logprob - want[i]!.logprobs[j]!.logprob)).toBeLessThan(1e-4);
        expect(t.top_logprobs).toHaveLength(3);
      });
    });
    const viaEngine = await client.generate({ messages, n: 3, seed: 7, temperature: 0.9, maxTokens: 24, topLogprobs: 3 });
    expectSame(viaEngine, want);
    expect(viaEngine.every((c) => c.tokens.length === c.logprobs.length && c.logprobs.every((t) => t.id === -1))).toBe(true);
  });

  it('cuts at stop strings and reports which one', async () => {
    const [greedy] = await ort.generate({ messages, n: 1, temperature: 0, maxTokens: 40 });
    expect(greedy!.text.length).toBeGreaterThan(10);
    const stop = greedy!.text.slice(6, 9);
    const [got] = await client.generate({ messages, n: 1, temperature: 0, maxTokens: 40, stop: [stop, 'never-appears'] });
    expect(got!.text).toBe(greedy!.text.slice(0, greedy!.text.indexOf(stop)));
    expect(got!.finishReason).toBe('stop');
    expect(got!.stop).toBe(stop);
    const raw = await call<ChatResponse>('/v1/chat/completions', { messages, temperature: 0, max_tokens: 40, stop });
    expect(raw.json.choices[0]).toMatchObject({ finish_reason: 'stop', stop_reason: stop, message: { content: got!.text } });
  });

  it('streams chat as SSE chunks ending in [DONE], with the text of the unstreamed answer', async () => {
    const body = { messages, n: 2, seed: 4, temperature: 1, max_tokens: 30, logprobs: true, stop: ['</'] };
    const plain = await call<ChatResponse>('/v1/chat/completions', body);
    const res = await fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const texts = ['', ''];
    const finishes: (string | null)[] = [null, null];
    for (const e of events.slice(0, -1)) {
      const chunk = JSON.parse(e.slice('data: '.length)) as ChatChunk;
      expect(chunk.object).toBe('chat.completion.chunk');
      for (const c of chunk.choices) {
        texts[c.index] += c.delta.content ?? '';
        if (c.finish_reason) finishes[c.index] = c.finish_reason;
      }
    }
    expect(texts).toEqual(plain.json.choices.map((c) => c.message.content));
    expect(finishes).toEqual(plain.json.choices.map((c) => c.finish_reason));
    // The engine streams too: one event per token, and the same final samples.
    const seen: number[] = [0, 0];
    const streamed = await client.generate({ messages, n: 2, seed: 4, temperature: 1, maxTokens: 30, stop: ['</'], onToken: (e) => seen[e.index]!++ });
    const unstreamed = await client.generate({ messages, n: 2, seed: 4, temperature: 1, maxTokens: 30, stop: ['</'] });
    expectSame(streamed, unstreamed);
    expect(seen).toEqual(unstreamed.map((c) => c.logprobs.length));
  });

  it('continues a partial assistant message through /v1/completions exactly as the ort engine', async () => {
    const req = { messages, prefix: nodePrefix('Sub-Task'), n: 2, seed: 3, temperature: 1, maxTokens: 30, stop: [closeTag('Sub-Task')], topLogprobs: 2 };
    const want = await ort.generate(req);
    expectSame(await client.generate(req), want);
    const raw = await call<CompletionResponse>('/v1/completions', { prompt: ort.tokenizer.prompt(messages, req.prefix), n: 2, seed: 3, temperature: 1, max_tokens: 30, stop: req.stop, logprobs: 2 });
    expect(raw.status).toBe(200);
    raw.json.choices.forEach((c, i) => {
      expect(c.text).toBe(want[i]!.text);
      const lp = c.logprobs!;
      expect(lp.tokens).toHaveLength(want[i]!.tokens.length);
      expect([lp.token_logprobs.length, lp.top_logprobs!.length, lp.text_offset.length]).toEqual([lp.tokens.length, lp.tokens.length, lp.tokens.length]);
      expect(lp.top_logprobs![0]![lp.tokens[0]!]).toBeCloseTo(lp.token_logprobs[0]!, 10); // the sampled token is among its alternatives
      expect(lp.text_offset[0]).toBe(0);
    });
  });

  it('scores through echo exactly as engine.score, by token ids or by text', async () => {
    const req = { messages, completions: ['<Sub-Task>count the r</Sub-Task>', '<Sub-Task>count the letters</Sub-Task>'], maskCommonPrefix: true };
    const want = await ort.score(req);
    const byText = new OpenAIEngine({ baseUrl: server.baseUrl, model: 'tiny-a', chatTemplate: (m) => ort.tokenizer.prompt(m), scoreMode: 'text', scoreMaxTokens: 0 });
    const withIds = { ...req, completionIds: await Promise.all(req.completions.map((c) => ort.tokenize(c))) };
    for (const got of [await client.score(req), await client.score(withIds), await byText.score(req)]) {
      expect(got.promptTokens).toBe(want.promptTokens);
      got.sequences.forEach((s, i) => {
        const w = want.sequences[i]!;
        expect(s.logprobs).toHaveLength(w.logprobs.length);
        s.logprobs.forEach((lp, j) => expect(Math.abs(lp - w.logprobs[j]!)).toBeLessThan(1e-4));
        expect(s.mask).toEqual(w.mask);
        expect(Math.abs(s.sum - w.sum)).toBeLessThan(1e-4);
      });
    }
    expect((await client.score(req)).sequences.map((s) => s.tokens)).toEqual(want.sequences.map((s) => s.tokens));
    // The raw scoring path: echo with max_tokens 0 gives the prompt's log-probs, the first null.
    const prompt = ort.tokenizer.prompt(messages) + req.completions[0];
    const raw = await call<CompletionResponse>('/v1/completions', { prompt, echo: true, max_tokens: 0, logprobs: 1, prompt_logprobs: 1 });
    const c = raw.json.choices[0]!;
    const lp = c.logprobs!;
    const ids = await ort.tokenize(prompt);
    expect(c.text).toBe(prompt);
    expect(lp.tokens).toHaveLength(ids.length);
    expect(lp.token_logprobs[0]).toBeNull();
    expect(lp.token_logprobs.slice(-3)).toEqual(c.prompt_logprobs!.slice(-3).map((e, j) => e![String(ids[ids.length - 3 + j])]!.logprob));
    expect(raw.json.usage!.prompt_tokens).toBe(ids.length);
  });

  it('tokenizes like the ort tokenizer and reports what it can do', async () => {
    const text = ort.tokenizer.prompt(messages, '<Thinking>');
    expect(await client.tokenize(text)).toEqual(await ort.tokenize(text));
    expect(probed).toEqual({ models: ['tiny-a'], chat: true, completions: true, echoLogprobs: true, tokenize: true, batch: true, logprobs: true, topLogprobs: 20 });
    expect(client.info).toMatchObject({ backend: 'openai', model: 'tiny-a', device: server.baseUrl, can: { score: true, batch: true, topLogprobs: 20 } });
  });

  it('the engine surfaces what the server answered', async () => {
    const wrong = new OpenAIEngine({ baseUrl: server.url, model: 'gpt-9' });
    await expect(wrong.generate({ messages, maxTokens: 4 })).rejects.toThrow(`openai engine: ${server.baseUrl}/chat/completions answered HTTP 404: the model "gpt-9" does not exist here`);
    await expect(wrong.probe()).rejects.toThrow(/does not serve "gpt-9": it serves "tiny-a"/);
    const bad = new OpenAIEngine({ baseUrl: server.baseUrl, model: 'tiny-a', extraBody: { n: 0 } });
    await expect(bad.generate({ messages, maxTokens: 4 })).rejects.toThrow(/answered HTTP 400: "n" must be an integer in 1\.\.256, got 0/);
    await expect(new OpenAIEngine({ baseUrl: server.baseUrl, model: 'tiny-a' }).generate({ messages, prefix: '<Thinking>' })).rejects.toThrow(/needs the served model's chat template/);
  });

  it('a client that goes away aborts the generation on the server', async () => {
    const before = server.stats().aborted;
    const ctl = new AbortController();
    // Near-uniform sampling rarely ends early, so the generation is still running when the client leaves.
    const p = client.generate({ messages, n: 4, temperature: 3, maxTokens: 1000, onToken: () => ctl.abort() }, ctl.signal);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    for (let i = 0; i < 200 && server.stats().aborted === before; i++) await new Promise((r) => setTimeout(r, 25));
    expect(server.stats().aborted).toBe(before + 1);
    expect((await call('/v1/models')).status).toBe(200);
  });

  it('lab serve has help and strict flags', async () => {
    const lines: string[] = [];
    await serveCommand(['--help'], (s) => lines.push(s));
    expect(lines.join('\n')).toMatch(/POST \/v1\/chat\/completions/);
    await expect(serveCommand(['--port', '99999', '--model', 'tiny-a'], () => undefined)).rejects.toThrow(/--port must be an integer in 0\.\.65535/);
    await expect(serveCommand([], () => undefined)).rejects.toThrow(/--model is required/);
    await expect(startServer({ model: 'tiny-a', engine: ort, port: Number(new URL(server.url).port) })).rejects.toThrow(/is in use: pick another with --port/);
  });
});

/** A raw node:http server for transport tests: `handle` answers each request (or never does). */
async function rawServer(handle: (req: IncomingMessage, res: ServerResponse, hit: number) => void): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res, ++hits));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1`,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      }),
  };
}

const CANNED = JSON.stringify({ id: 'c', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, logprobs: null, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

describe('openai engine transport', () => {
  const one = { messages, n: 1, maxTokens: 4 };

  it('times out with a clear error and does not retry a timeout', async () => {
    const raw = await rawServer(() => undefined); // never answers
    try {
      const e = new OpenAIEngine({ baseUrl: raw.url, model: 'm', timeoutMs: 150, retries: 2, backoffMs: 1 });
      await expect(e.generate(one)).rejects.toThrow(`openai engine: ${raw.url}/chat/completions timed out after 150 ms`);
      expect(raw.hits()).toBe(1);
    } finally {
      await raw.close();
    }
  });

  it('retries 429/5xx with exponential backoff, then gives up saying so', async () => {
    const times: number[] = [];
    const raw = await rawServer((_req, res, hit) => {
      times.push(performance.now());
      if (hit <= 2) answer(res, 503, JSON.stringify({ error: { message: 'overloaded' } }));
      else answer(res, 200, CANNED);
    });
    try {
      const [c] = await new OpenAIEngine({ baseUrl: raw.url, model: 'm', retries: 2, backoffMs: 40 }).generate(one);
      expect(c!.text).toBe('ok');
      expect(raw.hits()).toBe(3);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(35);
      expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(75);
    } finally {
      await raw.close();
    }
    const always = await rawServer((_req, res) => answer(res, 503, JSON.stringify({ error: { message: 'overloaded' } })));
    try {
      await expect(new OpenAIEngine({ baseUrl: always.url, model: 'm', retries: 1, backoffMs: 1 }).generate(one)).rejects.toThrow(/answered HTTP 503: overloaded \(gave up after 2 attempts\)/);
      expect(always.hits()).toBe(2);
    } finally {
      await always.close();
    }
    const refused = await rawServer((_req, res) => answer(res, 400, JSON.stringify({ error: { message: 'no' } })));
    try {
      await expect(new OpenAIEngine({ baseUrl: refused.url, model: 'm', backoffMs: 1 }).generate(one)).rejects.toThrow(/answered HTTP 400: no$/);
      expect(refused.hits()).toBe(1);
    } finally {
      await refused.close();
    }
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inflight = 0;
    let most = 0;
    const raw = await rawServer((_req, res) => {
      most = Math.max(most, ++inflight);
      setTimeout(() => {
        inflight--;
        answer(res, 200, CANNED);
      }, 40);
    });
    try {
      const e = new OpenAIEngine({ baseUrl: raw.url, model: 'm', concurrency: 2 });
      const outs = await Promise.all(Array.from({ length: 7 }, () => e.generate(one)));
      expect(outs.flat().map((c) => c.text)).toEqual(new Array(7).fill('ok'));
      expect(most).toBe(2);
      expect(raw.hits()).toBe(7);
    } finally {
      await raw.close();
    }
  });

  it('says an unreachable server is unreachable, and keeps the API key out of sight', async () => {
    const gone = await rawServer(() => undefined);
    await gone.close();
    await expect(new OpenAIEngine({ baseUrl: gone.url, model: 'm', retries: 1, backoffMs: 1 }).generate(one)).rejects.toThrow(/cannot reach .*is the server running\? check --base-url \(gave up after 2 attempts\)/);
    let auth: string | undefined;
    const raw = await rawServer((req, res) => {
      auth = req.headers.authorization;
      answer(res, 401, JSON.stringify({ error: { message: 'bad key' } }));
    });
    try {
      const secret = 'sk-test-secret-123';
      const e = new OpenAIEngine({ baseUrl: raw.url, model: 'm', apiKey: secret });
      const err = await e.generate(one).catch((x: Error) => x);
      expect(auth).toBe(`Bearer ${secret}`);
      expect(String(err)).toMatch(/answered HTTP 401: bad key/);
      for (const shown of [String(err), (err as Error).stack ?? '', JSON.stringify(e.info), inspect(e, { depth: 10, showHidden: true })]) expect(shown).not.toContain(secret);
    } finally {
      await raw.close();
    }
    expect(normalizeBaseUrl('http://127.0.0.1:8000')).toEqual({ api: 'http://127.0.0.1:8000/v1', root: 'http://127.0.0.1:8000' });
    expect(() => normalizeBaseUrl('http://user:sk-x@127.0.0.1/v1')).toThrow(/must not carry credentials/);
  });
});
