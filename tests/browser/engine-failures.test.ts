/**
 * Nothing hangs when an engine goes away (real Chromium, tiny-a on wasm in real engine workers):
 * Unload rejects the owner's running and queued calls and tells onCrash listeners; an engine
 * reached over a MessagePort fails when the model is unloaded or its worker crashes; a request
 * with no answer in time is interrupted and rejected with a TimeoutError; and the Models view asks
 * before unloading a model that a running search uses (dismiss: the search goes on; accept: it
 * ends with the reason instead of waiting forever).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/tests/browser/engine-failures-harness.html');
  for (let attempt = 1; ; attempt++) {
    try {
      await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 120_000 });
      // Vite may reload the page once when it first meets a dependency: touch one worker first.
      await lab.page.evaluate(() => (globalThis as any).labFail.sessionInfo());
      break;
    } catch (e) {
      if (attempt >= 3 || !/context was destroyed|navigat/i.test((e as Error).message)) throw e;
    }
  }
}, 240_000);
afterAll(async () => lab?.close());

const call = (name: string, ...args: unknown[]) => lab.page.evaluate(([n, a]) => (globalThis as any).labFail[n as string](...(a as unknown[])), [name, args] as const);

describe('engine failures end calls instead of hanging', () => {
  it('Unload rejects the running and the queued call and tells crash listeners', async () => {
    const r = await call('unloadWhileGenerating');
    console.log('unload while generating:', JSON.stringify(r));
    expect(r.running.how).toBe('EngineClosedError');
    expect(r.running.message).toMatch(/tiny-a was unloaded/);
    expect(r.queued.how).toBe('EngineClosedError');
    expect(r.dispose.how).toBe('ok');
    expect(r.crashes).toEqual(['EngineClosedError: model tiny-a was unloaded']);
    expect(r.after.how).toBe('EngineClosedError');
  }, 180_000);

  it('an engine over a MessagePort fails when the model is unloaded or the worker crashes', async () => {
    const r = await call('portFailures');
    console.log('port failures:', JSON.stringify(r));
    // The running generation may finish before the worker reads the unload (it is answered
    // either way); what waits in the queue and what comes later fail at once, nothing hangs.
    expect(['ok', 'EngineClosedError']).toContain(r.unload.running.how);
    expect(r.unload.queued.at(-1).how).toBe('EngineClosedError');
    expect(r.unload.later.how).toBe('EngineClosedError');
    expect(r.unload.later.message).toMatch(/tiny-a was unloaded/);
    expect(r.unload.portCrashes).toEqual(['EngineClosedError']);
    expect(['ok', 'EngineCrashedError']).toContain(r.crash.running.how);
    expect(r.crash.later.how).toBe('EngineCrashedError');
    expect(r.crash.later.message).toMatch(/crashed .*reload the model/);
    expect(r.crash.ownerCrashes.length).toBe(1);
  }, 180_000);

  it('a request with no answer in time is interrupted and rejected; the engine stays usable', async () => {
    const r = await call('timeouts');
    console.log('timeouts:', JSON.stringify(r));
    expect(r.slow.how).toBe('TimeoutError');
    expect(r.slow.message).toMatch(/"generate" got no answer in 0\.1 s/);
    expect(r.slow.ms).toBeLessThan(5_000);
    expect(r.after.how).toBe('ok');
    expect(r.tokens).toBeGreaterThan(0);
  }, 180_000);

  it('the Models view asks before unloading a model a running search uses', async () => {
    const page = lab.page;
    // A wide custom pattern (16 sub-tasks x 8 thoughts x 8 checks): the built-in patterns' trees
    // have ~10 nodes, so a search on them could end before the second Unload on a fast machine
    // or before the tree view drew node 1 on a loaded one.
    await call('mountViews', '#view=search&task=letters&rollouts=5000&seed=2&nodetokens=48&pattern=custom&pat=S16T.ST8.TD8.DA1.RA1&patname=wide');
    await page.locator('lab-search-settings #run').click();
    await expect.poll(async () => (await call('sessionInfo')).inUse, { timeout: 30_000 }).toEqual({ 'tiny-a': ['a running search'] });
    await page.locator('lab-search-view li[role=treeitem][data-id="1"]').waitFor({ timeout: 120_000 });

    const dialogs: string[] = [];
    page.once('dialog', (d) => (dialogs.push(d.message()), void d.dismiss()));
    await page.locator('lab-models-view tr[data-model=tiny-a] button.unload').click();
    try {
      await expect.poll(() => dialogs.length, { timeout: 15_000 }).toBe(1); // a loaded CI machine can take seconds
    } catch (e) {
      console.log('no dialog; session:', JSON.stringify(await call('sessionInfo')), await page.locator('lab-search-view').innerText());
      throw e;
    }
    expect(dialogs[0]).toMatch(/tiny-a is in use by a running search/);
    expect((await call('sessionInfo')).engines).toContain('tiny-a');
    expect(await page.locator('lab-search-view .error').count()).toBe(0);

    // The search must still be running for the second Unload to need a confirmation.
    expect((await call('sessionInfo')).inUse, 'the search ended before the second Unload').toEqual({ 'tiny-a': ['a running search'] });
    page.once('dialog', (d) => (dialogs.push(d.message()), void d.accept()));
    await page.locator('lab-models-view tr[data-model=tiny-a] button.unload').click();
    await page.locator('lab-search-view .error').getByText(/tiny-a was unloaded/).waitFor({ timeout: 60_000 }).catch(async (e) => {
      console.log('search view after Unload:', dialogs, await page.locator('lab-search-view').innerText());
      throw e;
    });
    const after = await call('sessionInfo');
    expect(after.engines).not.toContain('tiny-a');
    expect(after.inUse).toEqual({});
  }, 300_000);
});
