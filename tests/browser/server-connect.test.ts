/**
 * The Models view connects an OpenAI-compatible server as an engine: real `lab serve` (tiny-a on
 * onnxruntime-node) behind the real protocol, used from an engine worker in Chromium. The API
 * key never reaches the URL or IndexedDB; an unreachable server fails fast with a clear message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/serve.js';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ model: 'tiny-a', port: 0 });
  lab = await openLab('/#view=models');
  await lab.page.waitForSelector('lab-app');
});
afterAll(async () => {
  await lab?.close();
  await server?.close();
});

describe('OpenAI-compatible server in the browser', () => {
  it('connects lab serve as an engine, generates with continuation, keeps the key out of URL and IndexedDB', async () => {
    const page = lab.page;
    await page.locator('lab-server-connect input[name="base-url"]').fill(server.baseUrl);
    await page.locator('lab-server-connect input[name="server-model"]').fill('tiny-a');
    await page.locator('lab-server-connect input[name="api-key"]').fill('sk-test-secret-123');
    await page.locator('lab-server-connect #connect').click();
    const status = page.locator('lab-server-connect #server-status', { hasText: 'Connected as server:tiny-a' });
    await status.waitFor({ timeout: 60_000 });
    expect(await status.textContent()).toMatch(/can score/);
    const out = await page.evaluate(async () => {
      const e = (window as unknown as { lab: { session: { state: { engines: Map<string, { generate: (r: object) => Promise<{ text: string }[]> }> } } } }).lab.session.state.engines.get('server:tiny-a')!;
      const [a] = await e.generate({ messages: [{ role: 'user', content: 'Count the letter r in the word barrier.' }], prefix: '<Sub-Task>', n: 1, temperature: 0, maxTokens: 24 });
      const dbs = await indexedDB.databases();
      return { text: a!.text, hash: location.hash, href: location.href, dbs: dbs.map((d) => d.name) };
    });
    expect(out.text.length).toBeGreaterThan(0);
    expect(out.href).not.toContain('sk-test-secret');
    // The run store holds no secret: dump every record of every store.
    const dump = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((res, rej) => { const r = indexedDB.open('reasoning-lab'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
      const all: unknown[] = [];
      for (const name of db.objectStoreNames) all.push(await new Promise((res) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => res(r.result); }));
      return JSON.stringify(all);
    });
    expect(dump).not.toContain('sk-test-secret');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0); // "remember" was not ticked
    // The page keeps no copy: not in the element's properties, not in its field, not in the DOM.
    const inPage = await page.evaluate(() => {
      const el = document.querySelector('lab-app')!.shadowRoot!.querySelector('lab-models-view')!.shadowRoot!.querySelector('lab-server-connect')! as any;
      const props: string[] = [];
      for (let o = el; o && o !== HTMLElement.prototype; o = Object.getPrototypeOf(o)) props.push(...Object.getOwnPropertyNames(o));
      const values = props.map((p) => { try { return typeof el[p] === 'string' ? el[p] : ''; } catch { return ''; } });
      return { props: values.filter((v) => v.includes('sk-test-secret')), field: (el.shadowRoot.querySelector('input[name="api-key"]') as HTMLInputElement).value, html: new XMLSerializer().serializeToString(el.shadowRoot).includes('sk-test-secret') };
    });
    expect(inPage).toEqual({ props: [], field: '', html: false });
  });

  it('asks before sending a key over plain http beyond this machine, and sends nothing when told no', async () => {
    const page = lab.page;
    await page.locator('lab-server-connect input[name="base-url"]').fill('http://192.0.2.10:8000/v1');
    await page.locator('lab-server-connect input[name="api-key"]').fill('sk-test-secret-456');
    await page.locator('lab-server-connect #insecure-key').getByText('travel unencrypted').waitFor();
    const dialogs: string[] = [];
    page.once('dialog', (d) => (dialogs.push(d.message()), void d.dismiss()));
    await page.locator('lab-server-connect #connect').click();
    await page.locator('lab-server-connect #server-status', { hasText: 'the key was not sent' }).waitFor({ timeout: 10_000 });
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]).toMatch(/192\.0\.2\.10:8000 is reached over plain http.*Send the key anyway\?/);
    // https, or a loopback address, needs no confirmation: the note goes away.
    await page.locator('lab-server-connect input[name="base-url"]').fill('https://192.0.2.10/v1');
    expect(await page.locator('lab-server-connect #insecure-key').count()).toBe(0);
    await page.locator('lab-server-connect input[name="api-key"]').fill('');
  });

  it('an unreachable server fails fast with a message naming it', async () => {
    const page = lab.page;
    await page.locator('lab-server-connect input[name="base-url"]').fill('http://127.0.0.1:9/v1');
    const t0 = Date.now();
    await page.locator('lab-server-connect #connect').click();
    const alert = page.locator('lab-server-connect [role="alert"]');
    await alert.waitFor({ timeout: 30_000 });
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(await alert.textContent()).toMatch(/127\.0\.0\.1:9/);
  });
});
