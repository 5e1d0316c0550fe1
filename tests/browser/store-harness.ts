/** Exposes the real IndexedDB store to tests/browser/store.test.ts. */
import { LabStore, storeError } from '../../src/store/db.js';

Object.assign(globalThis, { labStore: { LabStore, storeError } });
document.getElementById('status')!.textContent = 'ready';
