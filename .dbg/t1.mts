import { openBuiltLab } from '../tests/e2e/built-lab.ts';
const t0 = Date.now();
const lab = await openBuiltLab('/');
const log = (s: string) => console.log(((Date.now() - t0) / 1000).toFixed(1), s);
log('opened');
lab.page.on('console', (m) => log('console: ' + m.type() + ' ' + m.text() + ' ' + JSON.stringify(m.location())));
await lab.page.waitForSelector('lab-app');
log('lab-app');
const cached = await lab.page.evaluate(async () => {
  const reg = await navigator.serviceWorker.ready;
  const keys = await caches.keys();
  const cache = await caches.open(keys.find((k) => k.startsWith('reasoning-lab'))!);
  return { active: !!reg.active, urls: (await cache.keys()).map((r) => new URL(r.url).pathname) };
});
log(JSON.stringify(cached).slice(0, 300));
await lab.page.evaluate((h) => (location.hash = h), '#view=search');
try { await lab.page.getByRole('treeitem').first().waitFor({ timeout: 30_000 }); log('treeitem'); } catch (e) { log('no treeitem ' + (e as Error).message.slice(0, 200)); }
const st = await lab.page.evaluate(() => { const l = (window as any).lab; return { trees: l?.session?.state?.trees?.length, store: !!l?.session?.state?.store }; });
log(JSON.stringify(st));
await lab.page.screenshot({ path: '.dbg/t1.png', fullPage: true });
await lab.close();
