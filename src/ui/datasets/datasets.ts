/**
 * The page's dataset store (opened once) and what the views need from it: import a file, load a
 * hub split (cached in IndexedDB), and the problems a lesson link's dataset + pick name, or a
 * message saying which file to import when this browser does not have the dataset.
 */
import { fetchHubRows, HubError, hubName, parseHubName, rowsToJsonl, type HubRef } from '../../data/hub-rows.js';
import { DatasetStore, datasetKey, type DatasetMeta } from '../../store/datasets.js';
import { pickRows } from '../../tasks/dataset-file.js';
import type { Problem } from '../../tasks/types.js';
import { datasets as t } from '../messages/datasets.js';

/** Largest file an import reads (its text is parsed whole and kept in IndexedDB). */
export const MAX_FILE_MB = 64;

let opened: Promise<DatasetStore> | null = null;
/** Parsed problems by dataset key, so picking rows does not parse the file again. */
const cache = new Map<string, Problem[]>();

/**
 * Fires `change` after an import, a hub load or a delete: every view's picker stays mounted (the
 * shell keeps tabs), so a file imported in Search must reach the Evaluate picker of the same link.
 */
export const datasetChanges = new EventTarget();
const changed = () => datasetChanges.dispatchEvent(new Event('change'));

/** The page's dataset store (one connection for every view). */
export function datasetStore(): Promise<DatasetStore> {
  opened ??= DatasetStore.open().catch((e: Error) => {
    opened = null;
    throw new Error(t.storeFailed(e.message));
  });
  return opened;
}

/** Validate and store a picked file; errors name the file, line and field; nothing is saved half. */
export async function importFile(file: File, family: string): Promise<DatasetMeta> {
  if (file.size > MAX_FILE_MB * 1024 * 1024) throw new Error(t.tooBig(file.name, file.size / 1024 / 1024, MAX_FILE_MB));
  const text = await file.text();
  const { meta, problems } = await (await datasetStore()).save(file.name, family, text);
  cache.set(meta.key, problems);
  changed();
  return meta;
}

/**
 * A hub split as a stored dataset: the stored copy when there is one (unless `refresh`), else
 * fetched page by page. Offline it fails at once (navigator.onLine) or within the timeout.
 */
export interface HubLoadOptions {
  maxRows?: number;
  /** Fetch again even when a stored copy exists. */
  refresh?: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Per request (default 5000 ms). */
  timeoutMs?: number;
}

export async function loadFromHub(ref: HubRef, family: string, opts: HubLoadOptions = {}): Promise<DatasetMeta> {
  const store = await datasetStore();
  const name = hubName(ref);
  if (!opts.refresh) {
    const have = (await store.list()).find((m) => m.key === datasetKey(family, name));
    if (have) return have;
  }
  if (typeof navigator !== 'undefined' && navigator.onLine === false) throw new HubError(t.hubOffline, 'offline');
  const rows = await fetchHubRows(ref, { ...opts, timeoutMs: opts.timeoutMs ?? 5000 });
  const { meta, problems } = await store.save(name, family, rowsToJsonl(rows), { kind: 'hub', ...ref });
  cache.set(meta.key, problems);
  changed();
  return meta;
}

/** What to tell a user whose browser lacks the dataset a lesson link names. */
export function missingMessage(family: string, name: string): string {
  const hub = parseHubName(name);
  return hub ? t.missingHub(hub.dataset, hub.config, hub.split, family) : t.missing(name, family);
}

/** All problems of a stored dataset, or null when this browser does not have it. */
export async function datasetProblems(family: string, name: string): Promise<Problem[] | null> {
  const key = datasetKey(family, name);
  const hit = cache.get(key);
  if (hit) return hit;
  const got = await (await datasetStore()).load(family, name);
  if (!got) return null;
  cache.set(key, got.problems);
  return got.problems;
}

/** Delete a stored dataset (and its parsed copy). */
export async function deleteDataset(family: string, name: string): Promise<void> {
  await (await datasetStore()).delete(family, name);
  cache.delete(datasetKey(family, name));
  changed();
}

/** The problems `pick` chooses from a stored dataset; throws the missing-data or bad-pick message. */
export async function pickedProblems(family: string, name: string, pick: string): Promise<{ problems: Problem[]; rows: number[]; total: number }> {
  if (!name) throw new Error(t.noDataset);
  const all = await datasetProblems(family, name);
  if (!all) throw new Error(missingMessage(family, name));
  const rows = pickRows(pick, all.length);
  return { problems: rows.map((i) => all[i]!), rows, total: all.length };
}
