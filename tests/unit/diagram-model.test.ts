/**
 * The diagram's pure model: the d3-hierarchy layout never puts two nodes of a level on top of
 * each other and keeps children below their parent; edge widths grow with visits; the model at a
 * replay step draws exactly the nodes, edges and backtracking curves the event log says, with
 * verdict marks only after evaluation. Expected values come from the tree data, not the model.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Tree } from '../../src/mcts/tree.js';
import { NODE_R, diagramModel, edgeWidth, layoutTree, qOpacity } from '../../src/ui/search/diagram-model.js';
import { replayAt } from '../../src/ui/search/replay.js';
import { syntheticTree } from '../browser/synthetic-tree.js';

const DEMO: Tree = JSON.parse(readFileSync('public/demos/letters-demo.json', 'utf8')).tree;

describe('diagram layout (d3-hierarchy tidy tree)', () => {
  for (const tree of [DEMO, syntheticTree(200, 3)]) {
    it(`places the ${tree.nodes.length} nodes of ${tree.id} without overlaps, children below parents`, () => {
      const l = layoutTree(tree.nodes);
      const byLevel = new Map<number, number[]>();
      for (const n of tree.nodes) {
        byLevel.set(l.y[n.id]!, [...(byLevel.get(l.y[n.id]!) ?? []), l.x[n.id]!]);
        if (n.parent !== null) expect(l.y[n.id]).toBeGreaterThan(l.y[n.parent]!);
        expect(l.x[n.id]).toBeGreaterThanOrEqual(l.bounds.x);
        expect(l.x[n.id]).toBeLessThanOrEqual(l.bounds.x + l.bounds.w);
        expect(l.y[n.id]).toBeLessThanOrEqual(l.bounds.y + l.bounds.h);
      }
      // One level per depth, and on a level no two centres closer than a node's diameter plus a gap.
      expect(byLevel.size).toBe(Math.max(...tree.nodes.map((n) => n.depth)) + 1);
      for (const xs of byLevel.values()) {
        const s = [...xs].sort((a, b) => a - b);
        for (let i = 1; i < s.length; i++) expect(s[i]! - s[i - 1]!).toBeGreaterThanOrEqual(2 * NODE_R + 8);
      }
    });
  }

  it('encodes visits by edge width and Q by fill opacity, monotonically', () => {
    expect(edgeWidth(0, 10)).toBe(1);
    const ws = [1, 2, 5, 10].map((v) => edgeWidth(v, 10));
    expect([...ws].sort((a, b) => a - b)).toEqual(ws);
    expect(new Set(ws).size).toBe(4);
    expect(qOpacity(0, 0)).toBeLessThan(qOpacity(0, 1));
    expect(qOpacity(0.2, 3)).toBeLessThan(qOpacity(0.9, 3));
    expect(qOpacity(5, 1)).toBe(qOpacity(1, 1)); // out-of-range rewards are clamped
  });
});

describe('diagram model at a replay step', () => {
  it('draws what the event log says: nodes, edges, verdicts and backtracking curves', () => {
    const l = layoutTree(DEMO.nodes);
    const bt = DEMO.events.findIndex((e) => e.type === 'backtrack');
    const evalAt = DEMO.events.findIndex((e) => e.type === 'evaluate');
    for (let k = 0; k <= DEMO.events.length; k++) {
      const m = diagramModel(DEMO.nodes, DEMO.events, replayAt(DEMO.nodes, DEMO.events, k), l, 0);
      const made = [0, ...DEMO.events.slice(0, k).flatMap((e) => (e.type === 'expand' ? e.children : []))].sort((a, b) => a - b);
      expect(m.nodes.map((n) => n.id).sort((a, b) => a - b)).toEqual(made);
      expect(m.edges.map((e) => e.to).sort((a, b) => a - b)).toEqual(made.slice(1));
      expect(m.backtracks.length).toBe(k > bt ? 1 : 0);
      const first = DEMO.events[evalAt]!;
      if (first.type !== 'evaluate') throw new Error('demo changed');
      expect(m.nodes.find((n) => n.id === first.node)?.verdict ?? null).toEqual(k > evalAt ? (first.correct ? 'correct' : 'wrong') : null);
    }
  });

  it('keeps model text out of everything but the tooltip text', () => {
    const tree = { ...DEMO, nodes: DEMO.nodes.map((n) => ({ ...n, text: '<script>x()</script>' })) };
    const m = diagramModel(tree.nodes, tree.events, replayAt(tree.nodes, tree.events, tree.events.length), layoutTree(tree.nodes), 0);
    expect(m.nodes.every((n) => n.title.endsWith('<script>x()</script>') && !n.label?.includes('<'))).toBe(true);
  });
});
