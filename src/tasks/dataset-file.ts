/**
 * A dataset file's text → Problems with the family's own row parser (the one `lab eval --input`
 * and `lab verify` use), and the choice of rows: by index, by ranges ("3-17", "0,4,9-12"), all,
 * or a seeded random sample ("random:20:7"). Pure (takes text), so the CLI, the browser views and
 * the workers share it; every error names the file, the line and the field.
 */
import { JsonlError, parseJsonl } from '../core/jsonl.js';
import { Rng } from '../core/rng.js';
import { dataset } from './datasets.js';
import type { Problem } from './types.js';

/** Most rows one dataset file may hold (GSM8K's train split has 7,473). */
export const MAX_DATASET_ROWS = 100_000;

/**
 * Every row of a JSONL dataset file as a Problem of `family`. All or nothing: the first bad line
 * throws a JsonlError (`file:line: field "x": why`), so callers never keep half a file.
 */
export function parseDatasetText(text: string, file: string, family: string): Problem[] {
  const fam = dataset(family);
  const rows = parseJsonl(text, file);
  if (rows.length > MAX_DATASET_ROWS) throw new JsonlError(file, rows[MAX_DATASET_ROWS]!.line, null, `too many rows (${rows.length}; limit ${MAX_DATASET_ROWS}): split the file`);
  const problems = rows.map((row, index) => fam.fromRow(row.value, { file, line: row.line, index }));
  const seen = new Map<string, number>();
  problems.forEach((p, i) => {
    const at = seen.get(p.id);
    if (at !== undefined) throw new JsonlError(file, rows[i]!.line, 'id', `"${p.id}" repeats the id of line ${rows[at]!.line}: ids must be unique`);
    seen.set(p.id, i);
  });
  return problems;
}

/** A bad row choice, with the message to show next to the input. */
export class PickError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickError';
  }
}

/** The text of a seeded random sample of `k` rows (what {@link pickRows} reads back). */
export function randomPick(k: number, seed: number): string {
  return `random:${k}:${seed}`;
}

/**
 * `k` distinct row indices out of `total`, drawn with the seed (a partial Fisher-Yates shuffle),
 * in ascending order. The same (total, k, seed) always gives the same rows.
 */
export function sampleRows(total: number, k: number, seed: number): number[] {
  const idx = Array.from({ length: total }, (_, i) => i);
  const rng = new Rng(`dataset-sample:${seed}`);
  const take = Math.min(k, total);
  for (let i = 0; i < take; i++) {
    const j = i + rng.int(total - i);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, take).sort((a, b) => a - b);
}

/**
 * Row indices (0-based, in the file's order) chosen by `pick` out of `total` rows:
 * `all`, `5`, `3-17` (both ends included), `0,4,9-12`, or `random:K:SEED`.
 * Throws a PickError that says what is wrong and what is accepted.
 */
export function pickRows(pick: string, total: number): number[] {
  const text = pick.trim();
  if (total < 1) throw new PickError('the dataset has no rows');
  if (text === '' || text === 'all') return Array.from({ length: total }, (_, i) => i);
  const rnd = /^random:(\d+):(\d+)$/.exec(text);
  if (rnd) {
    const k = Number(rnd[1]);
    if (k < 1) throw new PickError(`a random sample needs at least 1 row, got ${k}`);
    return sampleRows(total, k, Number(rnd[2]));
  }
  const out: number[] = [];
  const seen = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new PickError(`"${part}" is not a row number or a range: write rows like 3, 3-17 or 0,4,9-12 (rows count from 0), "all", or random:K:SEED`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new PickError(`range ${part} runs backwards: write ${hi}-${lo}`);
    if (hi >= total) throw new PickError(`row ${hi} is past the end: the dataset has rows 0-${total - 1}`);
    for (let i = lo; i <= hi; i++) {
      if (!seen.has(i)) out.push(i);
      seen.add(i);
    }
  }
  return out;
}
