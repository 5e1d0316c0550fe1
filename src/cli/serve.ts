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
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrtEngine } from '../engines/ort/engine.js';
import { loadNodeEngine } from '../engines/ort/node.js';
import { num, parse, UsageError } from './args.js';
import { corsPolicy, parseCorsOrigin } from './cors.js';
import { Api } from './serve-api.js';


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

