/**
 * Browser loader for the `webllm` engine (runs in the engine worker or on a page):
 * 1. WebGPU adapter and the build for it (q4f16 needs shader-f16, else q4f32);
 * 2. the web-llm record from the installed package's prebuiltAppConfig, pointed at the hub or at
 *    a local folder (docs/webllm-local.md), with the chosen cache backend;
 * 3. unless the build is already cached: a preflight of mlc-chat-config.json and the model
 *    library with a short timeout, so that offline fails in seconds with advice, and a storage
 *    quota check;
 * 4. the model's tokenizer.json / tokenizer_config.json (chat template, token ids), kept in the
 *    Cache API so a cached model also loads offline;
 * 5. CreateMLCEngine with download progress, then a one-token warm-up.
 * Every failure becomes a ModelLoadError whose message names the fix.
 */
import { findModel } from '../../core/catalogue.js';
import type { LoadProgress } from '../../core/engine.js';
import { ChatTokenizer } from '../ort/tokenizer.js';
import { preflight } from '../preflight.js';
import { TOKENIZER_CACHE, TOKENIZER_FILES, resolveBuild } from './app-config.js';
import { chooseQuant, webllmEntries, webllmVariant } from './catalogue.js';
import { WebLLMEngine, type WebLLMBackend } from './engine.js';
import { ModelLoadError, explainLoadError, type LoadContext } from './errors.js';
import { progressOf } from './request.js';
import type { WebLLMModelSpec } from './spec.js';
import { TokenIds } from './tokens.js';

const LAYOUT_HINT = 'a local web-llm folder holds the hub repository under <root>/webllm/<model_id>/resolve/main/ (see docs/webllm-local.md)';

/** Hooks for tests; the defaults are the real things. */
export interface LoadDeps {
  webllm?: typeof import('@mlc-ai/web-llm');
  fetch?: typeof fetch;
  /** Features of the WebGPU adapter, or null when there is none. */
  adapterFeatures?: () => Promise<string[] | null>;
}

async function adapterFeatures(): Promise<string[] | null> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return null;
  try {
    const a = await gpu.requestAdapter();
    return a ? [...a.features].map(String) : null;
  } catch {
    return null;
  }
}

/** Fetch a small file through the Cache API store `TOKENIZER_CACHE` (network only when it is not there). */
async function cachedBytes(url: string, fetchFn: typeof fetch, what: string): Promise<Uint8Array> {
  const cache = globalThis.caches ? await globalThis.caches.open(TOKENIZER_CACHE).catch(() => null) : null;
  const hit = await cache?.match(url).catch(() => undefined);
  if (hit) return new Uint8Array(await hit.arrayBuffer());
  const res = await fetchFn(url);
  if (!res.ok) throw new ModelLoadError(`${what} is missing: ${url} answered HTTP ${res.status}; ${LAYOUT_HINT}`, res.status === 404 ? 'not-found' : 'other');
  const bytes = new Uint8Array(await res.arrayBuffer());
  await cache?.put(url, new Response(bytes, { headers: { 'Content-Type': 'application/json' } })).catch(() => undefined);
  return bytes;
}

function parse(bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (e) {
    throw new ModelLoadError(`${what} is not valid JSON: ${(e as Error).message}`, 'other');
  }
}

/** Fails with the quota advice when the browser's storage estimate leaves no room for the download. */
async function checkStorage(downloadMB: number, ctx: LoadContext): Promise<void> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage?.estimate) return;
  const est = await storage.estimate().catch(() => null);
  if (!est || est.quota === undefined || est.usage === undefined) return;
  const freeMB = (est.quota - est.usage) / (1024 * 1024);
  if (freeMB < downloadMB * 1.05) {
    throw explainLoadError(Object.assign(new Error(`only ≈${Math.max(0, Math.round(freeMB))} MB of browser storage left, ≈${downloadMB} MB needed`), { name: 'QuotaExceededError' }), ctx);
  }
}

/** The smallest web-llm model other than `id`, to suggest after an out-of-memory error. */
function smallerThan(id: string, quant: 'q4f16' | 'q4f32'): string | undefined {
  const me = findModel(id);
  const need = webllmVariant(me, quant).vramMB;
  const s = webllmEntries()
    .filter((e) => e.id !== id && e.webllm!.variants[quant].vramMB < need)
    .sort((a, b) => a.webllm!.variants[quant].vramMB - b.webllm!.variants[quant].vramMB)[0];
  return s?.id;
}

