/** Dataset input for the CLI; output goes through ./atomic-write.ts (never half-written). */
import { readFileSync } from 'node:fs';
import { parseDatasetText } from '../tasks/dataset-file.js';
import type { Problem } from '../tasks/types.js';

/** Problems from a dataset JSONL file in the dataset's own fields (errors name file:line:field). */
export function readDatasetFile(path: string, task: string): Problem[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
  return parseDatasetText(text, path, task);
}

export { writeFileAtomic } from './atomic-write.js';
