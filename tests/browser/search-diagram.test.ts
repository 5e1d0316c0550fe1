/**
 * The Search view's tree diagram in headless Chromium at 1280×720: one picture element per node
 * at every replay step (counted from the recorded demo's event log, not from the diagram code),
 * the replayed path, UCT scores and backtracking curves as the events say; the selection in sync
 * with the accessible list both ways; zoom / pan / fit; SVG and PNG export; axe on the view; a
 * 200-node tree; screenshots under test-artifacts/screenshots/diagram-*.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tree, TreeEvent } from '../../src/mcts/tree.js';
import { openLab, type Lab } from './chromium.js';
import { syntheticTree } from './synthetic-tree.js';

const DEMO: Tree = JSON.parse(readFileSync('public/demos/letters-demo.json', 'utf8')).tree;
const SHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');
const D = 'lab-search-view lab-search-diagram';

/** Independent of the app: nodes that exist after `k` events, and the path the step is about. */
function expected(tree: Tree, k: number): { exists: number[]; path: number[]; focus: number | null } {
  const exists = [0];
  for (const e of tree.events.slice(0, k)) if (e.type === 'expand') exists.push(...e.children);
  const e: TreeEvent | undefined = tree.events[k - 1];
  const up = (id: number) => {
    const out: number[] = [];
    for (let n: number | null = id; n !== null; n = tree.nodes[n]!.parent) out.unshift(n);
    return out;
  };
  if (!e) return { exists, path: [], focus: null };
  if (e.type === 'backprop') return { exists, path: e.path, focus: e.path.at(-1)! };
  const focus = e.type === 'backtrack' ? e.reflection : e.node;
  return { exists, path: up(focus), focus };
}

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/#view=search');
  await lab.page.setViewportSize({ width: 1280, height: 720 });
  await lab.page.locator(`${D} g[data-id="11"]`).waitFor({ timeout: 60_000 });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);
afterAll(async () => lab?.close());

/** Go to a replay step with the replay controls (First, then Next step k times; Last for the end). */
async function seek(step: number): Promise<void> {
  const page = lab.page;
  const button = page.getByRole('button', { name: step === DEMO.events.length ? 'Last step' : step === 0 ? 'First step' : 'Next step' });
  // First / Last are disabled when already there.
  if (await button.isEnabled()) await button.click();
  await page.locator('lab-replay-controls #position', { hasText: new RegExp(`^Step ${step} of`) }).waitFor({ timeout: 5000 });
}

const ids = (sel: string) => lab.page.locator(sel).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))).sort((a, b) => a - b));

