/**
 * Rows of a Hugging Face dataset from the hub's datasets-server (`/rows?dataset=&config=&split=
 * &offset=&length=`), page by page with progress. Every request has a short timeout, so an
 * offline browser or a blocked hub fails in seconds with a message that names the fix (import the
 * JSONL file instead), like the model preflight (src/engines/preflight.ts). Pure: the fetch is
 * injected or the global one; no DOM, no Node.
 */

export const HUB_ROWS_URL = 'https://datasets-server.huggingface.co/rows';
/** The datasets-server returns at most 100 rows per request. */
export const HUB_PAGE = 100;

/** Which rows: a hub dataset id (`openai/gsm8k`), its config (`main`) and split (`test`). */
export interface HubRef {
  dataset: string;
  config: string;
  split: string;
}

export interface HubOptions {
  /** Most rows to fetch (default: all rows of the split). */
  maxRows?: number;
  /** Give up on one request after this many ms (default 5000). */
  timeoutMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Rows fetched so far and the total the server reports. */
  onProgress?: (done: number, total: number) => void;
  /** Base URL of the rows endpoint (tests, mirrors). */
  url?: string;
}

export class HubError extends Error {
  constructor(
    message: string,
    readonly kind: 'offline' | 'not-found' | 'bad-answer' | 'other',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HubError';
  }
}

/** The name a hub split gets in the dataset store and in lesson links. */
export function hubName(ref: HubRef): string {
  return `hub:${ref.dataset}/${ref.config}/${ref.split}`;
}

/** The HubRef of a {@link hubName}, or null for a file's name. */
export function parseHubName(name: string): HubRef | null {
  const m = /^hub:(.+)\/([^/]+)\/([^/]+)$/.exec(name);
  return m ? { dataset: m[1]!, config: m[2]!, split: m[3]! } : null;
}

/** The rows-API URL of one page. */
export function hubRowsUrl(ref: HubRef, offset: number, length: number, base = HUB_ROWS_URL): string {
  const q = new URLSearchParams({ dataset: ref.dataset, config: ref.config, split: ref.split, offset: String(offset), length: String(length) });
  return `${base}?${q}`;
}

async function page(ref: HubRef, offset: number, length: number, o: HubOptions): Promise<{ rows: Record<string, unknown>[]; total: number }> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  const url = hubRowsUrl(ref, offset, length, o.url);
  const where = `${ref.dataset} (config ${ref.config}, split ${ref.split})`;
  let res: Response;
  let body: unknown;
  try {
    res = await (o.fetch ?? fetch)(url, { signal });
    body = res.ok ? await res.json() : await res.text().catch(() => '');
  } catch (e) {
    if (o.signal?.aborted) throw Object.assign(new Error('the hub download was stopped'), { name: 'AbortError' });
    const why = timeout.aborted ? `no answer within ${Math.round(timeoutMs / 100) / 10} s` : (e as Error).message;
    throw new HubError(`cannot reach the Hugging Face hub for ${where} (${why}). You may be offline or the hub is blocked: download the split as a JSONL file elsewhere and import the file (imports work offline).`, 'offline', { cause: e });
  }
  if (!res.ok) {
    const detail = typeof body === 'string' ? body.slice(0, 200) : '';
    if (res.status === 404 || res.status === 400 || res.status === 422) throw new HubError(`the hub has no rows for ${where}: check the dataset id, config and split (HTTP ${res.status}${detail ? `: ${detail}` : ''})`, 'not-found');
    throw new HubError(`the hub answered HTTP ${res.status} for ${where}${detail ? `: ${detail}` : ''}; try again later or import a JSONL file`, 'other');
  }
  const b = body as { rows?: unknown; num_rows_total?: unknown };
  if (!b || !Array.isArray(b.rows)) throw new HubError(`the hub's answer for ${where} has no "rows" list`, 'bad-answer');
  const rows = b.rows.map((r, i) => {
    const row = (r as { row?: unknown })?.row;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new HubError(`the hub's answer for ${where}: field "rows[${i}].row" must be an object`, 'bad-answer');
    return row as Record<string, unknown>;
  });
  const total = typeof b.num_rows_total === 'number' ? b.num_rows_total : offset + rows.length;
  return { rows, total };
}

/** All rows of a split (up to `maxRows`), as the dataset's own field objects. */
export async function fetchHubRows(ref: HubRef, o: HubOptions = {}): Promise<Record<string, unknown>[]> {
  for (const k of ['dataset', 'config', 'split'] as const) if (!ref[k].trim()) throw new HubError(`the hub ${k} is empty: e.g. dataset openai/gsm8k, config main, split test`, 'not-found');
  const max = o.maxRows ?? Infinity;
  const out: Record<string, unknown>[] = [];
  let total = Infinity;
  while (out.length < Math.min(max, total)) {
    const want = Math.min(HUB_PAGE, max - out.length);
    const got = await page(ref, out.length, want, o);
    total = got.total;
    out.push(...got.rows.slice(0, want));
    o.onProgress?.(out.length, Math.min(max, total));
    if (got.rows.length === 0) break;
  }
  return out;
}

/** Rows as JSONL text: what the dataset store keeps and the row parsers read (line i+1 = row i). */
export function rowsToJsonl(rows: readonly Record<string, unknown>[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
