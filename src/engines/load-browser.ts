/**
 * One entry point for the engine worker's `load`: a web-llm build, or an ONNX model on the ort
 * backend. Hub and local folders both get a preflight first (config file, short timeout), so
 * an offline browser or a wrong folder fails in seconds with a message that names the fix.
 */
import type { Engine, LoadProgress } from '../core/engine.js';
import { createWebEngine, loadWebEngine } from './ort/web.js';
import { preflight } from './preflight.js';
import { folderUrl } from './webllm/catalogue.js';
import { explainLoadError, ModelLoadError } from './webllm/errors.js';
import { loadWebLLMEngine } from './webllm/load.js';
import { OpenAIEngine } from './openai/engine.js';
import { ChatTokenizer } from './ort/tokenizer.js';
import type { BrowserModelSpec, OpenAIModelSpec, OrtModelSpec } from './webllm/spec.js';

/**
 * Whether src/engines/ort/web.ts honours `onnxFile` (it loads onnx/model.onnx only until it
 * does). Without it an onnx-community folder would load its full-precision onnx/model.onnx, so
 * another file is refused instead.
 */
export const ORT_WEB_LOADS_ONNX_FILE = true;

/** Load any browser model spec (see BrowserModelSpec). */
export async function loadBrowserEngine(spec: BrowserModelSpec, onProgress?: (p: LoadProgress) => void): Promise<Engine> {
  if (spec.backend === 'webllm') return loadWebLLMEngine(spec, onProgress);
  if (spec.backend === 'openai') return loadOpenAIEngine(spec, onProgress);
  return loadOrtEngine(spec, onProgress);
}

/** Connect to an OpenAI-compatible server and probe what it can do (fails fast when unreachable). */
async function loadOpenAIEngine(spec: OpenAIModelSpec, onProgress?: (p: LoadProgress) => void): Promise<Engine> {
  onProgress?.({ phase: 'init' });
  let chatTemplate: ((m: Parameters<ChatTokenizer['prompt']>[0]) => string) | undefined;
  if (spec.templateUrl) {
    const base = folderUrl(spec.templateUrl, globalThis.location?.href ?? 'http://localhost/');
    const get = async (f: string) => {
      const r = await fetch(base + f);
      if (!r.ok) throw new Error(`chat template: could not read ${base}${f} (HTTP ${r.status})`);
      return (await r.json()) as Record<string, unknown>;
    };
    const tok = new ChatTokenizer(await get('tokenizer.json'), await get('tokenizer_config.json'));
    chatTemplate = (m) => tok.prompt(m);
  }
  const engine = new OpenAIEngine({ baseUrl: spec.baseUrl, model: spec.model, id: spec.id, timeoutMs: 60_000,
    ...(spec.apiKey ? { apiKey: spec.apiKey } : {}), ...(chatTemplate ? { chatTemplate } : {}) });
  await engine.probe(AbortSignal.timeout(spec.baseUrl.includes('127.0.0.1') || spec.baseUrl.includes('localhost') ? 5000 : 15000));
  onProgress?.({ phase: 'ready' });
  return engine;
}

async function loadOrtEngine(spec: OrtModelSpec, onProgress?: (p: LoadProgress) => void): Promise<Engine> {
  if (spec.checkpoint) throw new Error(`${spec.id} is a checkpoint kept in IndexedDB: load it with loadCheckpointEngine and its files`);
  const file = spec.onnxFile ?? 'onnx/model.onnx';
  const base = folderUrl(spec.baseUrl, globalThis.location?.href ?? 'http://localhost/');
  await preflight(`${base}config.json`, { timeoutMs: spec.preflightMs ?? 8000, what: `config.json of ${spec.id}`, layoutHint: `an ONNX folder holds config.json, generation_config.json, tokenizer.json, tokenizer_config.json and ${file} (see docs/webllm-local.md)` });
  if (file !== 'onnx/model.onnx' && !ORT_WEB_LOADS_ONNX_FILE) throw new ModelLoadError(`the ort web loader cannot load ${file} of ${spec.id} yet: src/engines/ort/web.ts loads onnx/model.onnx only (add its onnxFile option)`, 'other');
  try {
    return await loadWebEngine({ id: spec.id, baseUrl: base, device: spec.device, ...(spec.cacheBytes !== undefined ? { cacheBytes: spec.cacheBytes } : {}),
      ...(ORT_WEB_LOADS_ONNX_FILE ? { onnxFile: file } : {}) }, onProgress);
  } catch (e) {
    throw explainLoadError(e, { model: spec.id, url: base });
  }
}


/**
 * A checkpoint trained in the browser (Train view) from its files (read from IndexedDB by the
 * caller: engines/ does not know the store), in createWebEngine's order.
 */
export async function loadCheckpointEngine(spec: OrtModelSpec, files: Uint8Array[], onProgress?: (p: LoadProgress) => void): Promise<Engine> {
  onProgress?.({ phase: 'init' });
  const engine = await createWebEngine(spec.id, files, spec.device, spec.cacheBytes);
  onProgress?.({ phase: 'warmup' });
  await engine.prefill([0], false);
  onProgress?.({ phase: 'ready' });
  return engine;
}
