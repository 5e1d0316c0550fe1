/**
 * IndexedDB persistence for runs (search trees, data, scores, evaluations): a small promise
 * wrapper over two object stores. `runs` holds one summary record per run; `items` holds the
 * run's contents appended incrementally (key [runId, seq]), so a long search is saved as it goes
 * and survives a reload. Every write is one transaction: it commits whole or not at all. A full
 * disk surfaces as a StoreError that says what to do, never as lost work.
 */
import { validateRunItems } from './run-items.js';

export const DB_NAME = 'reasoning-lab';
export const DB_VERSION = 1;
export const RUN_SCHEMA = 'reasoning-lab/run@1';

export type RunKind = 'search' | 'data' | 'scores' | 'eval';

export interface RunMeta {
  id: string;
  kind: RunKind;
  title: string;
  createdAt: number;
  updatedAt: number;
  status: 'running' | 'done' | 'stopped' | 'error';
  /** Settings that produced the run (also what a lesson link encodes). */
  config: Record<string, unknown>;
  items: number;
}

export interface RunItem {
  runId: string;
  seq: number;
  type: string;
  payload: unknown;
}

export class StoreError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'StoreError';
  }
}

/**
 * Translate IndexedDB failures into messages that name the fix. `free` says how to make room when
 * the site's storage is full (what to delete, and where).
 */
export function storeError(e: unknown, action: string, free = 'Export and delete old runs (Runs view)'): StoreError {
  const name = (e as { name?: string } | null)?.name ?? '';
  if (name === 'QuotaExceededError') return new StoreError(`cannot ${action}: the browser's storage for this site is full. ${free}, then retry; nothing was half-saved.`, e);
  if (name === 'InvalidStateError' || name === 'UnknownError') return new StoreError(`cannot ${action}: storage is unavailable (private window or disk error); export your work to a file.`, e);
  return new StoreError(`cannot ${action}: ${(e as Error)?.message ?? String(e)}`, e);
}

/** An IDBRequest as a promise (shared with checkpoints.ts). */
export function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Resolves when a transaction commits; rejects when it aborts or fails. */
export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    // A failed request's error event reaches the transaction before it aborts, while tx.error is
    // still null; the abort that follows carries the cause (a ConstraintError, a QuotaExceededError,
    // where the request itself only says AbortError). A request error that its handler prevented
    // does not abort the transaction, and then nothing failed.
    let requestError: DOMException | null = null;
    tx.onerror = (ev) => (requestError ??= (ev.target as IDBRequest | null)?.error ?? null);
    tx.onabort = () => reject(tx.error ?? requestError ?? new DOMException('transaction aborted', 'AbortError'));
    tx.oncomplete = () => resolve();
  });
}

