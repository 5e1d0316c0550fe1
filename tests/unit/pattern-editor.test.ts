/**
 * The pure parts of the pattern editor: the lesson-link code of a custom pattern (hand-written
 * codes for the built-ins; a property-based round trip through the real hash functions for any
 * valid pattern; bad codes give messages and fall back), the search spec carrying the custom
 * pattern to the search, the editor's draft operations and graph layout, the saved-pattern
 * library (a Map-backed Storage fake, only here), and the run store refusing a bad custom pattern.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePattern, encodePattern } from '../../src/mcts/pattern-code.js';
import { BUILTIN_PATTERNS, parsePatternJson, patternJson, validatePattern } from '../../src/mcts/patterns.js';
import { ROLES, type Role } from '../../src/mcts/roles.js';
import { resolveSpec } from '../../src/mcts/search-spec.js';
import { validateRunItems } from '../../src/store/run-items.js';
import { formatHash, parseHash } from '../../src/ui/app/lesson-link.js';
import { checkDraft, draftOf, setEdge } from '../../src/ui/patterns/draft.js';
import { layoutPattern } from '../../src/ui/patterns/layout.js';
import { deleteSaved, LIBRARY_KEY, loadSaved, savePattern } from '../../src/ui/patterns/library.js';
import { DEFAULT_SETTINGS, readSettings, settingsToHash, toSpec } from '../../src/ui/search/settings.js';

const builtin = (name: string) => BUILTIN_PATTERNS.find((p) => p.name === name)!;
const link = (patch: Record<string, string | number | undefined>) => {
  const p: Record<string, string> = { view: 'search' };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) p[k] = String(v);
  return formatHash(p);
};
const message = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

/**
 * Valid patterns by construction: the roles that have rows get a random order; each row's
 * children come from later roles or Answer (so every role reaches Answer), plus optional edges
 * back to earlier roles and self-loops (cycles that still have an exit).
 */
const validPattern = fc
  .record({
    rows: fc.shuffledSubarray(ROLES.filter((r) => r !== 'Answer' && r !== 'Reflection') as Role[]),
    reflectAt: fc.nat(),
    picks: fc.array(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 16 }), fc.boolean()), { minLength: 1, maxLength: 4 }), { minLength: 7, maxLength: 7 }),
    rootSamples: fc.integer({ min: 1, max: 16 }),
    backtrackAt: fc.nat(),
    name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
    description: fc.string({ unit: 'grapheme', maxLength: 60 }),
  })
  .map(({ rows, reflectAt, picks, rootSamples, backtrackAt, name, description }) => {
    const order: Role[] = [...rows];
    order.splice(reflectAt % (order.length + 1), 0, 'Reflection');
    const next: Record<string, Record<string, number>> = {};
    order.forEach((from, i) => {
      const later: Role[] = [...order.slice(i + 1), 'Answer'];
      const edges: Record<string, number> = {};
      for (const [k, n, back] of picks[i]!) {
        const to = back && i > 0 ? order[k % (i + 1)]! : later[k % later.length]!;
        edges[to] = n;
      }
      // Forward progress: at least one edge to a later role or Answer.
      if (!Object.keys(edges).some((c) => later.includes(c as Role))) edges[later[picks[i]![0]![0] % later.length]!] = 1;
      next[from] = edges;
    });
    const start = order.find((r) => r !== 'Reflection') ?? 'Reflection';
    // The backtrack target: a role on a path from the start (walk the first edges).
    const onPath: Role[] = [];
    for (let r: Role | undefined = start; r && r !== 'Answer' && !onPath.includes(r); r = Object.keys(next[r] ?? {}).find((c) => order.indexOf(c as Role) > order.indexOf(r!)) as Role | undefined) onPath.push(r);
    const backtrack = onPath[backtrackAt % onPath.length]!;
    return { name, description, start, rootSamples, next, backtrack };
  });

