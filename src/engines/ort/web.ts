/**
 * Browser loader for the ort engine: onnxruntime-web (WebGPU or wasm execution provider) with
 * model files fetched from the app itself (per-file download progress), and ORT's wasm runtime
 * served by the app under /ort/ — never from a CDN.
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { LoadProgress } from '../../core/engine.js';
import { OrtEngine } from './engine.js';
import { GpuOutputStore } from './gpu-kv.js';
import type { KvGeometry, OrtNamespace } from './runner.js';

export interface WebModelSpec {
  /** Catalogue id, e.g. "tiny-a". */
  id: string;
  /** Folder URL holding config.json, tokenizer files and onnx/model.onnx (e.g. "/models/tiny-a/"). */
  baseUrl: string;
  device: 'webgpu' | 'wasm';
  /** The ONNX file inside the folder (default onnx/model.onnx; e.g. onnx/model_q4.onnx for onnx-community builds). */
  onnxFile?: string;
  /** Where ORT's .wasm files are served (default "/ort/"). */
  wasmPaths?: string;
  cacheBytes?: number;
  /** On WebGPU, keep KV and logits on the device (default true; false = the read-everything path, for benchmarks). */
  deviceKv?: boolean;
}

/** An HTTP error answer (404, 500…): the server spoke, so downloading again would not help. */
class HttpStatusError extends Error {}

/**
 * Fetch one file with progress; errors name the file and the HTTP status. A download that breaks
 * off is tried once more past the HTTP cache: on a first visit the offline service worker
 * precaches the same model files while it installs, and Chromium fails one of two concurrent
 * writers of a cache entry (net::ERR_CACHE_WRITE_FAILURE), which read as "offline".
 */
export async function fetchWithProgress(url: string, file: string, onProgress?: (p: LoadProgress) => void): Promise<Uint8Array> {
  try {
    return await download(url, file, 'default', onProgress);
  } catch (e) {
    if (e instanceof HttpStatusError) throw e;
    return download(url, file, 'no-store', onProgress);
  }
}

async function download(url: string, file: string, cache: RequestCache, onProgress?: (p: LoadProgress) => void): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { cache });
  } catch (e) {
    throw new Error(`could not download ${file} from ${url}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new HttpStatusError(`could not download ${file}: ${url} answered HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length')) || undefined;
  if (!res.body) {
    const buf = new Uint8Array(await res.arrayBuffer());
    onProgress?.({ phase: 'download', file, loaded: buf.byteLength, total: buf.byteLength });
    return buf;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress?.({ phase: 'download', file, loaded, ...(total ? { total } : {}) });
  }
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  onProgress?.({ phase: 'download', file, loaded, total: loaded });
  return out;
}

function json(bytes: Uint8Array, file: string): Record<string, unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Whether this browser exposes a WebGPU adapter (checked before any download). */
export async function hasWebGpu(): Promise<boolean> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

async function hasShaderF16(): Promise<boolean> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  return !!adapter?.features.has('shader-f16');
}

/**
 * An engine from a model folder's bytes (config, generation config, tokenizer, tokenizer config,
 * ONNX), e.g. a checkpoint kept in IndexedDB. ORT's runtime comes from `wasmPaths` (default the
 * app's /ort/).
 */
export async function createWebEngine(id: string, files: Uint8Array[], device: 'webgpu' | 'wasm', cacheBytes?: number, wasmPaths?: string, deviceKv = true): Promise<OrtEngine> {
  // Always set: ORT's default points at a CDN, and nothing may be fetched from one.
  ort.env.wasm.wasmPaths = new URL(wasmPaths ?? '/ort/', globalThis.location?.href ?? 'http://localhost/').href;
  ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  if (device === 'webgpu' && !(await hasWebGpu())) throw new Error('WebGPU is not available in this browser: choose the wasm device (slower) or a browser with WebGPU enabled');
  const engine = await OrtEngine.create(
    ort as unknown as OrtNamespace,
    {
      config: json(files[0]!, 'config.json'),
      generationConfig: json(files[1]!, 'generation_config.json'),
      tokenizer: json(files[2]!, 'tokenizer.json'),
      tokenizerConfig: json(files[3]!, 'tokenizer_config.json'),
      onnx: files[4]!,
    },
    {
      id,
      device,
      ...(cacheBytes !== undefined ? { cacheBytes } : {}),
      ...(device === 'webgpu' && deviceKv
        ? {
            sessionOptions: { executionProviders: [device], preferredOutputLocation: 'gpu-buffer' as const },
            // ORT's device exists once the first WebGPU session does; the copies must run on it.
            outputStore: async (g: KvGeometry) => new GpuOutputStore(ort as unknown as OrtNamespace, g, (await ort.env.webgpu.device) as GPUDevice),
          }
        : { sessionOptions: { executionProviders: [device] }, countsDeviceReads: device === 'webgpu' }),
    },
  );
  if (device === 'webgpu' && engine.runner.kvType === 'float16' && !(await hasShaderF16())) {
    await engine.dispose();
    throw new Error(`${id} is a float16 (q4f16) build and this WebGPU adapter has no shader-f16 feature: choose the wasm device, or a q4 (float32) build of the model`);
  }
  return engine;
}

/** Load a model in the browser. Throws a clear error when WebGPU is asked for but missing. */
export async function loadWebEngine(spec: WebModelSpec, onProgress?: (p: LoadProgress) => void): Promise<OrtEngine> {
  if (spec.device === 'webgpu' && !(await hasWebGpu())) throw new Error('WebGPU is not available in this browser: choose the wasm device (slower) or a browser with WebGPU enabled');
  ort.env.wasm.wasmPaths = new URL(spec.wasmPaths ?? '/ort/', globalThis.location?.href ?? 'http://localhost/').href;
  // Threads need cross-origin isolation; fall back to one thread without it.
  ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  const base = spec.baseUrl.endsWith('/') ? spec.baseUrl : `${spec.baseUrl}/`;
  const names = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', spec.onnxFile ?? 'onnx/model.onnx'];
  const files = await Promise.all(names.map((f) => fetchWithProgress(base + f, `${spec.id}/${f}`, onProgress)));
  onProgress?.({ phase: 'init' });
  const engine = await createWebEngine(spec.id, files, spec.device, spec.cacheBytes, spec.wasmPaths, spec.deviceKv ?? true);
  // Warm-up: one short forward pass so the first user request does not pay shader compilation.
  onProgress?.({ phase: 'warmup' });
  await engine.prefill([0], false);
  onProgress?.({ phase: 'ready' });
  return engine;
}
