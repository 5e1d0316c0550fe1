/**
 * Trained checkpoints in IndexedDB, in their own database so the run store's schema never has to
 * move for them. A record holds the checkpoint folder's files (the same bytes `lab train` writes)
 * and its metrics; each save is one transaction, so a killed tab keeps the previous save whole.
 * Works in the page and in workers (the training worker saves, the engine worker loads).
 */
import type { DpoRow, SftRow } from '../data/trees-io.js';
import { done, req, storeError, StoreError } from './db.js';

export const CKPT_DB = 'reasoning-lab-checkpoints';

/** Files an engine needs, in createWebEngine's order. */
export const ENGINE_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'] as const;

export interface CheckpointRecord {
  id: string;
  /** Display name, e.g. "tiny-a · DPO (sigmoid) · step 12". */
  name: string;
  /** The start model (catalogue id): the reference for scoring. */
  base: string;
  step: number;
  steps: number;
  /** Settings of the run (objective, loss, beta, …) as the Train view had them. */
  settings: Record<string, unknown>;
  /** Relative path → bytes (config.json, onnx/model.onnx, model.safetensors, …). */
  files: Record<string, Uint8Array>;
  /** One object per step (TRL metric names). */
  metrics: Record<string, number>[];
  /** Examples consumed so far (resume position in the seeded data order). */
  consumed: number;
  /**
   * The rows the run trains on, so it can be resumed after a reload (absent in checkpoints
   * imported from a `.tar`: those resume on the Train view's current data).
   */
  rows?: { dpo?: DpoRow[]; sft?: SftRow[] };
  createdAt: number;
  updatedAt: number;
}

/** What listings show (no file bytes, no rows). */
export type CheckpointSummary = Omit<CheckpointRecord, 'files' | 'rows'> & { bytes: number };

/** How to make room when a checkpoint does not fit (the lists that can delete them). */
export const FREE_CHECKPOINT_SPACE = 'Delete checkpoints you no longer need (Delete, under Saved checkpoints in the Train or Models view) or export and delete old runs (Runs view)';

export class CheckpointStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(name = CKPT_DB, factory: IDBFactory = indexedDB): Promise<CheckpointStore> {
    const open = factory.open(name, 1);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains('checkpoints')) open.result.createObjectStore('checkpoints', { keyPath: 'id' });
    };
    try {
      return new CheckpointStore(await req(open));
    } catch (e) {
      throw storeError(e, 'open the checkpoint database');
    }
  }

  close(): void {
    this.db.close();
  }

  /**
   * Save (or replace) a checkpoint in one transaction: the record with all its files is replaced
   * whole or not at all, so a full disk, a killed worker or a closed tab keeps the previous save.
   */
  async put(rec: CheckpointRecord): Promise<void> {
    for (const f of ENGINE_FILES) if (!rec.files[f]) throw new StoreError(`checkpoint ${rec.id}: file ${f} is missing`);
    try {
      const tx = this.db.transaction('checkpoints', 'readwrite');
      // put() itself can throw (e.g. a value the browser refuses to store), not only the commit.
      tx.objectStore('checkpoints').put(rec);
      await done(tx);
    } catch (e) {
      throw storeError(e, `save checkpoint "${rec.name}" at step ${rec.step}`, FREE_CHECKPOINT_SPACE);
    }
  }

  async get(id: string): Promise<CheckpointRecord> {
    const rec = (await req(this.db.transaction('checkpoints').objectStore('checkpoints').get(id))) as CheckpointRecord | undefined;
    if (!rec) throw new StoreError(`no checkpoint "${id}": it was deleted, or saved in another browser profile`);
    return rec;
  }

  async list(): Promise<CheckpointSummary[]> {
    const all = (await req(this.db.transaction('checkpoints').objectStore('checkpoints').getAll())) as CheckpointRecord[];
    return all
      .map(({ files, rows: _rows, ...rest }) => ({ ...rest, bytes: Object.values(files).reduce((a, f) => a + f.byteLength, 0) }))
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async delete(id: string): Promise<void> {
    const tx = this.db.transaction('checkpoints', 'readwrite');
    tx.objectStore('checkpoints').delete(id);
    await done(tx);
  }

  /** The five engine files in createWebEngine's order. */
  async engineFiles(id: string): Promise<Uint8Array[]> {
    const rec = await this.get(id);
    return ENGINE_FILES.map((f) => rec.files[f]!);
  }
}
