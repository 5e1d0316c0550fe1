/**
 * Fail fast before a download: fetch one small file of a model (web-llm's mlc-chat-config.json,
 * an ONNX model's config.json) with a short timeout, so that an offline browser or a blocked hub
 * gives a clear message in seconds instead of a download that hangs.
 */
import { ModelLoadError, offlineMessage } from './webllm/errors.js';

export interface PreflightOptions {
  /** Give up after this many ms (default 8000). */
  timeoutMs?: number;
  /** Use HEAD instead of GET (for large files such as a model library). */
  method?: 'GET' | 'HEAD';
  signal?: AbortSignal;
  /** The fetch to use (tests inject one). */
  fetch?: typeof fetch;
  /** Names the file in messages, e.g. "mlc-chat-config.json of qwen2.5-0.5b-instruct". */
  what?: string;
  /** For a local folder: the layout hint shown on 404. */
  layoutHint?: string;
}

/** Resolves when `url` answers 2xx within the timeout; else rejects with a {@link ModelLoadError} naming the fix. */
export async function preflight(url: string, opts: PreflightOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 8000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const what = opts.what ?? url;
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, { method: opts.method ?? 'GET', signal, cache: 'no-store' });
  } catch (e) {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : Object.assign(new Error('the request was aborted'), { name: 'AbortError' });
    const detail = timeout.aborted ? `no answer within ${(timeoutMs / 1000).toFixed(timeoutMs < 1000 ? 1 : 0)} s` : (e as Error).message;
    throw new ModelLoadError(`${offlineMessage(url)} [${what}: ${detail}]`, 'offline', { cause: e });
  }
  // Only the status matters: drop the body.
  void res.body?.cancel().catch(() => undefined);
  if (res.ok) return;
  if (res.status === 404) throw new ModelLoadError(`${what} is missing: ${url} answered HTTP 404${opts.layoutHint ? `; ${opts.layoutHint}` : ''}`, 'not-found');
  if (res.status === 401 || res.status === 403) throw new ModelLoadError(`${what}: ${url} answered HTTP ${res.status} (the repository is gated or access is blocked): serve the weights from a local folder (docs/webllm-local.md)`, 'forbidden');
  throw new ModelLoadError(`${what}: ${url} answered HTTP ${res.status}: try again later, or serve the weights from a local folder (docs/webllm-local.md)`, 'other');
}
