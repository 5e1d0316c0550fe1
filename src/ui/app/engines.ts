/**
 * Loading models into the page: one module worker per model, so a think model and a reflect model
 * run side by side and a crash in one never takes the other down. Loaded engines are published
 * on the session for every view.
 */
import { catalogue } from '../../core/catalogue.js';
import type { LoadProgress } from '../../core/engine.js';
import type { ModelSpec } from '../../core/rpc.js';
import { WorkerEngine } from '../../engines/worker-client.js';
import { session } from './session.js';
import { writeLesson } from './lesson-link.js';

/** Start a worker, load `spec` in it and publish the engine under `spec.id`. */
export async function loadEngine(spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<WorkerEngine> {
  await unloadEngine(spec.id);
  const worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), { type: 'module' });
  try {
    const engine = await WorkerEngine.load(worker, spec, onProgress);
    const engines = new Map(session.state.engines);
    engines.set(spec.id, engine);
    session.update({ engines });
    return engine;
  } catch (e) {
    worker.terminate();
    throw e;
  }
}

/** Dispose a loaded engine (terminates its worker) and remove it from the session. */
export async function unloadEngine(id: string): Promise<void> {
  const old = session.state.engines.get(id);
  if (!old) return;
  const engines = new Map(session.state.engines);
  engines.delete(id);
  session.update({ engines });
  await old.dispose();
}

/** Spec of an embedded model served by the app itself (models/<id>/). */
export function embeddedSpec(id: string, device: 'webgpu' | 'wasm'): ModelSpec {
  // The q4f16 twin shares tiny-a's folder with another ONNX file (like onnx-community repos).
  const e = catalogue().find((m) => m.id === id && m.embedded);
  return { backend: 'ort', id, baseUrl: `${import.meta.env.BASE_URL}models/${e?.path ?? id}/`, device, ...(e?.onnxFile ? { onnxFile: e.onnxFile } : {}) };
}

/**
 * Load a checkpoint saved by the Train view (IndexedDB) as a model named by its id, and its base
 * model beside it when missing, so Objectives can score policy = checkpoint, reference = base
 * (written into the lesson hash as its defaults).
 */
export async function loadCheckpointModel(c: { id: string; base: string }, device: 'webgpu' | 'wasm'): Promise<void> {
  await loadEngine({ backend: 'ort', id: c.id, baseUrl: `${import.meta.env.BASE_URL}models/${c.base}/`, device, checkpoint: c.id });
  if (!session.state.engines.has(c.base)) await loadEngine(embeddedSpec(c.base, device));
  writeLesson({ opolicy: c.id, oref: c.base });
}
