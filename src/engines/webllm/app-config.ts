/**
 * web-llm's AppConfig for one build: the prebuilt record (from the installed web-llm, so the
 * model library always matches the runtime) pointed at the hub or at a local folder, with the
 * cache backend chosen by the user. Pure: takes the prebuilt model list as an argument.
 */
import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
import type { CatalogueEntry } from '../../core/catalogue.js';
import { folderUrl, webllmModelUrl, webllmVariant, type WebLLMQuant } from './catalogue.js';
import { ModelLoadError } from './errors.js';

/** web-llm cache backends offered in the Models view (the Cache API is web-llm's best-tested). */
export type CacheBackendChoice = 'cache' | 'indexeddb' | 'opfs';
export const CACHE_BACKENDS: CacheBackendChoice[] = ['cache', 'indexeddb', 'opfs'];

/** Our own Cache API store for the tokenizer files (web-llm keeps tokenizer.json only, in its own store). */
export const TOKENIZER_CACHE = 'reasoning-lab/webllm-tokenizer';
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'] as const;

/** web-llm's own normalisation of a model URL: a trailing "/", and "resolve/main/" unless a /resolve/<branch>/ segment is there. */
export function cleanModelUrl(url: string): string {
  let u = url.endsWith('/') ? url : `${url}/`;
  if (!/.+\/resolve\/.+\//.test(u)) u += 'resolve/main/';
  return u;
}

export interface BuildSpec {
  quant: WebLLMQuant;
  /** web-llm model URL (a folder ending in resolve/main/); default: the hub. Relative URLs resolve against `pageUrl`. */
  baseUrl?: string;
  /** Model library URL; default: web-llm's prebuilt one for the hub, the weights folder for a local build. */
  libUrl?: string;
  cacheBackend?: CacheBackendChoice;
  contextWindow?: number;
}

export interface ResolvedBuild {
  modelId: string;
  modelUrl: string;
  libUrl: string;
  /** True when the weights come from the hub (prebuilt record's URL). */
  hub: boolean;
  record: ModelRecord;
  appConfig: AppConfig;
}

/** The record and AppConfig of one build of `entry`. */
export function resolveBuild(entry: CatalogueEntry, spec: BuildSpec, prebuilt: ModelRecord[], pageUrl: string): ResolvedBuild {
  const variant = webllmVariant(entry, spec.quant);
  const pre = prebuilt.find((m) => m.model_id === variant.modelId);
  if (!pre) throw new ModelLoadError(`the installed @mlc-ai/web-llm has no prebuilt "${variant.modelId}": models/catalogue.json is out of date; run \`npx tsx tools/webllm-catalogue.ts\``, 'other');
  const hubUrl = cleanModelUrl(pre.model);
  const modelUrl = cleanModelUrl(folderUrl(spec.baseUrl ?? webllmModelUrl(entry, spec.quant, { kind: 'hub' }), pageUrl));
  const hub = modelUrl === hubUrl;
  const libFile = pre.model_lib.split('/').pop()!;
  const libUrl = spec.libUrl ? new URL(spec.libUrl, pageUrl).href : hub ? pre.model_lib : modelUrl + libFile;
  const record: ModelRecord = {
    ...pre,
    model: modelUrl,
    model_lib: libUrl,
    overrides: { ...pre.overrides, ...(spec.contextWindow ? { context_window_size: spec.contextWindow } : {}) },
    // web-llm then refuses a q4f16 build on an adapter without shader-f16 with a clear error.
    ...(spec.quant === 'q4f16' ? { required_features: [...new Set([...(pre.required_features ?? []), 'shader-f16'])] } : {}),
  };
  return { modelId: variant.modelId, modelUrl, libUrl, hub, record, appConfig: { model_list: [record], cacheBackend: spec.cacheBackend ?? 'cache' } };
}
