/**
 * What the Models view asks to load (the `load-model` event) and the worker specs it becomes.
 */
import type { CacheBackendChoice } from './app-config.js';
import type { OnnxDtype, WebLLMQuant } from './catalogue.js';
import type { MemoryEstimate } from './memory.js';

/** Load a web-llm build in the engine worker. */
export interface WebLLMModelSpec {
  backend: 'webllm';
  /** Catalogue id (or a web-llm model_id alias). */
  id: string;
  /** Default: q4f16 when the adapter has shader-f16, else q4f32. */
  quant?: WebLLMQuant;
  /** web-llm model URL (folder ending in resolve/main/). Default: the Hugging Face hub. */
  baseUrl?: string;
  /** Model library (.wasm) URL. Default: web-llm's for the hub, next to the weights for a local folder. */
  libUrl?: string;
  cacheBackend?: CacheBackendChoice;
  /** Give up on an unreachable host after this many ms (default 8000). */
  preflightMs?: number;
  /** Override of web-llm's context window (default 4096). */
  contextWindow?: number;
}

/** Load an ONNX model with the ort backend in the engine worker (WebModelSpec of ort/web.ts plus the file to use). */
export interface OrtModelSpec {
  backend: 'ort';
  id: string;
  /** Folder URL holding config.json, tokenizer files and the ONNX file. */
  baseUrl: string;
  device: 'webgpu' | 'wasm';
  /** A trained checkpoint kept in IndexedDB (src/store/checkpoints.ts): loaded from there, not from baseUrl. */
  checkpoint?: string;
  /** ONNX file in the folder (default "onnx/model.onnx"; onnx-community: "onnx/model_q4.onnx"). */
  onnxFile?: string;
  cacheBytes?: number;
  /** Give up on an unreachable host after this many ms (default 8000). */
  preflightMs?: number;
}

/**
 * An OpenAI-compatible server (lab serve, vLLM, llama.cpp, Ollama) used from the engine worker.
 * The key lives only in the worker's memory (and, if the user asks, the tab's sessionStorage):
 * never in the URL, IndexedDB or an export.
 */
export interface OpenAIModelSpec {
  backend: 'openai';
  /** Engine id in the lab, e.g. "server:tiny-a". */
  id: string;
  /** e.g. http://127.0.0.1:8000/v1 */
  baseUrl: string;
  /** The model name the server knows. */
  model: string;
  apiKey?: string;
  /** Folder of a model whose chat template the server uses (needed for search continuations and scoring), e.g. /models/tiny-a/. */
  templateUrl?: string;
}

export type BrowserModelSpec = OrtModelSpec | WebLLMModelSpec | OpenAIModelSpec;

/** Detail of the `load-model` event of `<lab-model-list>`. */
export interface LoadModelDetail {
  id: string;
  backend: 'ort' | 'webllm';
  /** q4f16 / q4f32 (web-llm), q4f16 / q4 (ONNX), fp32 (embedded). */
  quant: string;
  /** Folder URL of the weights (web-llm: its model URL; ort: the folder of config.json). */
  baseUrl: string;
  /** ONNX file within baseUrl (ort entries). */
  onnxFile?: string;
  embedded: boolean;
  cacheBackend: CacheBackendChoice;
  /** The memory estimate shown to the user (the shell may keep it for the multi-model total). */
  estimate: MemoryEstimate;
}

/** The worker spec of a `load-model` event. `device` applies to the ort backend (web-llm always runs on WebGPU). */
export function specFromDetail(d: LoadModelDetail, device: 'webgpu' | 'wasm'): BrowserModelSpec {
  if (d.backend === 'webllm') return { backend: 'webllm', id: d.id, quant: d.quant as WebLLMQuant, baseUrl: d.baseUrl, cacheBackend: d.cacheBackend };
  return { backend: 'ort', id: d.id, baseUrl: d.baseUrl, device, ...(d.onnxFile ? { onnxFile: d.onnxFile } : {}) };
}

export type { OnnxDtype, WebLLMQuant };
