/**
 * The HTTP layer of the `openai` engine: JSON requests with a concurrency limit, a per-attempt
 * timeout, retries with exponential backoff on 429 / 5xx / network errors, and errors that say
 * what the server answered. Uses the platform `fetch` (Node 20+ or a browser).
 */
import { abortError } from '../../core/engine.js';
import { readSse } from './protocol.js';

/** Why a request failed: the server answered an error status, it timed out, it was unreachable, or it answered nonsense. */
export type OpenAIErrorKind = 'http' | 'timeout' | 'network' | 'protocol';

/** An error of the `openai` engine; `status` is the HTTP status when the server answered one. */
export class OpenAIEngineError extends Error {
  constructor(
    message: string,
    readonly kind: OpenAIErrorKind,
    readonly status?: number,
    /** Seconds the server asked to wait (Retry-After), if it said. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'OpenAIEngineError';
  }

  /** 429, 5xx and network errors may pass; timeouts are not retried (the server may be busy on it). */
  get retryable(): boolean {
    return this.kind === 'network' || (this.kind === 'http' && (this.status === 429 || (this.status ?? 0) >= 500));
  }
}

export interface HttpOptions {
  /** Sent as `Authorization: Bearer …`; never logged, never part of a URL or an error. */
  apiKey?: string;
  /** Requests in flight at once (default 4); more wait in line. */
  concurrency: number;
  /** Per attempt; for streams, the longest silence between two events (default 60 000). */
  timeoutMs: number;
  /** Extra attempts after a retryable failure (default 2). */
  retries: number;
  /** First backoff; doubles each retry (default 500 ms), or the server's Retry-After if longer (at most 30 s). */
  backoffMs: number;
}

/** A counting semaphore; a waiter whose signal aborts leaves the line. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.active >= this.max) {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', gone);
          resolve();
        };
        const gone = () => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(abortError());
        };
        if (signal?.aborted) return reject(abortError());
        signal?.addEventListener('abort', gone, { once: true });
        this.waiting.push(go);
      });
    } else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** JSON over HTTP to one server, with the policies above. */
export class HttpClient {
  private readonly limiter: Limiter;
  private readonly opts: Omit<HttpOptions, 'apiKey'>;
  readonly #apiKey: string | undefined;
  /** Controllers of requests in flight, aborted by `abortAll` (engine dispose). */
  private readonly inflight = new Set<AbortController>();

  constructor(opts: HttpOptions) {
    this.#apiKey = opts.apiKey;
    this.opts = { concurrency: opts.concurrency, timeoutMs: opts.timeoutMs, retries: opts.retries, backoffMs: opts.backoffMs };
    this.limiter = new Limiter(opts.concurrency);
  }

  /**
   * POST (or GET when `body` is undefined) and parse the JSON answer. With `onEvent`, asks for a
   * stream and calls it per server-sent event; a stream that has delivered events is not retried.
   */
  async request(url: string, body: unknown, signal?: AbortSignal, onEvent?: (data: unknown) => void): Promise<unknown> {
    return this.limiter.run(async () => {
      let delivered = false;
      const events = onEvent
        ? (d: unknown) => {
            delivered = true;
            onEvent(d);
          }
        : undefined;
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.once(url, body, signal, events);
        } catch (e) {
          if (!(e instanceof OpenAIEngineError) || !e.retryable || attempt >= this.opts.retries || delivered) {
            if (e instanceof OpenAIEngineError && e.retryable && attempt > 0) e.message += ` (gave up after ${attempt + 1} attempts)`;
            throw e;
          }
          const wait = Math.min(30_000, Math.max(this.opts.backoffMs * 2 ** attempt, (e.retryAfter ?? 0) * 1000));
          await sleep(wait, signal);
        }
      }
    }, signal);
  }

  /** Abort every request in flight. */
  abortAll(): void {
    for (const c of this.inflight) c.abort();
  }

  private async once(url: string, body: unknown, signal: AbortSignal | undefined, onEvent?: (data: unknown) => void): Promise<unknown> {
    if (signal?.aborted) throw abortError();
    const ctl = new AbortController();
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        ctl.abort();
      }, this.opts.timeoutMs);
    };
    const forward = () => ctl.abort();
    signal?.addEventListener('abort', forward, { once: true });
    this.inflight.add(ctl);
    arm();
    const headers: Record<string, string> = { accept: onEvent ? 'text/event-stream' : 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    const failed = (e: unknown): Error => {
      if (signal?.aborted) return abortError();
      if (timedOut) return new OpenAIEngineError(`openai engine: ${url} timed out after ${this.opts.timeoutMs} ms: the server is busy or stuck (raise the timeout if it is just slow)`, 'timeout');
      if (e instanceof OpenAIEngineError) return e;
      if (ctl.signal.aborted) return abortError(); // dispose()
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      return new OpenAIEngineError(`openai engine: cannot reach ${url} (${cause?.code ?? cause?.message ?? (e as Error).message}): is the server running? check --base-url`, 'network');
    };
    try {
      let res: Response;
      try {
        res = await fetch(url, { method: body === undefined ? 'GET' : 'POST', headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: ctl.signal });
      } catch (e) {
        throw failed(e);
      }
      let text: string | undefined;
      if (!res.ok || !onEvent || !res.body || !/event-stream/.test(res.headers.get('content-type') ?? '')) {
        try {
          text = await res.text();
        } catch (e) {
          throw failed(e);
        }
      }
      if (!res.ok) {
        const ra = Number(res.headers.get('retry-after'));
        throw new OpenAIEngineError(`openai engine: ${url} answered HTTP ${res.status}: ${serverMessage(text ?? '', res.statusText)}`, 'http', res.status, Number.isFinite(ra) && ra > 0 ? ra : undefined);
      }
      if (text === undefined) {
        try {
          await readSse(res.body!, (d) => {
            arm();
            onEvent!(d);
          });
        } catch (e) {
          if (signal?.aborted || timedOut || ctl.signal.aborted) throw failed(e);
          throw new OpenAIEngineError(`openai engine: ${url}: ${(e as Error).message}`, 'protocol');
        }
        return null;
      }
      try {
        const parsed: unknown = JSON.parse(text);
        if (onEvent) onEvent(parsed); // a server that ignored stream: true
        return parsed;
      } catch {
        throw new OpenAIEngineError(`openai engine: ${url} answered HTTP ${res.status} with something that is not JSON: ${text.slice(0, 200)}`, 'protocol');
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
      this.inflight.delete(ctl);
    }
  }
}

/** The message in an error body (`{error: {message}}`, `{error: "…"}`, `{message}`, `{detail}`) or its text. */
function serverMessage(text: string, statusText: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: string } | string; message?: string; detail?: unknown };
    const m = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.message ?? (typeof j.detail === 'string' ? j.detail : j.detail ? JSON.stringify(j.detail) : undefined));
    if (m) return m;
  } catch {
    // not JSON: use the text
  }
  const t = text.trim().replace(/\s+/g, ' ');
  return t ? t.slice(0, 300) : statusText || '(empty answer)';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}
