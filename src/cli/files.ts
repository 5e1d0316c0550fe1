/** File output for the CLI: never half-written (write a temp file next to the target, then rename). */
import { renameSync, writeFileSync } from 'node:fs';

export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
