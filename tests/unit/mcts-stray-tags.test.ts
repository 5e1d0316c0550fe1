/**
 * Every MCTS node holds one role's text. tiny-b, writing a Reflection under a Hypothesis pattern,
 * runs on into `</Thinking><Answer>…</Answer>` before its own close tag; the node is cut at the
 * first tag of another role, the cut is counted in `stats.strayTags` and recorded on the node, and
 * the SFT/DPO text built from the trees parses back into one closed node per role tag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpoRecord, selectDpo, treePaths } from '../../src/data/extract.js';
import type { OrtEngine } from '../../src/engines/ort/engine.js';
import { loadNodeEngine } from '../../src/engines/ort/node.js';
import { BUILTIN_PATTERNS } from '../../src/mcts/patterns.js';
import { cutAtRoleTag, nodeStops, parseNodes, ROLE_TAGS } from '../../src/mcts/roles.js';
import { runSearch } from '../../src/mcts/search.js';
import type { Tree } from '../../src/mcts/tree.js';
import { family, generateProblems } from '../../src/tasks/index.js';

let think: OrtEngine;
let reflect: OrtEngine;
beforeAll(async () => {
  think = await loadNodeEngine('tiny-a');
  reflect = await loadNodeEngine('tiny-b');
});
afterAll(async () => {
  await think?.dispose();
  await reflect?.dispose();
});

describe('role tags inside a node', () => {
  it('cutAtRoleTag and nodeStops', () => {
    expect(cutAtRoleTag('Total: 2. The hypothesis holds.</Thinking><Answer>The answer is: \\boxed{2}</Answer>')).toEqual({ text: 'Total: 2. The hypothesis holds.', tag: '</Thinking>' });
    expect(cutAtRoleTag('plain text, no tags <b>x</b>')).toEqual({ text: 'plain text, no tags <b>x</b>', tag: null });
    expect(cutAtRoleTag('a<Answer>b</Reflection>')).toEqual({ text: 'a', tag: '<Answer>' });
    const stops = nodeStops('Reflection');
    expect(stops[0]).toBe('</Reflection>');
    expect(new Set(stops)).toEqual(new Set(ROLE_TAGS));
  });

  it('real searches: no node text holds a role tag; cuts are counted and exported text parses back', async () => {
    const pattern = BUILTIN_PATTERNS.find((p) => p.name === 'subtask-hypothesis')!;
    const trees: Tree[] = [];
    for (const p of generateProblems('wordproblems', 4, 7)) trees.push(await runSearch(p, family('wordproblems'), { think, reflect }, { pattern, rollouts: 8, seed: 7 }));
    const nodes = trees.flatMap((t) => t.nodes.slice(1));
    for (const n of nodes) for (const tag of ROLE_TAGS) expect(n.text, `node ${n.id} (${n.role})`).not.toContain(tag);
    const cut = nodes.filter((n) => n.cutAt);
    console.log(`${nodes.length} nodes, ${cut.length} cut at another role's tag: ${[...new Set(cut.map((n) => `${n.role}@${n.cutAt}`))].join(', ')}`);
    // tiny-b does run into other roles' tags here, so the cut is exercised, and counted per tree.
    expect(cut.length).toBeGreaterThan(0);
    expect(trees.reduce((a, t) => a + (t.stats.strayTags ?? 0), 0)).toBe(cut.length);
    for (const n of cut) expect(ROLE_TAGS).toContain(n.cutAt);

    // Exports: a DPO pair's chosen/rejected text splits into closed nodes, one per open tag.
    const pairs = trees.flatMap((t) => selectDpo(treePaths(t)));
    expect(pairs.length).toBeGreaterThan(0);
    for (const pair of pairs) {
      const rec = dpoRecord(pair) as { chosen: { content: string }[]; rejected: { content: string }[] };
      for (const text of [rec.chosen[0]!.content, rec.rejected[0]!.content]) {
        const parsed = parseNodes(text);
        expect(parsed.every((x) => x.closed)).toBe(true);
        expect(parsed.length).toBe(text.split(/<(?:Thinking|Sub-Task|Reflection|Hypothesis|Double-Check|Reclarify|Answer)>/).length - 1);
      }
    }
  }, 120_000);
});