describe('search tree diagram', () => {
  it('draws one node per existing node and highlights the replayed path at every step', async () => {
    const page = lab.page;
    for (let k = 0; k <= DEMO.events.length; k++) {
      await seek(k);
      const want = expected(DEMO, k);
      expect(await ids(`${D} g[data-id]`), `step ${k}`).toEqual([...want.exists].sort((a, b) => a - b));
      expect(await ids(`${D} g[data-id][data-on-path="true"]`), `path at step ${k}`).toEqual([...want.path].sort((a, b) => a - b));
      expect(await ids(`${D} g[data-id][data-focus="true"]`)).toEqual(want.focus === null ? [] : [want.focus]);
      const pathEdges = await page.locator(`${D} g[data-edge][data-on-path="true"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-edge')));
      expect(pathEdges.sort()).toEqual(want.path.slice(1).map((id, i) => `${want.path[i]}-${id}`).sort());
      // UCT scores at a selection, the chosen one marked.
      const e = DEMO.events[k - 1];
      if (e?.type === 'select') {
        for (const c of e.candidates) {
          const text = await page.locator(`${D} g[data-id="${c.node}"] text[data-uct]`).textContent();
          expect(text).toContain(c.uct === null ? 'UCT ∞' : `UCT ${Number.isInteger(c.uct) ? c.uct : c.uct.toFixed(3)}`);
          expect(text!.startsWith('▶')).toBe(c.node === e.node);
        }
      } else expect(await page.locator(`${D} text[data-uct]`).count()).toBe(0);
      // Backtracking curves for the backtrack events applied so far.
      const bt = DEMO.events.slice(0, k).flatMap((x) => (x.type === 'backtrack' ? [`${x.from}-${x.reflection}`] : []));
      expect(await page.locator(`${D} path[data-backtrack]`).evaluateAll((els) => els.map((x) => x.getAttribute('data-backtrack')))).toEqual(bt);
      if (k === 10) await page.locator(D).screenshot({ path: join(SHOTS, 'diagram-demo-backtrack.png') });
    }
    // Verdict marks on the evaluated Answers of the finished tree.
    const evaluated = new Map(DEMO.events.flatMap((x) => (x.type === 'evaluate' ? [[x.node, x.correct] as const] : [])));
    expect(await ids(`${D} g[data-id]:has(> g[data-verdict="correct"])`)).toEqual([...evaluated].filter(([, c]) => c).map(([id]) => id).sort((a, b) => a - b));
    expect(await ids(`${D} g[data-id]:has(> g[data-verdict="wrong"])`)).toEqual([...evaluated].filter(([, c]) => !c).map(([id]) => id).sort((a, b) => a - b));
    await page.screenshot({ path: join(SHOTS, 'diagram-demo-view.png') });
  }, 180_000);

  it('keeps the selection in sync with the list, both ways', async () => {
    const page = lab.page;
    await seek(DEMO.events.length);
    await page.locator(`${D} g[data-id="9"]`).click();
    await expect.poll(() => ids('lab-search-view li[role=treeitem][aria-selected="true"]')).toEqual([9]);
    expect(await page.locator('lab-node-card h3').textContent()).toMatch(/^#9 Answer/);
    expect(await ids(`${D} g[data-id][data-selected="true"]`)).toEqual([9]);
    await page.locator('lab-search-view li[role=treeitem][data-id="4"] > .row').click();
    await expect.poll(() => ids(`${D} g[data-id][data-selected="true"]`)).toEqual([4]);
    // Keyboard in the list moves the picture's selection too.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => ids(`${D} g[data-id][data-selected="true"]`)).toEqual([11]);
  });

  it('zooms with the buttons and the wheel, pans by dragging (without selecting), and fits', async () => {
    const page = lab.page;
    const svg = page.locator(`${D} svg.diagram`);
    const box = async () => (await svg.getAttribute('viewBox'))!.split(' ').map(Number);
    const fit = await box();
    await page.locator(`${D} #zoom-in`).click();
    const z = await box();
    expect(z[2]! / fit[2]!).toBeCloseTo(0.8, 5);
    const r = (await svg.boundingBox())!;
    await page.mouse.move(r.x + r.width / 2, r.y + r.height / 2);
    await page.mouse.wheel(0, -200);
    await expect.poll(async () => (await box())[2]!).toBeLessThan(z[2]!);
    const before = await box();
    const sel = await ids(`${D} g[data-id][data-selected="true"]`);
    await page.mouse.move(r.x + 40, r.y + 40);
    await page.mouse.down();
    await page.mouse.move(r.x + 140, r.y + 90, { steps: 5 });
    await page.mouse.up();
    const after = await box();
    expect(after[0]).toBeLessThan(before[0]!);
    expect(after[1]).toBeLessThan(before[1]!);
    expect(after[2]).toBeCloseTo(before[2]!, 5);
    expect(await ids(`${D} g[data-id][data-selected="true"]`)).toEqual(sel);
    await page.locator(`${D} #fit`).click();
    expect(await box()).toEqual(fit);
  });

  it('exports SVG with one node group and shape per node, and a PNG', async () => {
    const page = lab.page;
    await seek(DEMO.events.length);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`${D} #export-svg`).click()]);
    expect(dl.suggestedFilename()).toMatch(/\.svg$/);
    await dl.saveAs(join(SHOTS, 'diagram-export.svg'));
    const text = readFileSync(join(SHOTS, 'diagram-export.svg'), 'utf8');
    const parsed = await page.evaluate((src) => {
      const doc = new DOMParser().parseFromString(src, 'image/svg+xml');
      const root = doc.documentElement;
      const groups = [...root.querySelectorAll('g[data-id]')];
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        root: root.localName, ns: root.namespaceURI, width: Number(root.getAttribute('width')),
        ids: groups.map((g) => Number(g.getAttribute('data-id'))).sort((a, b) => a - b),
        shapesPerNode: groups.map((g) => g.querySelectorAll(':scope > path.shape').length),
        fills: groups.map((g) => g.querySelector(':scope > path.shape')!.getAttribute('fill')),
        legend: root.querySelector('[data-legend]')?.textContent ?? '',
      };
    }, text);
    expect(parsed.error).toBeNull();
    expect(parsed.root).toBe('svg');
    expect(parsed.ns).toBe('http://www.w3.org/2000/svg');
    expect(parsed.ids).toEqual(DEMO.nodes.map((n) => n.id));
    expect(parsed.shapesPerNode).toEqual(DEMO.nodes.map(() => 1));
    expect(parsed.fills.every((f) => /^#[0-9a-f]{6}$/.test(f ?? ''))).toBe(true); // styles inline, no CSS classes needed
    expect(parsed.legend).toContain('Reflection');
    const [png] = await Promise.all([page.waitForEvent('download'), page.locator(`${D} #export-png`).click()]);
    await png.saveAs(join(SHOTS, 'diagram-export.png'));
    const bytes = readFileSync(join(SHOTS, 'diagram-export.png'));
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.readUInt32BE(16)).toBe(Math.round(parsed.width * 2)); // IHDR width: the SVG at 2×
  });

  it('has no serious or critical axe violations in the diagram', async () => {
    const page = lab.page;
    await page.addScriptTag({ content: readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8') });
    const violations = await page.evaluate(async () => {
      type Axe = { run: (ctx: unknown) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }> };
      // The new parts: the diagram (picture, toolbar, legend) inside the Search view's shadow roots.
      const r = await (window as unknown as { axe: Axe }).axe.run({ include: [{ fromShadowDom: ['lab-app', 'lab-search-view', 'lab-search-diagram'] }] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    });
    expect(violations).toEqual([]);
    const label = await page.locator(`${D} svg.diagram`).getAttribute('aria-label');
    expect(label).toContain(`${DEMO.nodes.length} nodes`);
    expect(await page.locator(`${D} svg.diagram`).getAttribute('role')).toBe('img');
  });

  it('draws a 200-node tree whole, with its text as text', async () => {
    const page = lab.page;
    const tree = syntheticTree(200, 3);
    await page.evaluate((t) => (globalThis as any).lab.session.update({ trees: [t] }), tree);
    await expect.poll(() => page.locator(`${D} g[data-id]`).count(), { timeout: 30_000 }).toBe(200);
    expect(await page.locator(`${D} path[data-backtrack]`).count()).toBe(tree.events.filter((e) => e.type === 'backtrack').length);
    // Node text with markup is in the tooltips as characters, never as elements.
    expect(await page.locator(`${D} g[data-id="5"] > title`).textContent()).toContain('<b>not markup</b>');
    expect(await page.locator(`${D} b`).count()).toBe(0);
    await page.locator(D).screenshot({ path: join(SHOTS, 'diagram-200-nodes.png') });
    await page.locator(`${D} #zoom-in`).click();
    await page.locator(`${D} #zoom-in`).click();
    await page.locator(`${D} #zoom-in`).click();
    await page.locator(D).screenshot({ path: join(SHOTS, 'diagram-200-zoomed.png') });
  });
});
