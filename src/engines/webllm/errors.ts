/**
 * Loading errors turned into advice that names the fix: offline / hub blocked (serve a local
 * folder), storage quota (free space), GPU device lost (smaller model), missing shader-f16 (q4f32).
 * Only `name` and `message` cross the worker boundary, so the advice lives in the message.
 */

export type LoadErrorKind = 'offline' | 'not-found' | 'forbidden' | 'quota' | 'device-lost' | 'no-webgpu' | 'no-f16' | 'other';

/** A model that could not be loaded, with advice in the message. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(
    message: string,
    readonly kind: LoadErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const LOCAL_DOC = 'docs/webllm-local.md';

/** Host of a URL, or the URL itself when it does not parse. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The advice for an unreachable host. */
export function offlineMessage(url: string): string {
  return `cannot reach ${hostOf(url)}: you are offline or the hub is blocked; serve the weights from a local folder (${LOCAL_DOC}) or use the embedded tiny models (tiny-a, tiny-b)`;
}

/** What the error looks like, from its name and message (web-llm, tvmjs and the browser use several shapes). */
export function classifyError(e: unknown): LoadErrorKind {
  if (e instanceof ModelLoadError) return e.kind;
  const name = (e as { name?: string } | null)?.name ?? '';
  const msg = String((e as { message?: string } | null)?.message ?? e);
  if (name === 'QuotaExceededError' || /quota|QuotaExceeded|not enough (storage|space)|no space left|disk is full/i.test(msg)) return 'quota';
  if (name === 'DeviceLostError' || /device (was |is )?lost|device\.lost|out of memory|\bOOM\b|allocation failed|failed to allocate/i.test(msg)) return 'device-lost';
  if (name === 'ShaderF16SupportError' || /shader-f16/i.test(msg)) return 'no-f16';
  if (name === 'WebGPUNotAvailableError' || /WebGPU is not (available|supported)|navigator\.gpu|no (WebGPU )?adapter/i.test(msg)) return 'no-webgpu';
  if (name === 'TimeoutError' || /failed to fetch|networkerror|network error|load failed|fetch failed|ERR_INTERNET_DISCONNECTED|ERR_NAME_NOT_RESOLVED|ERR_FAILED|ENOTFOUND|ECONNREFUSED|EAI_AGAIN/i.test(msg)) return 'offline';
  return 'other';
}

export interface LoadContext {
  /** Catalogue id or model name shown to the user. */
  model: string;
  /** URL of the weights (for network errors). */
  url?: string;
  downloadMB?: number;
  needMB?: number;
  /** A smaller catalogue model to suggest. */
  smaller?: string;
}

/** An error from loading a model, as a {@link ModelLoadError} whose message names the fix. AbortErrors pass through. */
export function explainLoadError(e: unknown, ctx: LoadContext): Error {
  if (e instanceof ModelLoadError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  if (err.name === 'AbortError') return err;
  const kind = classifyError(err);
  const smaller = ctx.smaller ? ` (e.g. ${ctx.smaller})` : '';
  const why = err.message ? ` [${err.message}]` : '';
  switch (kind) {
    case 'quota':
      return new ModelLoadError(
        `not enough browser storage to cache ${ctx.model}${ctx.downloadMB ? ` (≈${ctx.downloadMB} MB)` : ''}: free space by deleting cached models in the Models view (or this site's data in the browser settings), or choose a smaller model${smaller}${why}`,
        kind,
        { cause: err },
      );
    case 'device-lost':
      return new ModelLoadError(
        `the GPU ran out of memory or was reset while loading ${ctx.model}${ctx.needMB ? ` (needs ≈${ctx.needMB} MB of GPU memory)` : ''}: choose a smaller model${smaller}, unload the other model, close other GPU-heavy tabs, then reload the page${why}`,
        kind,
        { cause: err },
      );
    case 'no-f16':
      return new ModelLoadError(`this GPU lacks the shader-f16 feature that the q4f16 build of ${ctx.model} needs: load the q4f32 build instead${why}`, kind, { cause: err });
    case 'no-webgpu':
      return new ModelLoadError(`${ctx.model} needs WebGPU, which this browser does not offer: use a browser with WebGPU enabled, or the embedded tiny models on wasm${why}`, kind, { cause: err });
    case 'offline':
      return new ModelLoadError(`${ctx.url ? offlineMessage(ctx.url) : `${ctx.model} could not be downloaded: you are offline or the hub is blocked; serve the weights from a local folder (${LOCAL_DOC}) or use the embedded tiny models`}${why}`, kind, { cause: err });
    default:
      return new ModelLoadError(`could not load ${ctx.model}: ${err.message}`, kind, { cause: err });
  }
}
