/**
 * Run items are validated with the same checks as the CLI's records before they enter the store
 * or a view: the recorded demo's real tree passes; each malformed payload is refused with the
 * file, the item and the field named.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateRunItems } from '../../src/store/run-items.js';
import { checkProblemRecord } from '../../src/eval/records-io.js';

const demo = JSON.parse(readFileSync('public/demos/letters-demo.json', 'utf8'));
const tree = demo.tree;
const spec = { problem: { family: 'letters', setSeed: 0, index: 0 }, pattern: 'random', c: 1.4, rollouts: 8, seed: 1, tokenBudget: 0, timeBudgetMs: 0 };
const clone = <T>(x: T): T => structuredClone(x);
const sample = (i: number, correct: boolean) => ({ id: `p#${i}`, text: 'x', tokens: 3, correct, extracted: correct ? '3' : null, answered: correct, truncated: false, diagnostics: {} });
const record = { id: 'p', question: 'q', answer: '3', n: 2, correct: 1, samples: [sample(0, true), sample(1, false)] };
const summary = demo.eval.runs[0].summary;

describe('validateRunItems', () => {
  it('accepts a real search run (spec, events, the recorded tree) and an eval run', () => {
    const events = tree.events.slice(0, 2).map((event: unknown, index: number) => ({ index, event, nodes: [tree.nodes[0]] }));
    expect(() => validateRunItems('search', [{ type: 'spec', payload: spec }, ...events.map((p: unknown) => ({ type: 'event', payload: p })), { type: 'tree', payload: tree }], 'run.json')).not.toThrow();
    expect(() => validateRunItems('eval', [{ type: 'problem', payload: { run: 'a', model: 'tiny-a', decode: 'sample', record } }, { type: 'summary', payload: { run: 'a', model: 'tiny-a', ks: [1, 2], summary } }], 'run.json')).not.toThrow();
  });

  it('names the file, the item and the field of a malformed tree', () => {
    const bad = clone(tree);
    bad.nodes[2].text = 42;
    expect(() => validateRunItems('search', [{ type: 'spec', payload: spec }, { type: 'tree', payload: bad }], 'bad.json')).toThrow('bad.json: items[1] (tree): field "nodes[2].text": must be a string');
    const noNodes = { ...clone(tree), nodes: [] };
    expect(() => validateRunItems('search', [{ type: 'tree', payload: noNodes }], 'bad.json')).toThrow(/items\[0\] \(tree\): field "nodes": must be a non-empty array/);
    const dangling = clone(tree);
    dangling.nodes[0].children.push(999);
    expect(() => validateRunItems('search', [{ type: 'tree', payload: dangling }], 'bad.json')).toThrow(/field "nodes\[0\]\.children"/);
    const role = clone(tree);
    role.nodes[1].role = 'Musing';
    expect(() => validateRunItems('search', [{ type: 'tree', payload: role }], 'bad.json')).toThrow(/field "nodes\[1\]\.role": must be one of root, Thinking/);
  });

  it('checks events, specs and evaluation records, and refuses unknown item types', () => {
    expect(() => validateRunItems('search', [{ type: 'event', payload: { index: 0, event: {}, nodes: [] } }], 'r.json')).toThrow('r.json: items[0] (event): field "event.type": must be a string');
    expect(() => validateRunItems('search', [{ type: 'spec', payload: { ...spec, pattern: 3 } }], 'r.json')).toThrow(/items\[0\] \(spec\): field "pattern"/);
    const wrongCount = { ...record, correct: 2 };
    expect(() => validateRunItems('eval', [{ type: 'problem', payload: { run: 'a', model: 'm', record: wrongCount } }], 'e.json')).toThrow('e.json: items[0] (problem): field "record.correct": must count the correct samples (1), got 2');
    const badSummary = { ...summary, 'test@1': 1.5 };
    expect(() => validateRunItems('eval', [{ type: 'summary', payload: { run: 'a', model: 'm', ks: [1], summary: badSummary } }], 'e.json')).toThrow(/field "summary\.test@1": must be a number from 0 to 1/);
    expect(() => validateRunItems('search', [{ type: 'problem', payload: record }], 'r.json')).toThrow(/items\[0\]: field "type": "problem" is not an item of a search run \(expected spec, event, tree\)/);
    expect(() => checkProblemRecord({ ...record, samples: [sample(0, true)] }, (f, w) => { throw new Error(`${f}: ${w}`); })).toThrow('samples: must be a list of n = 2 samples');
  });
});
