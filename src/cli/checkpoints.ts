/** Checkpoint folders on disk: written whole or not at all, read back, listed for `lab models`. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic } from './atomic-write.js';
import { unpackTar } from '../train/tar.js';
import { parseCheckpointMeta, type CheckpointMeta, type ModelFolder } from '../train/checkpoint.js';

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `not valid JSON (${(e as Error).message})`}`);
  }
}

/** The files of a model folder (embedded model or checkpoint). */
export function readModelFolder(dir: string): ModelFolder {
  const onnxPath = join(dir, 'onnx', 'model.onnx');
  if (!existsSync(onnxPath)) throw new Error(`${dir} is not a model folder: ${onnxPath} is missing`);
  return {
    config: readJson(join(dir, 'config.json')),
    generationConfig: readJson(join(dir, 'generation_config.json')),
    tokenizer: readJson(join(dir, 'tokenizer.json')),
    tokenizerConfig: readJson(join(dir, 'tokenizer_config.json')),
    onnx: new Uint8Array(readFileSync(onnxPath)),
  };
}

/**
 * Write a checkpoint folder whole or not at all (see writeDirAtomic). An interrupted write keeps
 * the previous checkpoint; a full disk gets a message naming the folder and the fix.
 */
export function writeCheckpointDir(out: string, files: Map<string, Uint8Array>): void {
  try {
    writeDirAtomic(out, files);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOSPC' ? `cannot save the checkpoint ${out}: the disk is full (the previous checkpoint is kept); free space and run again with --resume` : `cannot save the checkpoint ${out}: ${(e as Error).message}`);
  }
}

/** trainer_state.json of a checkpoint folder, or null for a plain model folder. */
export function readCheckpointMeta(dir: string): CheckpointMeta | null {
  const p = join(dir, 'trainer_state.json');
  return existsSync(p) ? parseCheckpointMeta(readFileSync(p, 'utf8'), p) : null;
}

/** Checkpoint folders under `root` (default checkpoints/ in the working directory). */
export function listCheckpoints(root = 'checkpoints'): { path: string; meta: CheckpointMeta }[] {
  if (!existsSync(root)) return [];
  const out: { path: string; meta: CheckpointMeta }[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (/\.(tmp|old)-\d+$/.test(name) || !statSync(dir).isDirectory()) continue;
    try {
      const meta = readCheckpointMeta(dir);
      if (meta) out.push({ path: dir, meta });
    } catch {
      // A damaged folder is not a checkpoint; `lab train --resume` on it names the problem.
    }
  }
  return out;
}

const MODEL_FLAGS = new Set(['--model', '--policy', '--reference', '--reflect-model']);

/**
 * A checkpoint exported from the browser is one `.tar` file: wherever a model flag names one,
 * unpack it once next to itself (`x.tar` → `x/`) and pass that folder on. A comma list (`lab eval
 * --model a,b.tar`) is handled item by item.
 */
export function unpackTarModels(argv: string[]): string[] {
  return argv.map((arg, i) => {
    if (i === 0 || !MODEL_FLAGS.has(argv[i - 1]!)) return arg;
    return arg
      .split(',')
      .map((m) => {
        if (!m.endsWith('.tar')) return m;
        if (!existsSync(m)) throw new Error(`${m}: no such file`);
        const dir = m.slice(0, -4);
        if (!existsSync(join(dir, 'onnx', 'model.onnx'))) {
          const files = unpackTar(new Uint8Array(readFileSync(m)), m);
          if (!files.has('onnx/model.onnx')) throw new Error(`${m}: not a checkpoint archive (no onnx/model.onnx inside)`);
          writeDirAtomic(dir, files);
        }
        return dir;
      })
      .join(',');
  });
}
