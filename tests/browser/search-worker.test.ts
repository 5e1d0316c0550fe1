/**
 * The search runs in its own worker, with tiny-a in an engine worker connected by a MessagePort:
 * events arrive live (before the search ends, in order, with a growing tree the page can read),
 * the same seed gives the same tree, Stop aborts promptly and leaves both workers usable, errors
 * come back as messages, and <lab-search-view> runs a search, saves it incrementally, replays it
 * with the keyboard, exposes an ARIA tree and renders model text as text. The embedded models are
 * being retrained: nothing here asserts on what the model writes, only on structure and determinism.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/tests/browser/search-harness.html');
  // Vite may reload the page once when it first meets a dependency (lit): retry on that.
  let loaded: any;
  for (let attempt = 1; ; attempt++) {
    try {
      await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 120_000 });
      loaded = await lab.page.evaluate(() => (globalThis as any).labSearch.load(['wasm', 'webgpu']));
      break;
    } catch (e) {
      if (attempt >= 3 || !/context was destroyed|navigat/i.test((e as Error).message)) throw e;
    }
  }
  console.log(`tiny-a loaded in an engine worker on ${loaded.info.device}${loaded.errors.length ? ` (after: ${loaded.errors.join('; ')})` : ''}`);
}, 240_000);
afterAll(async () => lab?.close());

const SPEC = { problem: { family: 'letters', setSeed: 0, index: 0 }, pattern: 'subtask-think-answer', c: 1.4, rollouts: 4, seed: 1, tokenBudget: 0, timeBudgetMs: 0, maxNodeTokens: 48 };
const search = (spec: object, stopAfter = 0) => lab.page.evaluate(([s, n]) => (globalThis as any).labSearch.search(s, n), [spec, stopAfter] as const);

describe('search worker', () => {
  it('streams events live, repeats with the same seed, stops on request and reports errors', async () => {
    const a = await search(SPEC);
    console.log(`search A: ${a.nodes} nodes, ${a.received} events, first after ${a.firstEventMs?.toFixed(0)} ms, done after ${a.doneMs.toFixed(0)} ms, ${a.ticks} main-thread ticks`);
    expect(a.error).toBe('');
    expect(a.stats.rollouts).toBe(4);
    expect(a.stats.stoppedBy).toBe('rollouts');
    // Live: every event reached the page, in order, before the search ended, and the page could
    // read a partial tree mid-search.
    expect(a.received).toBe(a.treeEvents);
    expect(a.inOrder).toBe(true);
    expect(a.firstEventMs).toBeLessThan(a.doneMs);
    expect(a.partialNodes).toBeGreaterThan(1);
    expect(a.partialNodes).toBeLessThanOrEqual(a.nodes);
    expect(a.mirrorMatches).toBe(true);
    expect(a.pageTokenize).toBe(3);
    expect(a.roles).toEqual(expect.arrayContaining(['root', 'Sub-Task', 'Thinking', 'Answer']));

    // Stop after the first back-propagation of a long search.
    const stopped = await search({ ...SPEC, rollouts: 500, seed: 2 }, 1);
    console.log(`stopped search: ${stopped.stats?.rollouts} rollouts, ${stopped.nodes} nodes, done ${stopped.stopToDoneMs?.toFixed(0)} ms after Stop`);
    expect(stopped.error).toBe('');
    expect(stopped.stats.stoppedBy).toBe('abort');
    expect(stopped.stats.rollouts).toBeLessThan(500);
    expect(stopped.stats.rollouts).toBeGreaterThanOrEqual(1);
    expect(stopped.received).toBe(stopped.treeEvents);

    // Same seed, same tree — after the interrupted search, so the engine worker is still usable.
    const b = await search(SPEC);
    expect(b.error).toBe('');
    expect(b.stripped).toBe(a.stripped);

    // A bad spec comes back as an error message; the worker then still runs searches.
    const bad = await search({ ...SPEC, problem: { family: 'letters', prompt: '  ', answer: '' } });
    expect(bad.error).toMatch(/custom prompt is empty/);
    const bad2 = await search({ ...SPEC, pattern: 'zigzag' });
    expect(bad2.error).toMatch(/unknown pattern "zigzag"/);
  }, 600_000);
});

describe('<lab-search-view>', () => {
  it('runs, saves incrementally, replays with keys, and renders an accessible tree of text', async () => {
    const page = lab.page;
    await page.evaluate(() => (globalThis as any).labSearch.mountView('#view=search&task=letters&rollouts=3&seed=2&nodetokens=48&pattern=subtask-think-answer'));
    // Settings come from the lesson link.
    expect(await page.locator('lab-search-settings input[name=rollouts]').inputValue()).toBe('3');
    expect(await page.locator('lab-search-settings input[name=seed]').inputValue()).toBe('2');
    await page.locator('lab-search-settings #run').click();
    await page.getByText(/^Finished \(all rollouts done\)/).waitFor({ timeout: 300_000 });
    const sessionInfo = () => page.evaluate(() => (globalThis as any).labSearch.sessionInfo());
    // The final save (tree + status) lands just after the view says Finished.
    await expect.poll(async () => (await sessionInfo()).run?.status, { timeout: 10_000 }).toBe('done');
    const info = await sessionInfo();
    console.log(`view search: ${info.nodes} nodes, ${info.events} events, run ${info.runId} with ${info.run?.types.length} items`);
    expect(info.trees).toBe(1);
    expect(info.runId).toMatch(/^search-/);
    // Saved as it went: spec, one event item per event (appended per rollout), then the tree.
    expect(info.run.kind).toBe('search');
    expect(info.run.status).toBe('done');
    expect(info.run.types[0]).toBe('spec');
    expect(info.run.types.at(-1)).toBe('tree');
    expect(info.run.events).toBe(info.events);
    expect(info.hash).toContain('rollouts=3');

    // The tree: one ARIA tree, every node a treeitem at the last step, one selected.
    expect(await page.getByRole('tree').count()).toBe(1);
    expect(await page.getByRole('treeitem').count()).toBe(info.nodes);
    expect(await page.locator('li[role=treeitem][aria-selected=true]').count()).toBe(1);
    // Arrow keys move the selection; ← collapses an open subtree.
    await page.locator('li[role=treeitem][data-id="0"] > .row').click();
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('li[role=treeitem][aria-selected=true]').getAttribute('data-id')).toBe('1');
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('li[role=treeitem][data-id="1"]').getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('li[role=treeitem][data-id="1"]').getAttribute('aria-expanded')).toBe('true');
    // The node card shows the selected node.
    expect(await page.locator('lab-node-card h3').textContent()).toContain('#1');

    // Replay: first step, then keys on the controls (→ step, Shift+→ rollout).
    await page.getByRole('button', { name: 'First step' }).click();
    await page.getByText(`Step 0 of ${info.events}`).waitFor();
    expect(await page.getByRole('treeitem').count()).toBe(1);
    await page.locator('lab-replay-controls #play').focus();
    await page.keyboard.press('ArrowRight');
    await page.getByText(`Step 1 of ${info.events}`, { exact: false }).waitFor();
    expect(await page.locator('lab-replay-controls li[aria-current=step]').textContent()).toBe('Expand');
    await page.keyboard.press('Shift+ArrowRight');
    const pos = await page.locator('lab-replay-controls #position').textContent();
    expect(pos).toMatch(/rollout 1\s*$/);
    expect(await page.locator('lab-replay-controls li[aria-current=step]').textContent()).toMatch(/Backprop|Backtrack/);
    await page.waitForFunction(() => /step=\d+/.test(location.hash), null, { timeout: 5_000 });
    // Play advances on its own; Space pauses.
    await page.locator('lab-replay-controls #play').click();
    await page.waitForFunction(() => document.querySelector('lab-search-view')?.shadowRoot?.querySelector('lab-replay-controls')?.shadowRoot?.querySelector('#play')?.getAttribute('aria-pressed') === 'true');
    await page.waitForTimeout(800);
    await page.locator('li[role=treeitem][data-id="0"]').focus();
    await page.keyboard.press('Space');
    expect(await page.locator('lab-replay-controls #play').getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator('lab-replay-controls #position').textContent()).not.toBe(pos);

    // Untrusted model text stays text.
    await page.evaluate(() => (globalThis as any).labSearch.showHostileTree());
    // (visible: the tree diagram holds the same text in hidden SVG <title> tooltips)
    await page.getByText('<img src=x onerror="window.pwned=1"><b>bold?</b>', { exact: false }).filter({ visible: true }).first().waitFor();
    expect(await page.locator('lab-search-view img, lab-search-view b').count()).toBe(0);
    expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
  }, 600_000);
});
