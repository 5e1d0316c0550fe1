/**
 * The pure parts of the Search view and its worker protocol: lesson-link settings (round trip,
 * bad values fall back), the spec the worker resolves, the streamed deltas that rebuild the tree
 * on the page, and keyboard navigation of the tree.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { applyEventMessage, touchedNodes, type SearchEventMessage } from '../../src/engines/search-rpc.js';
import { resolveProblem, resolveSpec } from '../../src/mcts/search-spec.js';
import { runSearch } from '../../src/mcts/search.js';
import type { Tree } from '../../src/mcts/tree.js';
import { generateProblems } from '../../src/tasks/index.js';
import { formatHash, parseHash } from '../../src/ui/app/lesson-link.js';
import { DEFAULT_SETTINGS, readSettings, settingsToHash, toSpec } from '../../src/ui/search/settings.js';
import { navigate, visibleItems } from '../../src/ui/search/tree-nav.js';
import { scripted } from './scripted-engine.js';

/** What writeLesson would produce from a patch (undefined removes the key). */
function link(patch: Record<string, string | number | undefined>): string {
  const p: Record<string, string> = { view: 'search' };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) p[k] = String(v);
  return formatHash(p);
}

describe('search settings in the lesson link', () => {
  it('round-trips through the hash and keeps links short', () => {
    const s = { ...DEFAULT_SETTINGS, task: 'arithmetic' as const, problem: 3, problemset: 2, pattern: 'double-check', c: 0.7, rollouts: 12, tokens: 4000, time: 30, nodeTokens: 96, seed: 9, think: 'tiny-a', reflect: 'tiny-b' };
    const hash = link(settingsToHash(s));
    expect(hash).toBe('#view=search&c=0.7&nodetokens=96&pattern=double-check&problem=3&problemset=2&reflect=tiny-b&rollouts=12&seed=9&task=arithmetic&think=tiny-a&time=30&tokens=4000');
    expect(readSettings(parseHash(hash))).toEqual(s);
    const custom = { ...DEFAULT_SETTINGS, custom: true, prompt: "How many r's in strawberry?", expected: '3' };
    const h2 = link(settingsToHash(custom));
    expect(h2).not.toContain('problem=');
    expect(readSettings(parseHash(h2))).toEqual(custom);
    expect(link(settingsToHash(DEFAULT_SETTINGS))).toBe('#view=search&c=1.4&pattern=random&problem=0&rollouts=8&seed=1&task=letters');
  });

  it('falls back on bad values instead of throwing', () => {
    const s = readSettings(parseHash('#task=chess&pattern=zigzag&c=abc&rollouts=-4&seed=1.6&problem=&nodetokens=99999'));
    expect(s.task).toBe('letters');
    expect(s.pattern).toBe('random');
    expect(s.c).toBe(1.4);
    expect(s.rollouts).toBe(1);
    expect(s.seed).toBe(2);
    expect(s.problem).toBe(0);
    expect(s.nodeTokens).toBe(1024);
  });

  it('resolves to the same problem and pattern as the CLI would, or a blind custom search', () => {
    const spec = toSpec({ ...DEFAULT_SETTINGS, problem: 2, problemset: 5, seed: 3, rollouts: 4, time: 1.5 });
    const { problem, config } = resolveSpec(spec);
    expect(problem).toEqual(generateProblems('letters', 3, 5)[2]);
    expect(config).toMatchObject({ rollouts: 4, seed: 3, c: 1.4, timeBudgetMs: 1500, maxNodeTokens: 160 });
    expect(config.tokenBudget).toBeUndefined();
    expect(config.blind).toBeUndefined();
    // The pattern the CLI picks for the same problem and seed: ask the real `lab mcts` process.
    const cli = execFileSync('node', ['bin/lab.js', 'mcts', '--task', 'letters', '--count', '3', '--seed', '5', '--model', 'tiny-a', '--rollouts', '1'], { encoding: 'utf8', timeout: 60_000 });
    const cliPatterns = Object.fromEntries([...cli.matchAll(/^(\S+): .* pattern (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(cliPatterns)).toEqual(['letters-s5-0', 'letters-s5-1', 'letters-s5-2']);
    for (const index of [0, 1, 2]) {
      const r = resolveSpec({ ...spec, seed: 5, problem: { family: 'letters', setSeed: 5, index } });
      expect(r.config.pattern.name, `problem ${index}`).toBe(cliPatterns[r.problem.id]);
    }
    // The patterns the CLI chose are not all the same, so a constant choice would fail above.
    expect(new Set(Object.values(cliPatterns)).size).toBeGreaterThan(1);
    const blind = resolveSpec(toSpec({ ...DEFAULT_SETTINGS, custom: true, prompt: ' How many s in mississippi? ', expected: '' }));
    expect(blind.config.blind).toBe(true);
    expect(blind.problem.question).toBe('How many s in mississippi?');
    expect(blind.problem.id).toMatch(/^custom-[0-9a-f]+$/);
    expect(resolveSpec(toSpec({ ...DEFAULT_SETTINGS, custom: true, prompt: 'q', expected: '4' })).config.blind).toBeUndefined();
    expect(() => resolveProblem({ family: 'letters', prompt: '   ', answer: '' })).toThrow(/custom prompt is empty/);
    expect(() => resolveProblem({ family: 'chess' as never, setSeed: 0, index: 0 })).toThrow(/unknown task "chess"/);
  });
});

describe('streamed tree deltas', () => {
  it('rebuild exactly the tree the search built, event by event', async () => {
    const problem = generateProblems('letters', 1, 1)[0]!;
    const { verifier, config } = resolveSpec(toSpec({ ...DEFAULT_SETTINGS, rollouts: 8, pattern: 'reclarify-double-check' }));
    let mirror: Tree | null = null;
    let sent = 0;
    let bytes = 0;
    const final = await runSearch(problem, verifier, { think: scripted('a', [problem.answer, '0']), reflect: scripted('b', [problem.answer]) }, config, {
      onEvent: (event, t) => {
        const msg: SearchEventMessage = structuredClone({ type: 'event', id: 1, index: t.events.length - 1, event, nodes: touchedNodes(t, event, sent), stats: t.stats, ...(mirror ? {} : { head: { schema: t.schema, id: t.id, task: t.task, config: t.config } }) });
        sent = t.nodes.length;
        bytes += JSON.stringify(msg.nodes).length;
        mirror = applyEventMessage(mirror, msg);
        // After every event the mirror equals the live tree.
        expect(mirror).toEqual(t);
      },
    });
    // Only the closing stats (last rollout counted, seconds) come later, with the `done` message.
    expect({ ...mirror!, stats: null }).toEqual({ ...final, stats: null });
    // Deltas are smaller than sending the whole tree with every event.
    const whole = final.events.reduce((acc, _e, i) => acc + JSON.stringify(final.nodes.slice(0, 1 + i)).length, 0);
    expect(bytes).toBeLessThan(whole);
    // Out-of-order or headless messages are refused.
    expect(() => applyEventMessage(null, { type: 'event', id: 1, index: 0, event: final.events[0]!, nodes: [], stats: final.stats })).toThrow(/before the tree header/);
    expect(() => applyEventMessage(structuredClone(final), { type: 'event', id: 1, index: 2, event: final.events[0]!, nodes: [], stats: final.stats })).toThrow(/expected event/);
  });
});

describe('tree keyboard navigation', () => {
  // 0 ─ 1 ─ 3
  //   │   └ 4
  //   └ 2 ─ 5 (5 not yet created)
  const nodes = [
    { id: 0, parent: null, children: [1, 2] },
    { id: 1, parent: 0, children: [3, 4] },
    { id: 2, parent: 0, children: [5] },
    { id: 3, parent: 1, children: [] },
    { id: 4, parent: 1, children: [] },
    { id: 5, parent: 2, children: [] },
  ];
  const exists = [true, true, true, true, true, false];
  const none = new Set<number>();

  it('lists existing nodes in order and hides collapsed subtrees', () => {
    expect(visibleItems(nodes, exists, none)).toEqual([0, 1, 3, 4, 2]);
    expect(visibleItems(nodes, exists, new Set([1]))).toEqual([0, 1, 2]);
    expect(visibleItems(nodes, [true, false, false, false, false, false], none)).toEqual([0]);
  });

  it('moves like sl-tree: arrows, Home/End, expand/collapse, parent', () => {
    expect(navigate('ArrowDown', 1, nodes, exists, none)).toEqual({ selected: 3 });
    expect(navigate('ArrowDown', 2, nodes, exists, none)).toEqual({ selected: 2 });
    expect(navigate('ArrowUp', 2, nodes, exists, none)).toEqual({ selected: 4 });
    expect(navigate('Home', 4, nodes, exists, none)).toEqual({ selected: 0 });
    expect(navigate('End', 0, nodes, exists, none)).toEqual({ selected: 2 });
    expect(navigate('ArrowRight', 1, nodes, exists, none)).toEqual({ selected: 3 });
    expect(navigate('ArrowRight', 2, nodes, exists, none)).toEqual({ selected: 2 }); // its child does not exist yet
    expect(navigate('ArrowLeft', 3, nodes, exists, none)).toEqual({ selected: 1 });
    const collapsed = navigate('ArrowLeft', 1, nodes, exists, none)!;
    expect(collapsed.selected).toBe(1);
    expect([...collapsed.collapsed!]).toEqual([1]);
    expect(navigate('ArrowDown', 1, nodes, exists, collapsed.collapsed!)).toEqual({ selected: 2 });
    expect(navigate('ArrowLeft', 1, nodes, exists, collapsed.collapsed!)).toEqual({ selected: 0 });
    expect(navigate('ArrowRight', 1, nodes, exists, collapsed.collapsed!)!.collapsed!.size).toBe(0);
    expect(navigate('Enter', 1, nodes, exists, none)!.collapsed).toEqual(new Set([1]));
    expect(navigate('x', 1, nodes, exists, none)).toBeNull();
  });
});
