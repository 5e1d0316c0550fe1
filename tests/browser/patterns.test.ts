/**
 * The pattern editor in the Search view, in headless Chromium with tiny-a in an engine worker:
 * a pattern edited through the table and the add-edge form exports as JSON that the real
 * `lab mcts --pattern FILE` runs; an invalid edit shows the validator's message (computed here in
 * Node for the same JSON) and is not passed to Search; the lesson link carries the custom pattern;
 * a search run from the view follows the edited matrix; saving and a bad import; axe finds no
 * serious violations in the editor.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePatternJson, validatePattern } from '../../src/mcts/patterns.js';
import { lab as labCli } from '../unit/lab-process.js';
import { openLab, type Lab } from './chromium.js';

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/tests/browser/search-harness.html');
  for (let attempt = 1; ; attempt++) {
    try {
      await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 120_000 });
      await lab.page.evaluate(() => (globalThis as any).labSearch.load(['wasm', 'webgpu']));
      break;
    } catch (e) {
      if (attempt >= 3 || !/context was destroyed|navigat/i.test((e as Error).message)) throw e;
    }
  }
  await lab.page.evaluate(() => (globalThis as any).labSearch.mountView('#view=search&task=letters&rollouts=3&seed=3&nodetokens=24&pattern=subtask-think-answer'));
}, 240_000);
afterAll(async () => lab?.close());

/** The pattern the test builds through the UI, written out by hand (not by the code under test). */
const EXPECTED = {
  name: 'reclarify-hypothesis',
  description: 'Restate, then two hypotheses',
  start: 'Reclarify',
  rootSamples: 1,
  next: { Thinking: { Answer: 1 }, Reflection: { Answer: 1 }, Reclarify: { Hypothesis: 2 }, Hypothesis: { Answer: 1 } },
  backtrack: 'Hypothesis',
};
/** The same pattern in the lesson link's compact code, by hand: header C1H, then one row per matrix row. */
const EXPECTED_PAT = 'C1H.TA1.RA1.CH2.HA1';

const panel = () => lab.page.locator('lab-pattern-panel');
const cell = (from: string, to: string) => panel().locator(`#pattern-matrix input[data-from="${from}"][data-to="${to}"]`);
const hashParams = async () => Object.fromEntries(await lab.page.evaluate(() => [...new URLSearchParams(location.hash.slice(1))]));

