/**
 * Node loader for the ort engine: onnxruntime-node with model files read from the project's
 * models/ folder. Missing files give an error naming the file and how to restore it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { findModel } from '../../core/catalogue.js';
import { OrtEngine, type OrtEngineOptions } from './engine.js';
import type { OrtNamespace } from './runner.js';

/** The repo's models/ folder (resolved from this file, so it works from any cwd). */
export const MODELS_DIR = resolve(fileURLToPath(new URL('../../../models', import.meta.url)));

const FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'];

/** The ONNX file of a catalogue id inside its folder (the q4f16 twin shares tiny-a's folder). */
function onnxFileOf(id: string): string {
  try {
    return findModel(id).onnxFile ?? 'onnx/model.onnx';
  } catch {
    return 'onnx/model.onnx'; // a model folder (checkpoint)
  }
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** True when `id` names a model folder (a checkpoint from `lab train`, or a copy of models/tiny-a). */
export function isModelFolder(id: string): boolean {
  return (id.includes('/') || id.includes('\\') || id.startsWith('.')) && existsSync(join(id, 'onnx', 'model.onnx'));
}

/**
 * The folder holding a model's files: a catalogue id (tiny-a) or a model folder path
 * (checkpoints/NAME). A path that is not a model folder gets a message saying what is missing.
 */
export function modelFolder(id: string): string {
  if (isModelFolder(id)) return resolve(id);
  let entry;
  try {
    entry = findModel(id);
  } catch (e) {
    if (existsSync(id)) throw new Error(`${id} is not a model or checkpoint folder: it has no onnx/model.onnx (a checkpoint is what \`lab train --out\` writes)`);
    if (/[\\/]/.test(id)) throw new Error(`model "${id}": no such catalogue id or folder (run \`lab models\` to list both)`);
    throw e;
  }
  if (entry.backend !== 'ort' || !entry.path) throw new Error(`model "${id}" runs on the ${entry.backend} backend, which the CLI does not support yet: use an embedded model (tiny-a, tiny-b) or a checkpoint folder`);
  return join(MODELS_DIR, entry.path);
}

/** Load an embedded catalogue model or a model folder (checkpoint) by path; or any folder via `dir`. */
export async function loadNodeEngine(id: string, opts: Partial<OrtEngineOptions> & { dir?: string } = {}): Promise<OrtEngine> {
  const dir = opts.dir ?? modelFolder(id);
  const onnx = opts.dir || isModelFolder(id) ? 'onnx/model.onnx' : onnxFileOf(id);
  for (const f of [...FILES, onnx]) {
    const p = join(dir, f);
    if (!existsSync(p)) throw new Error(`model file ${p} is missing: restore it with \`git checkout -- models\` or rebuild with \`bash tools/train-tiny/train.sh\``);
  }
  return OrtEngine.create(
    ort as unknown as OrtNamespace,
    {
      config: readJson(join(dir, 'config.json')),
      generationConfig: readJson(join(dir, 'generation_config.json')),
      tokenizer: readJson(join(dir, 'tokenizer.json')),
      tokenizerConfig: readJson(join(dir, 'tokenizer_config.json')),
      onnx: join(dir, onnx),
    },
    { id, device: 'cpu', sessionOptions: { executionProviders: ['cpu'], intraOpNumThreads: 1, ...opts.sessionOptions }, ...(opts.cacheBytes !== undefined ? { cacheBytes: opts.cacheBytes } : {}) },
  );
}
