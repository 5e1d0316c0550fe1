/**
 * Validated JSONL parsing: every error names the file, the 1-based line and the field. Pure (takes
 * text), so the CLI, the worker and the UI share it.
 */
export class JsonlError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string | null,
    why: string,
  ) {
    super(`${file}:${line}${field ? `: field "${field}"` : ''}: ${why}`);
    this.name = 'JsonlError';
  }
}

/** Longest accepted line; longer lines are rejected with their length rather than parsed. */
export const MAX_LINE_CHARS = 4 * 1024 * 1024;

/** One non-blank JSONL line as an object, or a JsonlError naming the file and line. */
export function parseJsonlLine(raw: string, file: string, line: number): Record<string, unknown> {
  if (raw.length > MAX_LINE_CHARS) throw new JsonlError(file, line, null, `line is ${raw.length} characters long (limit ${MAX_LINE_CHARS})`);
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new JsonlError(file, line, null, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JsonlError(file, line, null, 'each line must be a JSON object');
  return v as Record<string, unknown>;
}

/** Parse JSONL into objects; blank lines are skipped; an empty file is an error. */
export function parseJsonl(text: string, file: string): { line: number; value: Record<string, unknown> }[] {
  const rows: { line: number; value: Record<string, unknown> }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() !== '') rows.push({ line: i + 1, value: parseJsonlLine(raw, file, i + 1) });
  });
  if (rows.length === 0) throw new JsonlError(file, 1, null, 'the file is empty: expected one JSON object per line');
  return rows;
}

/** A required string field (numbers are accepted and stringified). */
export function stringField(row: { line: number; value: Record<string, unknown> }, field: string, file: string): string {
  const v = row.value[field];
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string' || v === '') throw new JsonlError(file, row.line, field, v === undefined ? 'is missing' : `must be a non-empty string, got ${JSON.stringify(v).slice(0, 40)}`);
  return v;
}