describe('custom pattern in the lesson link', () => {
  it('codes the built-ins compactly (codes written by hand)', () => {
    expect(encodePattern(builtin('subtask-think-answer')).pat).toBe('S2T.ST2.TA1.RA1');
    expect(encodePattern(builtin('subtask-hypothesis')).pat).toBe('S2T.SH2.HT1.TA1.RA1');
    expect(encodePattern(builtin('reclarify-double-check')).pat).toBe('C1T.CS2.ST2.TD1.DA1.RA1');
    for (const p of BUILTIN_PATTERNS) expect(encodePattern(p).pat.length).toBeLessThan(JSON.stringify(p.next).length / 2);
  });

  it('round-trips any valid pattern through the settings, the hash text and back', () => {
    fc.assert(
      fc.property(validPattern, fc.constantFrom('custom', 'random', 'double-check'), (raw, chosen) => {
        expect(message(() => validatePattern(raw))).toBe('no error');
        const s = { ...DEFAULT_SETTINGS, pattern: chosen, customPattern: validatePattern(JSON.parse(JSON.stringify(raw))) };
        const back = readSettings(parseHash(link(settingsToHash(s))));
        // Same fields, same row and edge order (the search expands children in this order).
        expect(JSON.stringify(back.customPattern)).toBe(JSON.stringify(raw));
        expect(back.pattern).toBe(chosen);
      }),
      { numRuns: 400 },
    );
  });

  it('bad codes give a message naming the key or field, and a link with one falls back', () => {
    expect(message(() => decodePattern({ pat: 'X2T.ST2.RA1', patname: 'p' }))).toMatch(/unknown role code "X" \(codes: T=Thinking/);
    expect(message(() => decodePattern({ pat: 'S2T.ST2.TA1.TA1.RA1', patname: 'p' }))).toMatch(/two rows for Thinking/);
    expect(message(() => decodePattern({ pat: 'S2T.ST99.TA1.RA1', patname: 'p' }))).toBe('lesson link: field "next.Sub-Task.Thinking" must be an integer number of samples in 1..16');
    expect(message(() => decodePattern({ pat: 'S2T.ST2.TA1.RA1' }))).toBe('lesson link: field "name" must be a non-empty string');
    expect(message(() => decodePattern({ pat: 'S2T.ST2x', patname: 'p' }))).toMatch(/row "ST2x" must be a role letter/);
    const s = readSettings(parseHash('#pattern=custom&pat=S2T.ST2&patname=p'));
    expect(s.customPattern).toBeNull();
    expect(s.pattern).toBe('random');
    // No custom pattern: the link stays as it was before the editor existed.
    expect(link(settingsToHash(DEFAULT_SETTINGS))).not.toMatch(/pat(name|desc)?=/);
  });
});

describe('a custom pattern reaches the search', () => {
  const custom = { name: 'h-only', description: '', start: 'Hypothesis' as Role, rootSamples: 3, next: { Hypothesis: { Answer: 2 }, Reflection: { Answer: 1 } }, backtrack: 'Hypothesis' as Role };

  it('the spec carries it when "custom" is chosen, and resolves to it', () => {
    const spec = toSpec({ ...DEFAULT_SETTINGS, pattern: 'custom', customPattern: custom });
    expect(spec.pattern).toBe('h-only');
    expect(spec.customPattern).toEqual(custom);
    expect(resolveSpec(spec).config.pattern).toEqual(custom);
    // A built-in chosen: the custom pattern stays in the link but not in the spec.
    const b = toSpec({ ...DEFAULT_SETTINGS, pattern: 'double-check', customPattern: custom });
    expect(b.customPattern).toBeUndefined();
    expect(resolveSpec(b).config.pattern.name).toBe('double-check');
    // A spec from elsewhere (a saved run, the console) is validated like a file.
    expect(message(() => resolveSpec({ ...spec, customPattern: { ...custom, rootSamples: 0 } }))).toBe('customPattern: field "rootSamples" must be an integer in 1..16');
  });

  it('a saved search run with a bad custom pattern is refused naming the field', () => {
    const spec = { ...toSpec({ ...DEFAULT_SETTINGS, pattern: 'custom', customPattern: custom }), customPattern: { ...custom, backtrack: 'Musing' } };
    expect(message(() => validateRunItems('search', [{ type: 'spec', payload: spec }], 'run.json'))).toMatch(/^run\.json: items\[0\] \(spec\): field "customPattern": field "backtrack" must be one of/);
  });
});

describe('pattern files', () => {
  it('parsePatternJson (what lab mcts --pattern reads) takes the exported text and names bad JSON', () => {
    for (const p of BUILTIN_PATTERNS) expect(parsePatternJson(patternJson(p), 'x.json')).toEqual(p);
    expect(message(() => parsePatternJson('{"name": ', 'mine.json'))).toMatch(/^mine\.json: .*JSON/);
  });
});

describe('editor draft', () => {
  it('edits edges in place, appends new ones, and drops a row when its last edge goes', () => {
    let d = draftOf(builtin('subtask-think-answer'));
    d = setEdge(d, 'Sub-Task', 'Thinking', 3);
    d = setEdge(d, 'Sub-Task', 'Answer', 1);
    d = setEdge(d, 'Hypothesis', 'Answer', 1);
    expect(JSON.stringify(d.next)).toBe('{"Sub-Task":{"Thinking":3,"Answer":1},"Thinking":{"Answer":1},"Reflection":{"Answer":1},"Hypothesis":{"Answer":1}}');
    d = setEdge(d, 'Hypothesis', 'Answer', null);
    expect(Object.keys(d.next)).toEqual(['Sub-Task', 'Thinking', 'Reflection']);
    // The original pattern is untouched.
    expect(builtin('subtask-think-answer').next['Sub-Task']).toEqual({ Thinking: 2 });
  });

  it('reports the validator message for the JSON the draft would export (an empty input is null)', () => {
    const d = setEdge(draftOf(builtin('double-check')), 'Thinking', 'Double-Check', Number.NaN);
    const c = checkDraft(d);
    expect(c.pattern).toBeNull();
    const json = JSON.parse(JSON.stringify({ ...builtin('double-check'), next: { ...builtin('double-check').next, Thinking: { 'Double-Check': null } } }));
    expect(c.error).toBe(message(() => validatePattern(json)));
    expect(c.error).toMatch(/"next\.Thinking\.Double-Check"/);
  });
});

describe('graph layout', () => {
  it('lays Figure 2(a) out left to right with Reflection below, marking start and backtrack', () => {
    const g = layoutPattern(builtin('subtask-think-answer'));
    const at = Object.fromEntries(g.nodes.map((n) => [n.role, [n.layer, n.row]]));
    expect(at).toEqual({ Question: [0, 0], 'Sub-Task': [1, 0], Thinking: [2, 0], Reflection: [3, 1], Answer: [4, 0] });
    expect(g.nodes.filter((n) => n.start).map((n) => n.role)).toEqual(['Sub-Task']);
    expect(g.nodes.filter((n) => n.backtrack).map((n) => n.role)).toEqual(['Thinking']);
    expect(g.edges.map((e) => `${e.from}>${e.to}:${e.samples}:${e.kind}`)).toEqual(['Question>Sub-Task:2:root', 'Sub-Task>Thinking:2:edge', 'Thinking>Answer:1:edge', 'Reflection>Answer:1:edge', 'Thinking>Reflection:null:backtrack']);
  });

  it('draws cycles as back edges and keeps the forward layers', () => {
    const g = layoutPattern({ start: 'Thinking', rootSamples: 1, next: { Thinking: { Thinking: 1, 'Double-Check': 1 }, 'Double-Check': { Thinking: 1, Answer: 1 }, Reflection: { Answer: 1 } }, backtrack: 'Thinking' });
    expect(g.edges.filter((e) => e.back).map((e) => `${e.from}>${e.to}`)).toEqual(['Thinking>Thinking', 'Double-Check>Thinking']);
    const layer = Object.fromEntries(g.nodes.map((n) => [n.role, n.layer]));
    expect(layer).toMatchObject({ Thinking: 1, 'Double-Check': 2, Answer: 3 });
  });
});

/** A Storage backed by a Map (a unit-test fake; the browser test uses the real localStorage). */
function memoryStorage(init: Record<string, string> = {}): Storage {
  const m = new Map(Object.entries(init));
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

describe('saved patterns', () => {
  it('saves, replaces by name, deletes, and skips a bad entry with a message', () => {
    const s = memoryStorage();
    const a = { ...builtin('double-check'), name: 'mine' };
    savePattern(a, s);
    savePattern({ ...a, rootSamples: 4 }, s);
    savePattern({ ...builtin('subtask-hypothesis'), name: 'other' }, s);
    expect(loadSaved(s).patterns.map((p) => [p.name, p.rootSamples])).toEqual([['mine', 4], ['other', 2]]);
    deleteSaved('mine', s);
    expect(loadSaved(s).patterns.map((p) => p.name)).toEqual(['other']);
    const bad = memoryStorage({ [LIBRARY_KEY]: JSON.stringify([{ name: 'x', start: 'Answer' }, a]) });
    const r = loadSaved(bad);
    expect(r.patterns.map((p) => p.name)).toEqual(['mine']);
    expect(r.errors).toEqual([`${LIBRARY_KEY}[0]: field "start" cannot be Answer (the root needs at least one thought first)`]);
    expect(loadSaved(memoryStorage({ [LIBRARY_KEY]: '{oops' })).errors[0]).toMatch(/^reasoning-lab\/patterns@1: /);
  });
});
