/**
 * The Train view's "Data view" rows: SFT rows are the Data view's SFT paths chosen by its own
 * settings (not the DPO pairs' chosen answers), equal to what `lab extract --sft` recorded for the
 * demo tree; with no trees, SFT falls back to the pairs' chosen answers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DpoPair, TreePath } from '../../src/data/extract.js';
import type { Tree } from '../../src/mcts/tree.js';
import { sessionRows } from '../../src/ui/train/session-rows.js';

const demo = JSON.parse(readFileSync('public/demos/letters-demo.json', 'utf8'));
const tree: Tree = demo.tree;
type Msg = { role: string; content: string };
const DEFAULTS = { sft: 'reward', length: 'all', recipe: 'custom' } as const;

describe('Train view rows from the Data view', () => {
  it('SFT rows are the recorded `lab extract --sft` records of the demo tree (reward selection)', () => {
    const rows = sessionRows([tree], [], DEFAULTS);
    expect(rows.sftFrom).toBe('paths');
    const recorded = demo.sft as { messages: Msg[] }[];
    expect(rows.sft).toHaveLength(recorded.length);
    rows.sft.forEach((r, i) => {
      expect(r.messages).toEqual([recorded[i]!.messages[0]]);
      expect(r.completion).toBe(recorded[i]!.messages[1]!.content);
    });
  });

  it('"all" gives one row per correct answer in the tree, each through its own thought', () => {
    const byId = new Map(tree.nodes.map((n) => [n.id, n]));
    const correct = tree.nodes.filter((n) => n.role === 'Answer' && n.verdict?.correct === true);
    expect(correct.length).toBe(3);
    const rows = sessionRows([tree], [], { ...DEFAULTS, sft: 'all' });
    expect(rows.sft).toHaveLength(correct.length);
    const thoughts = correct.map((a) => byId.get(a.parent!)!.text).sort();
    const found = thoughts.map((th) => rows.sft.filter((r) => r.completion.includes(th)).length);
    expect(found).toEqual([1, 1, 1]);
    for (const r of rows.sft) expect(r.completion).toMatch(/\\boxed\{1\}<\/Answer>$/);
  });

  it('with no trees, SFT rows are the pairs\' chosen answers and DPO rows keep prompt, chosen, rejected', () => {
    const path = (text: string) => ({ text }) as TreePath;
    const pairs = (demo.dpo as { prompt: Msg[]; chosen: Msg[]; rejected: Msg[]; meta: { common_prefix_chars: number } }[]).map(
      (r) => ({ question: r.prompt[0]!.content, chosen: path(r.chosen[0]!.content), rejected: path(r.rejected[0]!.content), commonPrefixChars: r.meta.common_prefix_chars, bucket: 'medium' }) as DpoPair,
    );
    const rows = sessionRows([], pairs, DEFAULTS);
    expect(rows.sftFrom).toBe('chosen');
    expect(rows.sft.map((r) => r.completion)).toEqual((demo.dpo as { chosen: Msg[] }[]).map((r) => r.chosen[0]!.content));
    expect(rows.dpo.map((r) => [r.line, r.prompt, r.rejected, r.commonPrefixChars])).toEqual(
      (demo.dpo as { prompt: Msg[]; rejected: Msg[]; meta: { common_prefix_chars: number } }[]).map((r, i) => [i + 1, r.prompt[0]!.content, r.rejected[0]!.content, r.meta.common_prefix_chars]),
    );
  });
});
