/**
 * Dataset-backed task families by name (rows from JSONL files, the dataset's own fields), plus
 * a generic {question, answer} reader for the built-in numeric families.
 */
import { JsonlError } from '../core/jsonl.js';
import { planbench } from './blocksworld.js';
import { aime } from './aime.js';
import { gsm8k } from './gsm8k.js';
import { ifeval } from './ifeval.js';
import { math } from './math.js';
import { FAMILIES } from './index.js';
import type { DatasetFamily, RowContext } from './types.js';

function text(row: Record<string, unknown>, field: string, ctx: RowContext): string {
  const v = row[field];
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string' || v === '') throw new JsonlError(ctx.file, ctx.line, field, v === undefined ? 'is missing' : 'must be a non-empty string');
  return v;
}

/** A built-in family read from rows {id?, question, answer} (what `lab eval --input` takes). */
function generic(name: 'letters' | 'arithmetic' | 'wordproblems'): DatasetFamily {
  const fam = FAMILIES[name];
  return {
    name,
    description: fam.description,
    fromRow(row, ctx) {
      const id = typeof row.id === 'string' || typeof row.id === 'number' ? String(row.id) : String(ctx.index);
      return { id, family: name, question: text(row, 'question', ctx), answer: text(row, 'answer', ctx) };
    },
    verify(problem, output) {
      try {
        return fam.verify(problem, output);
      } catch (e) {
        return { correct: false, extracted: null, reason: `verifier error: ${(e as Error).message}` };
      }
    },
  };
}

const REGISTRY: Record<string, DatasetFamily> = {
  letters: generic('letters'),
  arithmetic: generic('arithmetic'),
  wordproblems: generic('wordproblems'),
  blocksworld: planbench,
  ifeval,
  gsm8k,
  math,
  aime,
};

/** Register a dataset family (used for families defined in their own modules). */
export function registerDataset(f: DatasetFamily): void {
  REGISTRY[f.name] = f;
}

/** A dataset family by name, or an error naming the valid ones. */
export function dataset(name: string): DatasetFamily {
  const f = REGISTRY[name];
  if (!f) throw new Error(`unknown task "${name}" for dataset files: choose one of ${Object.keys(REGISTRY).join(', ')}`);
  return f;
}

export function datasetNames(): string[] {
  return Object.keys(REGISTRY);
}
