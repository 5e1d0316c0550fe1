/**
 * The typed message protocol between the UI and an engine worker
 * (load / progress / ready / generate / update / complete / score / interrupt / error).
 */
import type { EngineInfo, GenerateRequest, LoadProgress, ScoreRequest, TokenEvent } from './engine.js';

/**
 * What to load in a worker: an ONNX model on the ort backend (embedded or a local/hub folder) or a
 * web-llm build. Mirrors BrowserModelSpec of src/engines/webllm/spec.ts (core imports no engines).
 */
export type ModelSpec =
  | { backend: 'ort'; id: string; baseUrl: string; device: 'webgpu' | 'wasm'; onnxFile?: string; cacheBytes?: number; preflightMs?: number; checkpoint?: string }
  | { backend: 'webllm'; id: string; quant?: 'q4f16' | 'q4f32'; baseUrl?: string; libUrl?: string; cacheBackend?: 'cache' | 'indexeddb' | 'opfs'; preflightMs?: number; contextWindow?: number }
  | { backend: 'openai'; id: string; baseUrl: string; model: string; apiKey?: string; templateUrl?: string };

export type ToWorker =
  | { type: 'load'; id: number; spec: ModelSpec }
  | { type: 'generate'; id: number; request: Omit<GenerateRequest, 'onToken'>; stream: boolean }
  | { type: 'score'; id: number; request: ScoreRequest }
  | { type: 'tokenize'; id: number; text: string }
  | { type: 'detokenize'; id: number; ids: number[] }
  | { type: 'interrupt'; id: number; target: number }
  | { type: 'dispose'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; progress: LoadProgress }
  | { type: 'ready'; id: number; info: EngineInfo }
  | { type: 'update'; id: number; event: TokenEvent }
  | { type: 'complete'; id: number; result: unknown }
  | { type: 'error'; id: number; error: { name: string; message: string } }
  /**
   * The engine worker can no longer serve this endpoint (its model was unloaded, or it crashed):
   * every pending request of the endpoint fails with `error` and later ones are refused.
   */
  | { type: 'fatal'; id: 0; error: { name: string; message: string } };