/** Load a web-llm model; see the module comment for the steps. */
export async function loadWebLLMEngine(spec: WebLLMModelSpec, onProgress?: (p: LoadProgress) => void, deps: LoadDeps = {}): Promise<WebLLMEngine> {
  const entry = findModel(spec.id);
  if (!entry.webllm) throw new ModelLoadError(`model "${spec.id}" is not a web-llm model: it runs on the ${entry.backend} backend`, 'other');
  const fetchFn = deps.fetch ?? globalThis.fetch.bind(globalThis);
  const features = await (deps.adapterFeatures ?? adapterFeatures)();
  if (!features) throw explainLoadError(Object.assign(new Error('no WebGPU adapter'), { name: 'WebGPUNotAvailableError' }), { model: entry.id });
  const quant = spec.quant ?? chooseQuant(features);
  if (quant === 'q4f16' && !features.includes('shader-f16')) throw explainLoadError(Object.assign(new Error('adapter without shader-f16'), { name: 'ShaderF16SupportError' }), { model: entry.id });
  const variant = webllmVariant(entry, quant);
  const webllm = deps.webllm ?? (await import('@mlc-ai/web-llm'));
  const pageUrl = globalThis.location?.href ?? 'http://localhost/';
  const build = resolveBuild(entry, { ...spec, quant }, webllm.prebuiltAppConfig.model_list, pageUrl);
  const smaller = smallerThan(entry.id, quant);
  const ctx: LoadContext = { model: `${entry.id} (${quant})`, url: build.modelUrl, downloadMB: variant.downloadMB, needMB: variant.vramMB, ...(smaller ? { smaller } : {}) };
  const timeoutMs = spec.preflightMs ?? 8000;

  let cached = false;
  try {
    cached = await webllm.hasModelInCache(build.modelId, build.appConfig);
  } catch {
    cached = false;
  }
  if (!cached) {
    // Both at once; the weights' failure is reported first (it names the folder layout).
    const checks = await Promise.allSettled([
      preflight(`${build.modelUrl}mlc-chat-config.json`, { timeoutMs, fetch: fetchFn, what: `mlc-chat-config.json of ${entry.id} (${quant})`, layoutHint: LAYOUT_HINT }),
      preflight(build.libUrl, { timeoutMs, fetch: fetchFn, method: 'HEAD', what: `the model library of ${entry.id} (${quant})`, layoutHint: `the local folder needs ${build.libUrl.split('/').pop()} next to the weights (docs/webllm-local.md)` }),
    ]);
    for (const c of checks) if (c.status === 'rejected') throw c.reason;
    await checkStorage(variant.downloadMB, ctx);
  }

  let tokenizer: ChatTokenizer;
  let ids: TokenIds;
  try {
    const [tj, tc] = await Promise.all(TOKENIZER_FILES.map((f) => cachedBytes(build.modelUrl + f, fetchFn, `${f} of ${entry.id}`)));
    const tokenizerJson = parse(tj!, `${entry.id}/tokenizer.json`);
    tokenizer = new ChatTokenizer(tokenizerJson, parse(tc!, `${entry.id}/tokenizer_config.json`));
    ids = new TokenIds(tokenizerJson);
  } catch (e) {
    throw explainLoadError(e, ctx);
  }

  const file = `${entry.id} (${quant})`;
  let backend: WebLLMBackend;
  try {
    backend = await webllm.CreateMLCEngine(build.modelId, { appConfig: build.appConfig, initProgressCallback: (r) => onProgress?.(progressOf(r, file)), logLevel: 'WARN' });
  } catch (e) {
    throw explainLoadError(e, ctx);
  }
  onProgress?.({ phase: 'warmup' });
  try {
    await backend.completions.create({ prompt: tokenizer.prompt([{ role: 'user', content: 'Hi' }]), max_tokens: 1, temperature: 0 });
  } catch (e) {
    await backend.unload().catch(() => undefined);
    throw explainLoadError(e, ctx);
  }
  onProgress?.({ phase: 'ready' });
  return new WebLLMEngine({ id: entry.id, model: build.modelId, backend, template: (m) => tokenizer.prompt(m), encode: (t) => tokenizer.encode(t), ids: (t) => ids.id(t) });
}
