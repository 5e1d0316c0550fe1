import { openBuiltLab } from '../tests/e2e/built-lab.ts';
const lab = await openBuiltLab('/');
lab.page.on('console', (m) => console.log('console:', m.type(), m.text()));
await lab.page.waitForSelector('lab-app');
for (let i = 0; i < 12; i++) {
  const st = await lab.page.evaluate(async () => {
    const r = await navigator.serviceWorker.getRegistration();
    return { reg: !!r, installing: r?.installing?.state, waiting: r?.waiting?.state, active: r?.active?.state, ctrl: !!navigator.serviceWorker.controller, keys: await caches.keys() };
  });
  console.log(JSON.stringify(st));
  await new Promise((r) => setTimeout(r, 5000));
}
const sw = await (await fetch(lab.url + '/sw.js')).text();
console.log(sw.slice(0, 400));
await lab.close();
