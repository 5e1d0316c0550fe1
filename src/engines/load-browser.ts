/**
 * One entry point for the engine worker's `load`: a web-llm build, or an ONNX model on the ort
 * backend. Hub and local folders both get a preflight first (config file, short timeout), so
 * an offline browser or a wrong folder fails in seconds with a message that names the fix.
 */
import type { Engine, LoadProgress } from '../core/engine.js';
import { loadWebEngine } from './ort/web.js';
import { preflight } from './preflight.js';
import { folderUrl } from './webllm/catalogue.js';
import { explainLoadError, ModelLoadError } from './webllm/errors.js';
import { loadWebLLMEngine } from './webllm/load.js';
import type { BrowserModelSpec, OrtModelSpec } from './webllm/spec.js';

/**
 * Whether src/engines/ort/web.ts honours `onnxFile` (it loads onnx/model.onnx only until it
 * does). Without it an onnx-community folder would load its full-precision onnx/model.onnx, so
 * another file is refused instead.
 */
export const ORT_WEB_LOADS_ONNX_FILE = true;

/** Load any browser model spec (see BrowserModelSpec). */
export async function loadBrowserEngine(spec: BrowserModelSpec, onProgress?: (p: LoadProgress) => void): Promise<Engine> {
  if (spec.backend === 'webllm') return loadWebLLMEngine(spec, onProgress);
  return loadOrtEngine(spec, onProgress);
}

async function loadOrtEngine(spec: OrtModelSpec, onProgress?: (p: LoadProgress) => void): Promise<Engine> {
  const file = spec.onnxFile ?? 'onnx/model.onnx';
  const base = folderUrl(spec.baseUrl, globalThis.location?.href ?? 'http://localhost/');
  await preflight(`${base}config.json`, { timeoutMs: spec.preflightMs ?? 8000, what: `config.json of ${spec.id}`, layoutHint: `an ONNX folder holds config.json, generation_config.json, tokenizer.json, tokenizer_config.json and ${file} (see docs/webllm-local.md)` });
  if (file !== 'onnx/model.onnx' && !ORT_WEB_LOADS_ONNX_FILE) throw new ModelLoadError(`the ort web loader cannot load ${file} of ${spec.id} yet: src/engines/ort/web.ts loads onnx/model.onnx only (add its onnxFile option)`, 'other');
  try {
    return await loadWebEngine({ id: spec.id, baseUrl: base, device: spec.device, ...(spec.cacheBytes !== undefined ? { cacheBytes: spec.cacheBytes } : {}), ...(ORT_WEB_LOADS_ONNX_FILE ? { onnxFile: file } : {}) }, onProgress);
  } catch (e) {
    throw explainLoadError(e, { model: spec.id, url: base });
  }
}
