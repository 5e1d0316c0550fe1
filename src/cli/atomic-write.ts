/**
 * The one way the CLI and the build tools write files: never half-written.
 *
 * - `writeFileAtomic(path, data)`: a temp file next to the target, then rename; on any error the
 *   temp file is removed and the target is left as it was.
 * - `writeDirAtomic(dir, files)`: a whole folder (a `lab train` checkpoint) written under a temp
 *   name and swapped in; the previous folder stays until the new one is complete.
 * - `JsonlAppender`: a long job (`lab mcts --out`) appends each finished record to
 *   `PATH.partial` as it goes and renames it to PATH at the end, so a crash after an hour keeps
 *   every finished record; `resume` reads back what an earlier run wrote (PATH.partial after a
 *   crash, else PATH) so those records are kept and their work skipped.
 */
import { appendFileSync, existsSync, fsyncSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function writeDirAtomic(out: string, files: Map<string, Uint8Array>): void {
  const tmp = `${out}.tmp-${process.pid}`;
  const old = `${out}.old-${process.pid}`;
  try {
    rmSync(tmp, { recursive: true, force: true });
    for (const [rel, data] of files) {
      const p = join(tmp, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, data);
    }
    mkdirSync(dirname(resolve(out)), { recursive: true });
    if (existsSync(out)) renameSync(out, old);
    renameSync(tmp, out);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(out) && existsSync(old)) renameSync(old, out);
    throw e;
  }
}

/** A record carried over from an earlier run, with its 1-based line in the file it came from. */
export interface KeptRecord {
  line: number;
  value: Record<string, unknown>;
}

/** Append-as-you-go JSONL output, renamed into place by `finish()`. */
export class JsonlAppender {
  /** Records carried over from an earlier run (resume), in file order. */
  readonly kept: KeptRecord[] = [];
  /** Lines dropped while resuming (a record cut mid-write by a crash), as `file:line: why`. */
  readonly dropped: string[] = [];
  /** The file the kept records came from (PATH.partial or PATH), or null. */
  readonly from: string | null;
  readonly partial: string;
  private count = 0;

  /**
   * With `resume`, read back what an earlier run wrote. Only the last line may be unreadable (a
   * crash cut it): it is dropped and listed in `dropped`; an unreadable line before it throws.
   * `check` sees the kept records before anything is written and may throw to refuse them.
   */
  constructor(
    readonly path: string,
    opts: { resume?: boolean; check?: (kept: readonly KeptRecord[], from: string) => void } = {},
  ) {
    this.partial = `${path}.partial`;
    if (!opts.resume && existsSync(this.partial)) throw new Error(`${this.partial} holds the trees of an interrupted run: add --resume to continue it, or delete it to start over`);
    this.from = (opts.resume ? [this.partial, path].find((p) => existsSync(p)) : undefined) ?? null;
    const lines: string[] = [];
    if (this.from) {
      const from = this.from;
      const raws = readFileSync(from, 'utf8').split('\n');
      const last = raws.findLastIndex((r) => r.trim() !== '');
      raws.forEach((raw, i) => {
        if (!raw.trim()) return;
        try {
          const v = JSON.parse(raw) as unknown;
          if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
          this.kept.push({ line: i + 1, value: v as Record<string, unknown> });
          lines.push(raw);
        } catch (e) {
          const why = `${from}:${i + 1}: ${(e as Error).message}`;
          // A crash can cut only the record being appended, the last one; damage before it is not ours to drop.
          if (i !== last) throw new Error(`${why}: only the last line can be cut short by a crash; fix or delete this line, or start over without --resume`);
          this.dropped.push(why);
        }
      });
      opts.check?.(this.kept, from);
    }
    // Rewrite the carried-over records whole (a crash may have cut the last line), then append.
    writeFileAtomic(this.partial, lines.map((l) => l + '\n').join(''));
    this.count = lines.length;
  }

  /** Records in the output so far (kept + appended). */
  get written(): number {
    return this.count;
  }

  /** Append one record and flush it to disk before returning. */
  append(record: unknown): void {
    appendFileSync(this.partial, JSON.stringify(record) + '\n');
    const fd = openSync(this.partial, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.count++;
  }

  /** Move the finished output into place. */
  finish(): void {
    renameSync(this.partial, this.path);
  }

  /** After a failure: drop the partial file if it holds nothing, else leave it for --resume. */
  abandon(): string | null {
    if (this.count === 0) {
      rmSync(this.partial, { force: true });
      return null;
    }
    return this.partial;
  }
}