describe('pattern editor', () => {
  it('edits a pattern in the UI into JSON that lab mcts --pattern runs, and carries it in the lesson link', async () => {
    const page = lab.page;
    await page.locator('#pattern-editor summary').click();
    // It starts from the pattern the settings chose.
    expect(await cell('Sub-Task', 'Thinking').inputValue()).toBe('2');
    expect(await panel().locator('lab-pattern-graph svg[role=img] title').textContent()).toContain('subtask-think-answer');

    await panel().locator('input[name=name]').fill(EXPECTED.name);
    await panel().locator('input[name=description]').fill(EXPECTED.description);
    await panel().locator('select[name=start]').selectOption('Reclarify');
    await panel().locator('input[name=rootSamples]').fill('1');
    // Add Reclarify → Hypothesis ×2 with the add-edge form, Hypothesis → Answer in the table.
    await panel().locator('select[name=add-from]').selectOption('Reclarify');
    await panel().locator('select[name=add-to]').selectOption('Hypothesis');
    await panel().locator('input[name=add-samples]').fill('2');
    await panel().locator('#add-edge').click();
    await cell('Hypothesis', 'Answer').fill('1');
    // Remove Sub-Task → Thinking from the edge list; the backtrack target moves to Hypothesis.
    await panel().getByRole('button', { name: 'Remove edge Sub-Task to Thinking' }).click();
    await panel().locator('select[name=backtrack]').selectOption('Hypothesis');
    await panel().locator('#pattern-check .ok').waitFor();

    // The graph draws the used roles, the start and backtrack marks, and the sample counts.
    const roles = await panel().locator('lab-pattern-graph g.node').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-role')));
    expect(roles.sort()).toEqual(['Answer', 'Hypothesis', 'Question', 'Reclarify', 'Reflection', 'Thinking']);
    expect(await panel().locator('lab-pattern-graph g.node[data-role=Reclarify] .mark').textContent()).toBe('start');
    expect(await panel().locator('lab-pattern-graph g.node[data-role=Hypothesis] .mark').textContent()).toBe('↺ backtrack');
    expect(await panel().locator('lab-pattern-graph text.label').allTextContents()).toEqual(expect.arrayContaining(['×2', '×1', 'backtrack']));

    // Search now uses it: the settings select it and the lesson link carries its compact code.
    expect(await page.locator('lab-search-settings select[name=pattern]').inputValue()).toBe('custom');
    const params = await hashParams();
    expect(params.pattern).toBe('custom');
    expect(params.pat).toBe(EXPECTED_PAT);
    expect(params.patname).toBe(EXPECTED.name);
    expect(params.patdesc).toBe(EXPECTED.description);

    // Export: exactly the JSON the CLI reads.
    const [download] = await Promise.all([page.waitForEvent('download'), panel().locator('#pattern-export').click()]);
    const file = join(mkdtempSync(join(tmpdir(), 'lab-pattern-')), download.suggestedFilename());
    await download.saveAs(file);
    expect(file).toMatch(/reclarify-hypothesis\.json$/);
    const exported = JSON.parse(readFileSync(file, 'utf8'));
    expect(exported).toEqual(EXPECTED);
    expect(Object.keys(exported.next)).toEqual(Object.keys(EXPECTED.next));
    const out = join(tmpdir(), `lab-pattern-trees-${process.pid}.jsonl`);
    const r = await labCli('mcts', '--task', 'letters', '--count', '1', '--seed', '0', '--model', 'tiny-a', '--rollouts', '2', '--pattern', file, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pattern reclarify-hypothesis$/m);
    const tree = JSON.parse(readFileSync(out, 'utf8').trim());
    expect(tree.nodes.filter((n: { parent: number | null }) => n.parent === 0).map((n: { role: string }) => n.role)).toEqual(['Reclarify']);
  }, 300_000);

  it('shows the validator message of an invalid edit and keeps it out of Search', async () => {
    const before = (await hashParams()).pat;
    await cell('Hypothesis', 'Answer').fill('17');
    // The message the CLI's validator gives for the same JSON, computed here in Node.
    let expected = '';
    try {
      validatePattern({ ...EXPECTED, next: { ...EXPECTED.next, Hypothesis: { Answer: 17 } } });
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(expected).toMatch(/next\.Hypothesis\.Answer/);
    await expect.poll(() => panel().locator('#pattern-error').textContent()).toBe(expected);
    expect(await panel().locator('#pattern-check').getAttribute('aria-live')).toBe('polite');
    expect(await panel().locator('#pattern-export').isDisabled()).toBe(true);
    expect((await hashParams()).pat).toBe(before);

    // A role that can never reach Answer: the reachability message, again from Node.
    // (Every step below stays invalid, so nothing reaches Search.)
    await cell('Hypothesis', 'Thinking').fill('1');
    await cell('Thinking', 'Answer').fill('');
    await cell('Hypothesis', 'Answer').fill('');
    let unreachable = '';
    try {
      validatePattern({ ...EXPECTED, next: { Reflection: { Answer: 1 }, Reclarify: { Hypothesis: 2 }, Hypothesis: { Thinking: 1 } } });
    } catch (e) {
      unreachable = (e as Error).message;
    }
    await expect.poll(() => panel().locator('#pattern-error').textContent()).toBe(unreachable);
    expect((await hashParams()).pat).toBe(before);

    // Back to the valid pattern (row order as the edits left it).
    await cell('Thinking', 'Answer').fill('1');
    await cell('Hypothesis', 'Answer').fill('1');
    await cell('Hypothesis', 'Thinking').fill('');
    await panel().locator('#pattern-check .ok').waitFor();
    expect((await hashParams()).pat).toBe('C1H.RA1.CH2.HA1.TA1');
  });

  it('a search run from the view follows the edited matrix', async () => {
    const page = lab.page;
    await page.locator('lab-search-settings #run').click();
    await page.getByText(/^Finished \(all rollouts done\)/).waitFor({ timeout: 300_000 });
    const shape = await page.evaluate(() => (globalThis as any).labSearch.treeShape());
    expect(shape.pattern).toBe(EXPECTED.name);
    const nodes = shape.nodes as { id: number; role: string; parent: number | null; depth: number }[];
    const allowed = new Set(['root>Reclarify', 'Reclarify>Hypothesis', 'Hypothesis>Answer', 'Reflection>Answer', 'Thinking>Answer', 'Hypothesis>Reflection']);
    for (const n of nodes.slice(1)) expect(allowed, `node ${n.id}`).toContain(`${nodes[n.parent!]!.role}>${n.role}`);
    // Each expanded node has the matrix's sample count of each child role (Reflections aside).
    const kids = (id: number, role: string) => nodes.filter((n) => n.parent === id && n.role === role).length;
    expect(kids(0, 'Reclarify')).toBe(1);
    for (const n of nodes.filter((x) => x.role === 'Reclarify')) expect(kids(n.id, 'Hypothesis')).toBe(2);
    for (const n of nodes.filter((x) => x.role === 'Hypothesis' && nodes.some((c) => c.parent === x.id && c.role === 'Answer'))) expect(kids(n.id, 'Answer')).toBe(1);
    expect(new Set(nodes.map((n) => n.role))).not.toContain('Sub-Task');
  }, 300_000);

  it('saves in this browser, and a bad import shows the parser message', async () => {
    await panel().locator('#pattern-save').click();
    await panel().locator('#pattern-status', { hasText: `Saved "${EXPECTED.name}"` }).waitFor();
    const stored = await lab.page.evaluate(() => JSON.parse(localStorage.getItem('reasoning-lab/patterns@1') ?? '[]'));
    expect(stored.map((p: { name: string }) => p.name)).toEqual([EXPECTED.name]);
    const bad = '{"name": "x", "start": "Musing", "next": {}, "backtrack": "Thinking"}';
    await panel().locator('#pattern-import').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
    let expected = '';
    try {
      parsePatternJson(bad, 'bad.json');
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(expected).toMatch(/^bad\.json: field "start"/);
    await expect.poll(() => panel().locator('#pattern-status').textContent()).toBe(expected);
    // The same file is refused by the CLI with the same words.
    const file = join(mkdtempSync(join(tmpdir(), 'lab-pattern-')), 'bad.json');
    writeFileSync(file, bad);
    const r = await labCli('mcts', '--task', 'letters', '--count', '1', '--model', 'tiny-a', '--pattern', file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(expected.replace(/^bad\.json/, file));
  }, 120_000);

  it('has no serious or critical axe violations in the editor', async () => {
    const page = lab.page;
    await page.addScriptTag({ content: readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8') });
    const violations = await page.evaluate(async () => {
      type Axe = { run: (ctx: unknown) => Promise<{ passes: unknown[]; violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }> };
      const r = await (window as unknown as { axe: Axe }).axe.run({ include: [{ fromShadowDom: ['lab-search-view', '#pattern-editor'] }] });
      if (r.passes.length < 5) return [`axe checked almost nothing (${r.passes.length} passing rules): is the editor in the page?`];
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    });
    expect(violations).toEqual([]);
  });
});
