/**
 * Tree diagram part of bench/ui.ts, in the page of the production build: a synthetic 200-node
 * tree (tests/browser/synthetic-tree.ts) put on the session, then side by side in one run
 *  - drawing it: a fresh <lab-search-diagram> vs a fresh <lab-search-tree> (the list) rendered
 *    at the last step, until Lit's update is done and layout is forced (paint not included);
 *  - stepping the replay: ms per step over the whole event log for the diagram alone, the list
 *    alone (the same replay states) and the whole Search view (seek + every child updated).
 */
import type { Page } from 'playwright-core';
import { syntheticTree } from '../tests/browser/synthetic-tree.js';

export interface DiagramBench { draw: { diagram: number[]; list: number[] }; step: { diagram: number; list: number; view: number; steps: number } }

/** Run in `page` (the lab open, any view); returns timings in ms. */
export async function benchDiagram(page: Page, repeats: number): Promise<DiagramBench> {
  const tree = syntheticTree(200, 3);
  await page.evaluate((h) => (location.hash = h), '#view=search');
  // The recorded demo first (the app puts it on the session at start-up), then our tree over it.
  await page.locator('lab-search-view lab-search-diagram g[data-id]').first().waitFor({ timeout: 60_000 });
  await page.evaluate((t) => (globalThis as unknown as { lab: { session: { update(p: unknown): void } } }).lab.session.update({ trees: [t] }), tree);
  await page.waitForFunction((n) => {
    const v = document.querySelector('lab-app')?.shadowRoot?.querySelector('lab-search-view');
    return v?.shadowRoot?.querySelector('lab-search-diagram')?.shadowRoot?.querySelectorAll('g[data-id]').length === n;
  }, tree.nodes.length, { timeout: 60_000 });
  // tsx (esbuild, keepNames) wraps named functions in __name(), which the page does not have.
  await page.addScriptTag({ content: 'window.__name = window.__name || ((f) => f);' });
  return page.evaluate(async ({ tree, repeats }) => {
    type El = HTMLElement & { updateComplete: Promise<boolean>; [k: string]: unknown };
    const view = document.querySelector('lab-app')!.shadowRoot!.querySelector('lab-search-view') as unknown as El;
    // The view's replay controller (a private field, reached from here as the keys would).
    const replay = view.replay as { seek(k: number): void };
    const inView = (tag: string) => view.shadowRoot!.querySelector(tag) as El;
    const settle = async (els: El[]) => {
      for (let i = 0; i < 3; i++) for (const e of els) await e.updateComplete;
      void document.body.offsetHeight; // force style and layout
    };
    // The replay states the view computes at each step (so both components get the same input).
    const states: unknown[] = [];
    const all = () => [view, inView('lab-search-diagram'), inView('lab-search-tree'), inView('lab-node-card')];
    const t0 = performance.now();
    for (let k = 0; k <= tree.events.length; k++) {
      replay.seek(k);
      await settle(all());
      states.push(inView('lab-search-diagram').replay);
    }
    const viewMs = (performance.now() - t0) / (tree.events.length + 1);
    const host = document.createElement('div');
    host.style.width = '740px';
    document.body.append(host);
    const fresh = (tag: string) => {
      const el = document.createElement(tag) as El;
      Object.assign(el, { nodes: tree.nodes, events: tree.events, treeId: tree.id, selected: 0, replay: states.at(-1) });
      return el;
    };
    const draw = { diagram: [] as number[], list: [] as number[] };
    const step = { diagram: 0, list: 0 };
    for (let r = 0; r < repeats; r++) {
      for (const [key, tag] of [['diagram', 'lab-search-diagram'], ['list', 'lab-search-tree']] as const) {
        host.replaceChildren();
        const s = performance.now();
        const el = fresh(tag);
        host.append(el);
        await settle([el]);
        draw[key].push(performance.now() - s);
        if (r > 0) continue;
        const s2 = performance.now();
        for (const rs of states) {
          el.replay = rs;
          await settle([el]);
        }
        step[key] = (performance.now() - s2) / states.length;
      }
    }
    host.remove();
    return { draw, step: { ...step, view: viewMs, steps: states.length } };
  }, { tree, repeats });
}

/** Rows for the RESULTS.md table. */
export function diagramRows(b: DiagramBench): string[] {
  const med = (xs: number[]) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)]!;
  const f = (x: number) => x.toFixed(1);
  const dd = med(b.draw.diagram), dl = med(b.draw.list);
  return [
    `| 200-node tree: draw the diagram (fresh element, last step) | ${f(dd)} ms | ${b.draw.diagram.map(f).join(', ')} |`,
    `| 200-node tree: draw the list (fresh element, last step) | ${f(dl)} ms | ${b.draw.list.map(f).join(', ')} |`,
    `| 200-node tree: replay step, diagram alone (ms/step over ${b.step.steps} steps) | ${f(b.step.diagram)} ms | 1 |`,
    `| 200-node tree: replay step, list alone | ${f(b.step.list)} ms | 1 |`,
    `| 200-node tree: replay step, whole Search view (diagram + list + card) | ${f(b.step.view)} ms | 1 |`,
    `| diagram / list: draw ${f(dd / dl)}x, step ${f(b.step.diagram / b.step.list)}x | | |`,
  ];
}
