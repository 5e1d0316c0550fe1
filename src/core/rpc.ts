/**
 * The typed message protocol between the UI and an engine worker
 * (load / progress / ready / generate / update / complete / score / interrupt / error).
 */
import type { EngineInfo, GenerateRequest, LoadProgress, ScoreRequest, TokenEvent } from './engine.js';

/** What to load in a worker. */
export interface ModelSpec {
  backend: 'ort';
  id: string;
  baseUrl: string;
  device: 'webgpu' | 'wasm';
  cacheBytes?: number;
}

export type ToWorker =
  | { type: 'load'; id: number; spec: ModelSpec }
  | { type: 'generate'; id: number; request: Omit<GenerateRequest, 'onToken'>; stream: boolean }
  | { type: 'score'; id: number; request: ScoreRequest }
  | { type: 'tokenize'; id: number; text: string }
  | { type: 'interrupt'; id: number; target: number }
  | { type: 'dispose'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; progress: LoadProgress }
  | { type: 'ready'; id: number; info: EngineInfo }
  | { type: 'update'; id: number; event: TokenEvent }
  | { type: 'complete'; id: number; result: unknown }
  | { type: 'error'; id: number; error: { name: string; message: string } };
