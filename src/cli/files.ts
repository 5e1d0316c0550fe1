/** File output for the CLI: never half-written (write a temp file next to the target, then rename). */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseJsonl } from '../data/jsonl.js';
import { dataset } from '../tasks/datasets.js';
import type { Problem } from '../tasks/types.js';

/** Problems from a dataset JSONL file in the dataset's own fields (errors name file:line:field). */
export function readDatasetFile(path: string, task: string): Problem[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
  const fam = dataset(task);
  return parseJsonl(text, path).map((row, index) => fam.fromRow(row.value, { file: path, line: row.line, index }));
}

export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
