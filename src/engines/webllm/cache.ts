/**
 * The browser's model cache, through web-llm's own helpers (hasModelInCache,
 * deleteModelAllInfoInCache) so the keys always match what web-llm wrote: which builds are
 * cached (per weight source and cache backend, since web-llm keys its cache by URL), deleting
 * them, and how much storage is left. web-llm is imported on first use only.
 */
import type { CatalogueEntry } from '../../core/catalogue.js';
import { TOKENIZER_CACHE, TOKENIZER_FILES, resolveBuild, type CacheBackendChoice } from './app-config.js';
import type { WebLLMQuant } from './catalogue.js';

export interface StorageReport {
  usageMB: number;
  quotaMB: number;
}

/** What the Models view needs; `webllmCache()` is the real one, tests may pass another. */
export interface CacheOps {
  /** The builds of `entry` that are cached (empty for entries web-llm does not manage). */
  cachedBuilds(entry: CatalogueEntry, baseUrlOf: (quant: WebLLMQuant) => string, cacheBackend: CacheBackendChoice): Promise<WebLLMQuant[]>;
  /** Delete the given builds (weights, model library, chat config, tokenizer files). */
  remove(entry: CatalogueEntry, quants: WebLLMQuant[], baseUrlOf: (quant: WebLLMQuant) => string, cacheBackend: CacheBackendChoice): Promise<void>;
  storage(): Promise<StorageReport | null>;
}

type WebLLM = typeof import('@mlc-ai/web-llm');

const QUANTS: WebLLMQuant[] = ['q4f16', 'q4f32'];

/** Cache operations backed by the installed web-llm. */
export function webllmCache(pageUrl: string = globalThis.location?.href ?? 'http://localhost/', load: () => Promise<WebLLM> = () => import('@mlc-ai/web-llm')): CacheOps {
  let lib: Promise<WebLLM> | null = null;
  const webllm = () => (lib ??= load());
  const build = async (entry: CatalogueEntry, quant: WebLLMQuant, baseUrl: string, cacheBackend: CacheBackendChoice) => resolveBuild(entry,
    { quant, baseUrl, cacheBackend }, (await webllm()).prebuiltAppConfig.model_list, pageUrl);
  return {
    async cachedBuilds(entry, baseUrlOf, cacheBackend) {
      if (!entry.webllm) return [];
      const w = await webllm();
      const out: WebLLMQuant[] = [];
      for (const q of QUANTS) {
        const b = await build(entry, q, baseUrlOf(q), cacheBackend);
        if (await w.hasModelInCache(b.modelId, b.appConfig).catch(() => false)) out.push(q);
      }
      return out;
    },
    async remove(entry, quants, baseUrlOf, cacheBackend) {
      if (!entry.webllm) return;
      const w = await webllm();
      for (const q of quants) {
        const b = await build(entry, q, baseUrlOf(q), cacheBackend);
        await w.deleteModelAllInfoInCache(b.modelId, b.appConfig);
        const store = globalThis.caches ? await globalThis.caches.open(TOKENIZER_CACHE).catch(() => null) : null;
        for (const f of TOKENIZER_FILES) await store?.delete(b.modelUrl + f).catch(() => false);
      }
    },
    storage: storageReport,
  };
}

/** navigator.storage.estimate() in MB, or null where the browser has none. */
export async function storageReport(): Promise<StorageReport | null> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage?.estimate) return null;
  const est = await storage.estimate().catch(() => null);
  if (!est || est.quota === undefined || est.usage === undefined) return null;
  return { usageMB: Math.round(est.usage / (1024 * 1024)), quotaMB: Math.round(est.quota / (1024 * 1024)) };
}
