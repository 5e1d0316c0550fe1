/**
 * Replay of a search's event log (src/ui/search/replay.ts), on trees built by the real search loop
 * with the scripted unit-test engine (right and wrong answers, so there is backtracking): the
 * phases follow the MCTS loop, the state at the last step equals the final tree, and scrubbing
 * backwards gives the same state as stepping forwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PATTERNS } from '../../src/mcts/patterns.js';
import { runSearch } from '../../src/mcts/search.js';
import type { Tree } from '../../src/mcts/tree.js';
import { family, generateProblems } from '../../src/tasks/index.js';
import { clampStep, iterationEnds, lastSelection, nextIterationStep, prevIterationStep, replayAt } from '../../src/ui/search/replay.js';
import { scripted } from './scripted-engine.js';

const problem = generateProblems('letters', 1, 3)[0]!;
const right = problem.answer;
const wrong = String(Number(problem.answer) + 2);

async function tree(patternIndex: number, seed: number, rollouts = 10): Promise<Tree> {
  return runSearch(problem, family('letters'), { think: scripted('think', [right, wrong, wrong]), reflect: scripted('reflect', [right]) }, { pattern: BUILTIN_PATTERNS[patternIndex]!, rollouts, seed });
}

describe('replay of the event log', () => {
  it('step 0 is the bare root; the last step equals the final tree', async () => {
    const t = await tree(0, 1);
    expect(t.nodes.some((n) => n.role === 'Reflection')).toBe(true);
    const s0 = replayAt(t.nodes, t.events, 0);
    expect(s0.phase).toBe('idle');
    expect(s0.event).toBeNull();
    expect(s0.exists.filter(Boolean)).toHaveLength(1);
    expect(s0.exists[0]).toBe(true);
    expect(s0.visits.every((v) => v === 0)).toBe(true);
    const end = replayAt(t.nodes, t.events, t.events.length);
    expect(end.exists.every(Boolean)).toBe(true);
    expect(end.visits).toEqual(t.nodes.map((n) => n.visits));
    expect(end.values).toEqual(t.nodes.map((n) => n.value)); // bit-for-bit: same arithmetic, same order
    expect(end.step).toBe(t.events.length);
    // Out-of-range steps clamp.
    expect(replayAt(t.nodes, t.events, 1e9).step).toBe(t.events.length);
    expect(replayAt(t.nodes, t.events, -5).step).toBe(0);
    expect(clampStep(Number.NaN, 10)).toBe(0);
  });

  it('phases follow select → expand → evaluate → backprop (→ backtrack) in every rollout', async () => {
    for (let p = 0; p < BUILTIN_PATTERNS.length; p++) {
      const t = await tree(p, 2 + p);
      for (let k = 1; k <= t.events.length; k++) {
        const s = replayAt(t.nodes, t.events, k);
        const e = t.events[k - 1]!;
        expect(s.phase).toBe(e.type);
        expect(s.iteration).toBe(e.iteration);
        // The highlighted path starts at the root and ends at the node the event is about.
        expect(s.path[0]).toBe(0);
        expect(s.path.at(-1)).toBe(s.focus);
        if (e.type === 'select') expect(s.candidates).toEqual(e.candidates);
        else expect(s.candidates).toBeNull();
        if (e.type === 'expand') expect(s.created).toEqual(e.children);
        if (e.type === 'backprop') expect(s.path).toEqual(e.path);
        if (e.type === 'backtrack') expect(t.nodes[s.focus!]!.role).toBe('Reflection');
      }
      // Every rollout: selections down the tree, expansions each followed by a selection of a new
      // child, one evaluation, one back-propagation, then maybe a Reflection (expand + backtrack).
      const letter = { select: 's', expand: 'e', evaluate: 'v', backprop: 'b', backtrack: 'k' } as const;
      const byIt = new Map<number, string>();
      for (const e of t.events) byIt.set(e.iteration, (byIt.get(e.iteration) ?? '') + letter[e.type]);
      expect(byIt.size).toBe(t.stats.rollouts);
      for (const seq of byIt.values()) expect(seq).toMatch(/^s*(e+s)*vb(ek)?$/);
      expect([...byIt.values()].some((x) => x.endsWith('ek'))).toBe(true);
    }
  });

  it('nodes appear at their expansion; visits count the backprops so far and never decrease', async () => {
    const t = await tree(1, 5);
    const bornAt = new Map<number, number>([[0, 0]]);
    t.events.forEach((e, i) => e.type === 'expand' && e.children.forEach((c) => bornAt.set(c, i + 1)));
    let prev = replayAt(t.nodes, t.events, 0);
    for (let k = 1; k <= t.events.length; k++) {
      const s = replayAt(t.nodes, t.events, k);
      for (const n of t.nodes) expect(s.exists[n.id]).toBe(bornAt.get(n.id)! <= k);
      expect(s.visits[0]).toBe(t.events.slice(0, k).filter((e) => e.type === 'backprop').length);
      s.visits.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(prev.visits[i]!));
      // A node is only evaluated once it exists, and only Answer nodes are.
      s.evaluated.forEach((ev, i) => ev && expect(s.exists[i] && t.nodes[i]!.role === 'Answer').toBe(true));
      prev = s;
    }
  });

  it('scrubbing backwards gives the same state as stepping forwards', async () => {
    const t = await tree(3, 9, 12);
    const forward = Array.from({ length: t.events.length + 1 }, (_, k) => replayAt(t.nodes, t.events, k));
    // Jump to the end, then walk back, then jump around at random: always the same state.
    for (let k = t.events.length; k >= 0; k--) expect(replayAt(t.nodes, t.events, k)).toEqual(forward[k]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: t.events.length }), { minLength: 1, maxLength: 20 }), (steps) => {
        for (const k of steps) expect(replayAt(t.nodes, t.events, k)).toEqual(forward[k]);
      }),
      { numRuns: 30 },
    );
  });

  it('rollout navigation lands on rollout boundaries and round-trips', async () => {
    const t = await tree(0, 4);
    const ends = iterationEnds(t.events);
    expect(ends).toHaveLength(t.stats.rollouts);
    expect(ends.at(-1)).toBe(t.events.length);
    // From 0, "next rollout" visits every rollout end in order.
    const visited: number[] = [];
    for (let k = 0; k < t.events.length; ) visited.push((k = nextIterationStep(t.events, k)));
    expect(visited).toEqual(ends);
    expect(nextIterationStep(t.events, t.events.length)).toBe(t.events.length);
    // "Previous rollout" always moves back, to the start of a rollout (0 or a rollout end).
    for (let k = 1; k <= t.events.length; k++) {
      const p = prevIterationStep(t.events, k);
      expect(p).toBeLessThan(k);
      expect([0, ...ends]).toContain(p);
    }
    expect(prevIterationStep(t.events, 0)).toBe(0);
    for (let i = 1; i < ends.length; i++) expect(prevIterationStep(t.events, ends[i]!)).toBe(ends[i - 1]);
  });

  it('lastSelection finds the UCT candidates a node was compared in', async () => {
    const t = await tree(0, 6);
    const k = t.events.length;
    const seen = t.events.filter((e) => e.type === 'select').flatMap((e) => (e.type === 'select' ? e.candidates.map((c) => c.node) : []));
    for (const n of t.nodes.slice(1)) {
      const s = lastSelection(t.events, k, n.id);
      if (!seen.includes(n.id)) expect(s).toBeNull();
      else {
        expect(s!.candidates.some((c) => c.node === n.id)).toBe(true);
        expect(s!.candidates.some((c) => c.node === s!.chosen)).toBe(true);
      }
    }
    expect(lastSelection(t.events, 0, 1)).toBeNull();
    // Some selection compared visited siblings by a finite UCT score.
    expect(t.events.some((e) => e.type === 'select' && e.candidates.some((c) => c.uct !== null))).toBe(true);
  });
});