export class LabStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(name = DB_NAME, factory: IDBFactory = indexedDB): Promise<LabStore> {
    const open = factory.open(name, DB_VERSION);
    open.onupgradeneeded = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('runs')) db.createObjectStore('runs', { keyPath: 'id' }).createIndex('updatedAt', 'updatedAt');
      if (!db.objectStoreNames.contains('items')) db.createObjectStore('items', { keyPath: ['runId', 'seq'] });
    };
    try {
      return new LabStore(await req(open));
    } catch (e) {
      throw storeError(e, 'open the run database');
    }
  }

  close(): void {
    this.db.close();
  }

  /** Create a run; ids are caller-chosen (deterministic ids make lesson links stable). */
  async createRun(meta: Omit<RunMeta, 'createdAt' | 'updatedAt' | 'items' | 'status'> & Partial<Pick<RunMeta, 'status'>>): Promise<RunMeta> {
    const now = Date.now();
    const run: RunMeta = { status: 'running', ...meta, createdAt: now, updatedAt: now, items: 0 };
    const tx = this.db.transaction('runs', 'readwrite');
    tx.objectStore('runs').add(run);
    try {
      await done(tx);
    } catch (e) {
      if ((e as { name?: string })?.name === 'ConstraintError') throw new StoreError(`a run with id "${meta.id}" already exists`, e);
      throw storeError(e, 'create the run');
    }
    return run;
  }

  /** Append items to a run and bump its counters, in one transaction. */
  async append(runId: string, items: { type: string; payload: unknown }[], patch: Partial<Pick<RunMeta, 'status' | 'title' | 'config'>> = {}): Promise<RunMeta> {
    const tx = this.db.transaction(['runs', 'items'], 'readwrite');
    const runs = tx.objectStore('runs');
    const run = (await req(runs.get(runId))) as RunMeta | undefined;
    if (!run) {
      tx.abort();
      throw new StoreError(`no run "${runId}": it was deleted or never saved`);
    }
    const store = tx.objectStore('items');
    items.forEach((it, i) => store.put({ runId, seq: run.items + i, type: it.type, payload: it.payload } satisfies RunItem));
    const next: RunMeta = { ...run, ...patch, items: run.items + items.length, updatedAt: Date.now() };
    runs.put(next);
    try {
      await done(tx);
    } catch (e) {
      throw storeError(e, `save ${items.length} item(s) of run "${runId}"`);
    }
    return next;
  }

  async listRuns(): Promise<RunMeta[]> {
    const all = (await req(this.db.transaction('runs').objectStore('runs').getAll())) as RunMeta[];
    return all.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async getRun(runId: string): Promise<{ run: RunMeta; items: RunItem[] } | null> {
    const tx = this.db.transaction(['runs', 'items']);
    const run = (await req(tx.objectStore('runs').get(runId))) as RunMeta | undefined;
    if (!run) return null;
    const items = (await req(tx.objectStore('items').getAll(IDBKeyRange.bound([runId, 0], [runId, Infinity])))) as RunItem[];
    return { run, items };
  }

  /** Delete a run and all its items in one transaction. */
  async deleteRun(runId: string): Promise<void> {
    const tx = this.db.transaction(['runs', 'items'], 'readwrite');
    tx.objectStore('runs').delete(runId);
    tx.objectStore('items').delete(IDBKeyRange.bound([runId, 0], [runId, Infinity]));
    try {
      await done(tx);
    } catch (e) {
      throw storeError(e, `delete run "${runId}"`);
    }
  }

  /** A whole run as one JSON document. */
  async exportRun(runId: string): Promise<string> {
    const r = await this.getRun(runId);
    if (!r) throw new StoreError(`no run "${runId}" to export`);
    return JSON.stringify({ schema: RUN_SCHEMA, run: r.run, items: r.items.map(({ type, payload }) => ({ type, payload })) });
  }

  /** Import an exported run (validated); a clashing id gets a suffix. Returns the new run. */
  async importRun(text: string, file = 'run.json'): Promise<RunMeta> {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new StoreError(`${file}: not valid JSON (${(e as Error).message})`);
    }
    const d = doc as { schema?: unknown; run?: Partial<RunMeta>; items?: unknown };
    if (d?.schema !== RUN_SCHEMA) throw new StoreError(`${file}: field "schema" must be "${RUN_SCHEMA}"`);
    const run = d.run;
    if (!run || typeof run.id !== 'string' || !run.id) throw new StoreError(`${file}: field "run.id" is missing`);
    if (!['search', 'data', 'scores', 'eval'].includes(run.kind as string)) throw new StoreError(`${file}: field "run.kind" must be search, data, scores or eval`);
    if (!Array.isArray(d.items)) throw new StoreError(`${file}: field "items" must be an array`);
    (d.items as unknown[]).forEach((it, i) => {
      if (typeof it !== 'object' || it === null || typeof (it as { type?: unknown }).type !== 'string') throw new StoreError(`${file}: field "items[${i}].type" must be a string`);
    });
    // The payloads too: a malformed run must not become the run the app resumes at start-up.
    try {
      validateRunItems(run.kind as RunKind, d.items as { type: string; payload: unknown }[], file);
    } catch (e) {
      throw new StoreError((e as Error).message, e);
    }
    const existing = new Set((await this.listRuns()).map((r) => r.id));
    let id = run.id;
    for (let k = 2; existing.has(id); k++) id = `${run.id}-${k}`;
    const meta: RunMeta = { id, kind: run.kind as RunKind, title: String(run.title ?? id), status: (run.status as RunMeta['status']) ?? 'done', config: (run.config as Record<string, unknown>) ?? {}, createdAt: Number(run.createdAt) || Date.now(), updatedAt: Date.now(), items: (d.items as unknown[]).length };
    const tx = this.db.transaction(['runs', 'items'], 'readwrite');
    tx.objectStore('runs').add(meta);
    (d.items as { type: string; payload: unknown }[]).forEach((it, seq) => tx.objectStore('items').add({ runId: id, seq, type: it.type, payload: it.payload }));
    try {
      await done(tx);
    } catch (e) {
      throw storeError(e, `import ${file}`);
    }
    return meta;
  }

  /** Storage used and available for this origin (navigator.storage.estimate). */
  static async usage(): Promise<{ usage: number; quota: number } | null> {
    const est = await navigator.storage?.estimate?.();
    return est ? { usage: est.usage ?? 0, quota: est.quota ?? 0 } : null;
  }
}
