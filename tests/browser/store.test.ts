/** Run persistence in real Chromium IndexedDB: incremental saves survive a reload; delete; export/import. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
const ready = () => lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
beforeAll(async () => {
  lab = await openLab('/tests/browser/store-harness.html');
  await ready();
});
afterAll(async () => lab?.close());

describe('LabStore (IndexedDB)', () => {
  it('saves incrementally, survives a reload, exports, imports, deletes', async () => {
    await lab.page.evaluate(async () => {
      const { LabStore } = (globalThis as any).labStore;
      const s = await LabStore.open('lab-test');
      await s.createRun({ id: 'run-1', kind: 'search', title: 'letters', config: { seed: 7 } });
      await s.append('run-1', [{ type: 'tree', payload: { id: 't1', nodes: [1, 2, 3] } }]);
      await s.append('run-1', [{ type: 'tree', payload: { id: 't2' } }, { type: 'event', payload: { i: 1 } }], { status: 'done' });
      s.close();
    });
    await lab.page.reload();
    await ready();
    const after = await lab.page.evaluate(async () => {
      const { LabStore } = (globalThis as any).labStore;
      const s = await LabStore.open('lab-test');
      const r = await s.getRun('run-1');
      const exported = await s.exportRun('run-1');
      const imported = await s.importRun(exported);
      const list = (await s.listRuns()).map((x: { id: string }) => x.id).sort();
      let badImport = '';
      try {
        await s.importRun('{"schema":"reasoning-lab/run@1","run":{"id":"x","kind":"nope"},"items":[]}', 'bad.json');
      } catch (e) {
        badImport = (e as Error).message;
      }
      let missing = '';
      try {
        await s.append('ghost', [{ type: 'x', payload: 1 }]);
      } catch (e) {
        missing = (e as Error).message;
      }
      await s.deleteRun('run-1');
      const gone = await s.getRun('run-1');
      const remaining = (await s.listRuns()).map((x: { id: string }) => x.id);
      const usage = await LabStore.usage();
      s.close();
      return { run: r.run, items: r.items, importedId: imported.id, list, badImport, missing, gone, remaining, usage };
    });
    expect(after.run.items).toBe(3);
    expect(after.run.status).toBe('done');
    expect(after.items.map((i: { seq: number; type: string }) => `${i.seq}:${i.type}`)).toEqual(['0:tree', '1:tree', '2:event']);
    expect(after.items[0].payload).toEqual({ id: 't1', nodes: [1, 2, 3] });
    expect(after.importedId).toBe('run-1-2');
    expect(after.list).toEqual(['run-1', 'run-1-2']);
    expect(after.badImport).toMatch(/bad\.json: field "run\.kind"/);
    expect(after.missing).toMatch(/no run "ghost"/);
    expect(after.gone).toBeNull();
    expect(after.remaining).toEqual(['run-1-2']);
    expect(after.usage.quota).toBeGreaterThan(0);
  });

  it('turns a full disk into advice and keeps earlier work', async () => {
    const msg = await lab.page.evaluate(() => {
      const { storeError } = (globalThis as any).labStore;
      return storeError(new DOMException('quota', 'QuotaExceededError'), 'save 3 item(s)').message;
    });
    expect(msg).toMatch(/storage for this site is full.*Export and delete old runs.*nothing was half-saved/);
  });
});
