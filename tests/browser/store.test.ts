/** Run persistence in real Chromium IndexedDB: incremental saves survive a reload; delete; export/import. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, type Lab } from './chromium.js';

/** A real search tree (the recorded demo's), so imports pass the same checks as the app's runs. */
const TREE = JSON.parse(readFileSync('public/demos/letters-demo.json', 'utf8')).tree;

let lab: Lab;
const ready = () => lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
beforeAll(async () => {
  lab = await openLab('/tests/browser/store-harness.html');
  await ready();
});
afterAll(async () => lab?.close());

describe('LabStore (IndexedDB)', () => {
  it('saves incrementally, survives a reload, exports, imports, deletes', async () => {
    await lab.page.evaluate(async (tree) => {
      const { LabStore } = (globalThis as any).labStore;
      const s = await LabStore.open('lab-test');
      await s.createRun({ id: 'run-1', kind: 'search', title: 'letters', config: { seed: 7 } });
      await s.append('run-1', [{ type: 'tree', payload: tree }]);
      await s.append('run-1', [{ type: 'tree', payload: { ...tree, id: 't2' } }, { type: 'event', payload: { index: 0, event: tree.events[0], nodes: [tree.nodes[0]] } }], { status: 'done' });
      s.close();
    }, TREE);
    await lab.page.reload();
    await ready();
    const after = await lab.page.evaluate(async (tree) => {
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
      // A run whose envelope is fine but whose tree is not: refused, naming file, item and field.
      const broken = { ...tree, nodes: tree.nodes.map((n: any, i: number) => (i === 2 ? { ...n, text: 42 } : n)) };
      let badTree = '';
      try {
        await s.importRun(JSON.stringify({ schema: 'reasoning-lab/run@1', run: { id: 'broken', kind: 'search', title: 'broken' }, items: [{ type: 'tree', payload: broken }] }), 'broken.json');
      } catch (e) {
        badTree = (e as Error).message;
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
      return { run: r.run, items: r.items, importedId: imported.id, list, badImport, badTree, missing, gone, remaining, usage };
    }, TREE);
    expect(after.run.items).toBe(3);
    expect(after.run.status).toBe('done');
    expect(after.items.map((i: { seq: number; type: string }) => `${i.seq}:${i.type}`)).toEqual(['0:tree', '1:tree', '2:event']);
    expect(after.items[0].payload).toEqual(TREE);
    expect(after.importedId).toBe('run-1-2');
    expect(after.list).toEqual(['run-1', 'run-1-2']);
    expect(after.badImport).toMatch(/bad\.json: field "run\.kind"/);
    expect(after.badTree).toBe('broken.json: items[0] (tree): field "nodes[2].text": must be a string');
    expect(after.missing).toMatch(/no run "ghost"/);
    expect(after.gone).toBeNull();
    expect(after.remaining).toEqual(['run-1-2']);
    expect(after.usage.quota).toBeGreaterThan(0);
  });

  it('a failed request rejects with its own error: a clashing run id is named, not "null"', async () => {
    const msg = await lab.page.evaluate(async () => {
      const { LabStore } = (globalThis as any).labStore;
      const s = await LabStore.open('lab-test-dup');
      await s.createRun({ id: 'dup', kind: 'search', title: 'first', config: {} });
      try {
        await s.createRun({ id: 'dup', kind: 'search', title: 'second', config: {} });
        return 'created twice';
      } catch (e) {
        return (e as Error).message;
      } finally {
        s.close();
      }
    });
    expect(msg).toBe('a run with id "dup" already exists');
  });

  it('turns a full disk into advice and keeps earlier work', async () => {
    const msg = await lab.page.evaluate(() => {
      const { storeError } = (globalThis as any).labStore;
      return storeError(new DOMException('quota', 'QuotaExceededError'), 'save 3 item(s)').message;
    });
    expect(msg).toMatch(/storage for this site is full.*Export and delete old runs.*nothing was half-saved/);
  });
});
