/**
 * Imported datasets (JSONL files or hub splits) in IndexedDB, in their own database so the run
 * store's schema never moves for them. A dataset is kept as the JSONL text it was imported from
 * and parsed again with the family's row parser when used (src/tasks/dataset-file.ts), so the
 * browser reads exactly what `lab eval --input` reads. A save validates every row first and
 * writes the listing and the text in one transaction: nothing is ever saved half.
 */
import { parseDatasetText } from '../tasks/dataset-file.js';
import type { Problem } from '../tasks/types.js';
import { done, req, storeError, StoreError } from './db.js';

export const DATASET_DB = 'reasoning-lab-datasets';

/** Where a dataset came from: a file the user picked, or a hub split. */
export type DatasetSource = { kind: 'file' } | { kind: 'hub'; dataset: string; config: string; split: string };

/** The listing of one stored dataset (its text lives in a second object store). */
export interface DatasetMeta {
  /** `${family}/${name}`: one family may hold files of the same name as another. */
  key: string;
  /** The file name (`test_public.jsonl`) or the hub name (`hub:openai/gsm8k/main/test`). */
  name: string;
  /** The dataset family whose parser and verifier read it (gsm8k, math, aime, blocksworld, ifeval…). */
  family: string;
  source: DatasetSource;
  rows: number;
  bytes: number;
  createdAt: number;
}

export function datasetKey(family: string, name: string): string {
  return `${family}/${name}`;
}

export class DatasetStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(name = DATASET_DB, factory: IDBFactory = indexedDB): Promise<DatasetStore> {
    const open = factory.open(name, 1);
    open.onupgradeneeded = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta', { keyPath: 'key' });
      if (!db.objectStoreNames.contains('text')) db.createObjectStore('text');
    };
    try {
      return new DatasetStore(await req(open));
    } catch (e) {
      throw storeError(e, 'open the dataset database');
    }
  }

  close(): void {
    this.db.close();
  }

  /**
   * Validate `text` with the family's parser, then save it (replacing a dataset of the same
   * family and name). Throws the parser's JsonlError before anything is written.
   */
  async save(name: string, family: string, text: string, source: DatasetSource = { kind: 'file' }): Promise<{ meta: DatasetMeta; problems: Problem[] }> {
    const problems = parseDatasetText(text, name, family);
    const meta: DatasetMeta = { key: datasetKey(family, name), name, family, source, rows: problems.length, bytes: new Blob([text]).size, createdAt: Date.now() };
    const tx = this.db.transaction(['meta', 'text'], 'readwrite');
    tx.objectStore('meta').put(meta);
    tx.objectStore('text').put(text, meta.key);
    try {
      await done(tx);
    } catch (e) {
      throw storeError(e, `save dataset ${name}`);
    }
    return { meta, problems };
  }

  async list(): Promise<DatasetMeta[]> {
    const all = (await req(this.db.transaction('meta').objectStore('meta').getAll())) as DatasetMeta[];
    return all.sort((a, b) => a.family.localeCompare(b.family) || a.name.localeCompare(b.name));
  }

  /** The stored dataset's listing and problems, or null when this browser does not have it. */
  async load(family: string, name: string): Promise<{ meta: DatasetMeta; problems: Problem[] } | null> {
    const key = datasetKey(family, name);
    const tx = this.db.transaction(['meta', 'text']);
    const meta = (await req(tx.objectStore('meta').get(key))) as DatasetMeta | undefined;
    const text = (await req(tx.objectStore('text').get(key))) as string | undefined;
    if (!meta || typeof text !== 'string') return null;
    return { meta, problems: parseDatasetText(text, name, family) };
  }

  async delete(family: string, name: string): Promise<void> {
    const key = datasetKey(family, name);
    const tx = this.db.transaction(['meta', 'text'], 'readwrite');
    tx.objectStore('meta').delete(key);
    tx.objectStore('text').delete(key);
    try {
      await done(tx);
    } catch (e) {
      throw storeError(e, `delete dataset ${name}`);
    }
  }
}

export { StoreError };
