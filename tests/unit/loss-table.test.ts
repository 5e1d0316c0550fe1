/**
 * The Objectives view's pure modules: the loss table over cached PairScores (src/dpo/losses.ts
 * underneath), the per-token strip model (Figure 4), settings in the hash, and scoring semantics
 * (`lab score`) against a deterministic scoring engine that exists only in this test.
 */
import { describe, expect, it } from 'vitest';
import type { Engine, ScoreRequest, SequenceScores } from '../../src/core/engine.js';
import type { DpoPair, TreePath } from '../../src/data/extract.js';
import { dpoMetrics } from '../../src/dpo/losses.js';
import type { PairScores } from '../../src/ui/app/session.js';
import { checkArgs, leadingMasked, lossTable, METRICS, OBJECTIVES, toPairLogps, type ScoreEntry } from '../../src/ui/objectives/loss-table.js';
import { cacheHit, checkTokenizers, scorePair, scorePairs, tokenTexts } from '../../src/ui/objectives/scoring.js';
import { DEFAULT_OBJECTIVE_SETTINGS, objectiveSettingsFromHash, objectiveSettingsToHash, resolveEngines } from '../../src/ui/objectives/settings.js';
import { displayToken, level, stripModel } from '../../src/ui/objectives/strip-model.js';

/** A token's log-prob under "model" m: a deterministic function of the model, the context and the token. */
function lp(m: number, context: number[], token: number): number {
  let h = 2166136261 ^ m;
  for (const x of [...context, token]) h = Math.imul(h ^ x, 16777619) >>> 0;
  return -((h % 4000) / 1000) - 0.001;
}

function seq(m: number, ids: number[], prefix: number, tokens = ids.map(String)): PairScores['chosen'] {
  return { tokens, logprobs: ids.map((t, j) => lp(m, ids.slice(0, j), t)), mask: ids.map((_, j) => (j < prefix ? 0 : 1)) };
}

/** Chosen and rejected share `shared` leading ids, so their prefix log-probs are equal under each model. */
function entry(policy: number, reference: number, shared: number[], a: number[], b: number[]): ScoreEntry {
  const [c, r] = [[...shared, ...a], [...shared, ...b]];
  return {
    policy: { chosen: seq(policy, c, shared.length), rejected: seq(policy, r, shared.length) },
    reference: { chosen: seq(reference, c, shared.length), rejected: seq(reference, r, shared.length) },
  };
}

const ARGS = { beta: 0.1, eps: 0.2, alpha: 0.5 };
const scores = new Map<number, ScoreEntry>([
  [0, entry(1, 2, [5, 6, 7, 8, 9, 10], [11, 12, 13], [14, 15])],
  [1, entry(1, 2, [5, 6], [20, 21, 22, 23], [24])],
  [2, entry(1, 2, [], [30, 31], [32, 33, 34])],
]);
const col = (t: ReturnType<typeof lossTable>, id: string) => t.columns.find((c) => c.id === id)!.metrics;

describe('loss table', () => {
  it('masking the shared prefix leaves the sigmoid and cDPO losses unchanged but changes the joint loss and rewards', () => {
    const t = lossTable(scores, ARGS);
    expect(t.error).toBeNull();
    expect(t.used).toEqual([0, 1, 2]);
    expect(t.columns.map((c) => c.id)).toEqual(['dpo', 'cdpo', 'masked', 'joint', 'paper']);
    expect(col(t, 'masked').loss).toBeCloseTo(col(t, 'dpo').loss, 12);
    expect(col(t, 'masked')['rewards/margins']).toBeCloseTo(col(t, 'dpo')['rewards/margins'], 12);
    expect(col(t, 'masked')['rewards/chosen']).not.toBeCloseTo(col(t, 'dpo')['rewards/chosen'], 6);
    // paper = cDPO + masked + joint: its DPO part equals cDPO's, its NLL term is over fewer tokens.
    expect(col(t, 'paper').dpo_loss).toBeCloseTo(col(t, 'cdpo').loss, 12);
    expect(col(t, 'paper').nll_loss).not.toBeCloseTo(col(t, 'joint').nll_loss, 6);
    expect(col(t, 'paper').loss).toBeCloseTo(col(t, 'paper').dpo_loss + ARGS.alpha * col(t, 'paper').nll_loss, 12);
    // With eps = 0 the combined column is the masked joint objective: same DPO term, different total.
    const t0 = lossTable(scores, { ...ARGS, eps: 0 });
    expect(col(t0, 'paper').dpo_loss).toBeCloseTo(col(t0, 'joint').dpo_loss, 12);
    expect(col(t0, 'paper').loss).not.toBeCloseTo(col(t0, 'joint').loss, 6);
    expect(col(t, 'joint').loss).toBeCloseTo(col(t, 'dpo').loss + ARGS.alpha * col(t, 'joint').nll_loss, 12);
    expect(col(t, 'dpo').nll_loss).toBeCloseTo(col(t, 'joint').nll_loss, 12);
  });

  it('is exactly dpoMetrics on the cached log-probs, and sliders recompute without new scores', () => {
    const pairs = [...scores.entries()].map(([i, e]) => toPairLogps(e, i));
    expect(pairs.map((p) => p.commonPrefix)).toEqual([6, 2, 0]);
    const t = lossTable(scores, ARGS);
    for (const o of OBJECTIVES) expect(t.columns.find((c) => c.id === o.id)!.metrics).toEqual(dpoMetrics(pairs, o.args(ARGS)));
    const t2 = lossTable(scores, { ...ARGS, beta: 0.5 });
    expect(col(t2, 'dpo').loss).not.toBeCloseTo(col(t, 'dpo').loss, 6);
    expect(col(t2, 'dpo')['rewards/margins']).toBeCloseTo(5 * col(t, 'dpo')['rewards/margins'], 10);
    expect(Object.keys(col(t, 'dpo'))).toEqual(expect.arrayContaining([...METRICS]));
  });

  it('policy = reference gives zero rewards and loss log 2', () => {
    const same = new Map([[0, entry(3, 3, [1, 2, 3], [4, 5], [6])]]);
    const t = lossTable(same, ARGS);
    for (const id of ['dpo', 'masked']) {
      expect(col(t, id).loss).toBeCloseTo(Math.LN2, 12);
      expect(col(t, id)['rewards/chosen']).toBe(0);
      expect(col(t, id)['rewards/margins']).toBe(0);
    }
  });

  it('restricts to chosen pairs, skips unusable pairs with the reason, and reports bad arguments', () => {
    expect(lossTable(scores, ARGS, [1]).used).toEqual([1]);
    const broken = new Map(scores);
    const e = scores.get(1)!;
    broken.set(1, { ...e, reference: { ...e.reference, chosen: { ...e.reference.chosen, logprobs: e.reference.chosen.logprobs.slice(1), mask: e.reference.chosen.mask.slice(1) } } });
    const t = lossTable(broken, ARGS);
    expect(t.used).toEqual([0, 2]);
    expect(t.skipped).toEqual([{ index: 1, reason: expect.stringMatching(/^pair 2: policy and reference scored 6 and 5 chosen tokens/) }]);
    expect(lossTable(new Map(), ARGS).error).toBe('no scored pairs');
    expect(lossTable(scores, { ...ARGS, beta: 0 }).error).toMatch(/beta must be > 0/);
    expect(checkArgs({ beta: 0.1, eps: 0.5, alpha: 0 })).toMatch(/eps/);
    expect(checkArgs({ beta: 0.1, eps: 0, alpha: -1 })).toMatch(/alpha/);
    expect(leadingMasked([0, 0, 1, 0])).toBe(2);
  });
});

describe('strip model (Figure 4)', () => {
  it('zeroes and flags the masked prefix; without masking the prefix is flagged but counted', () => {
    const s = seq(1, [5, 6, 7, 8, 9], 2, ['a', ' ', '\n', 'x', '']);
    const on = stripModel(s, true);
    expect(on.prefix).toBe(2);
    expect(on.cells.map((c) => c.masked)).toEqual([true, true, false, false, false]);
    expect(on.cells.map((c) => c.shown)).toEqual([0, 0, ...s.logprobs.slice(2)]);
    expect(on.sum).toBeCloseTo(s.logprobs.slice(2).reduce((a, b) => a + b, 0), 12);
    expect(on.counted).toBe(3);
    const off = stripModel(s, false);
    expect(off.cells.map((c) => c.inPrefix)).toEqual([true, true, false, false, false]);
    expect(off.cells.every((c) => !c.masked)).toBe(true);
    expect(off.sum).toBeCloseTo(off.sumAll, 12);
    expect(on.cells.map((c) => c.text)).toEqual(['a', '\u00a0', '↵', 'x', '∅']);
    expect(displayToken('a\tb')).toBe('a⇥b');
    expect([level(Math.log(0.95)), level(Math.log(0.6)), level(Math.log(0.3)), level(Math.log(0.1)), level(Math.log(0.01))]).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('objective settings', () => {
  it('round-trip through the hash, clamp to the slider ranges, and resolve engines', () => {
    const s = { ...DEFAULT_OBJECTIVE_SETTINGS, policy: 'tiny-a', reference: 'tiny-b', beta: 0.25, eps: 0, alpha: 0.3, mask: false, pair: 2, scope: 'pair' as const };
    const hash = Object.fromEntries(Object.entries(objectiveSettingsToHash(s)).filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(objectiveSettingsFromHash(hash)).toEqual(s);
    expect(objectiveSettingsFromHash({ obeta: '50', oeps: '0.9', oalpha: 'x' })).toMatchObject({ beta: 1, eps: 0.49, alpha: DEFAULT_OBJECTIVE_SETTINGS.alpha });
    expect(resolveEngines({ policy: '', reference: '' }, ['a', 'b'])).toEqual({ policy: 'a', reference: 'b' });
    expect(resolveEngines({ policy: 'b', reference: 'gone' }, ['a'])).toEqual({ policy: 'a', reference: 'a' });
    expect(resolveEngines({ policy: 'b', reference: 'b' }, ['a', 'b'])).toEqual({ policy: 'b', reference: 'b' });
  });
});

/** Unit-test tokenizer: "<Thinking>" is one token (300), everything else UTF-8 bytes. */
function tokenize(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s.startsWith('<Thinking>', i)) {
      out.push(300);
      i += 10;
      continue;
    }
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    out.push(...new TextEncoder().encode(ch));
    i += ch.length;
  }
  return out;
}

/** A scoring engine for this test only: log-probs from `lp`, masks as the ort engine sets them. */
function scorer(id: string, m: number, tok: (s: string) => number[] = tokenize): Engine & { calls: number } {
  const e = {
    calls: 0,
    info: { id, backend: 'ort' as const, model: id, device: 'test', can: { score: true, topLogprobs: 0, batch: true, prefixCache: false } },
    async generate(): Promise<never> {
      throw new Error('not used');
    },
    async score(req: ScoreRequest): Promise<SequenceScores> {
      e.calls++;
      const ids = req.completionIds ?? req.completions.map(tok);
      let k = 0;
      while (ids.every((s) => s[k] !== undefined && s[k] === ids[0]![k])) k++;
      const shared = req.maskCommonPrefix ? k : 0;
      return {
        promptTokens: 3,
        sequences: ids.map((t) => {
          const logprobs = t.map((x, j) => lp(m, t.slice(0, j), x));
          const mask = t.map((_, j) => (j < shared ? 0 : 1));
          return { tokens: t, logprobs, mask, sum: logprobs.reduce((a, b, j) => a + (mask[j] ? b : 0), 0) };
        }),
      };
    },
    async tokenize(s: string) {
      return tok(s);
    },
    async dispose() {},
  };
  return e;
}

function pair(chosen: string, rejected: string): DpoPair {
  const path = (text: string, correct: boolean) => ({ text, correct }) as TreePath;
  return { question: 'How many r?', chosen: path(chosen, true), rejected: path(rejected, false), commonPrefixChars: 0, bucket: 'short' };
}

describe('scoring (as `lab score`)', () => {
  it('recovers token texts from a tokenizer, including multi-char tokens and multi-byte characters', async () => {
    const text = '<Thinking>ab 🙂é</Thinking>';
    const ids = tokenize(text);
    const cache = new Map<number, string>();
    const texts = await tokenTexts(text, ids, async (s) => tokenize(s), cache);
    expect(texts).toHaveLength(ids.length);
    expect(texts.join('')).toBe(text);
    expect(texts[0]).toBe('<Thinking>');
    expect(texts.slice(4, 8)).toEqual(['🙂', '', '', '']);
    expect(cache.get(300)).toBe('<Thinking>');
    // Ids that do not belong to the text are shown as ⟨id⟩ rather than guessed.
    expect(await tokenTexts('ab', [97, 7], async (s) => tokenize(s))).toEqual(['a', '⟨7⟩']);
  });

  it('scores policy and reference on the same ids with the shared prefix masked; same-model scores once', async () => {
    const p = scorer('pol', 1);
    const r = scorer('ref', 2);
    const dp = pair('<Thinking>abc</Thinking>x', '<Thinking>abd</Thinking>y');
    const e = await scorePair(dp, 0, p, r);
    expect(leadingMasked(e.policy.chosen.mask)).toBe(3); // <Thinking>, a, b
    expect(e.reference.rejected.mask).toEqual(e.policy.rejected.mask);
    expect(e.policy.chosen.tokens.join('')).toBe(dp.chosen.text);
    expect(e.policy.chosen.logprobs.slice(0, 3)).toEqual(e.policy.rejected.logprobs.slice(0, 3));
    expect(cacheHit(e, 'pol', 'ref')).toBe(true);
    expect(cacheHit(e, 'pol', 'pol')).toBe(false);
    const t = lossTable(new Map([[0, e]]), ARGS);
    expect(col(t, 'masked').loss).toBeCloseTo(col(t, 'dpo').loss, 12);
    const same = await scorePair(dp, 0, p, p);
    expect(p.calls).toBe(2);
    expect(col(lossTable(new Map([[0, same]]), ARGS), 'dpo').loss).toBeCloseTo(Math.LN2, 12);
  });

  it('refuses models with different tokenizers, naming the pair; the probe check says so up front', async () => {
    const p = scorer('pol', 1);
    const other = scorer('other', 2, (s) => [...s].map((c) => c.charCodeAt(0) + 1));
    await expect(scorePair(pair('ab', 'ac'), 4, p, other)).rejects.toThrow(/^pair 5: policy and reference tokenize the completions differently/);
    expect(await checkTokenizers(p, other)).toMatchObject({ status: 'different', firstDiff: 0 });
    expect(await checkTokenizers(p, scorer('twin', 2))).toEqual({ status: 'same' });
    expect(await checkTokenizers(p, p)).toEqual({ status: 'same-model' });
    const noScore = { ...scorer('ws', 1), info: { ...p.info, id: 'ws', can: { ...p.info.can, score: false } } };
    expect(await checkTokenizers(p, noScore)).toEqual({ status: 'cannot-score', model: 'ws' });
  });

  it('scorePairs reuses cached entries of the same models, rescores others, publishes progress and stops on abort', async () => {
    const p = scorer('pol', 1);
    const r = scorer('ref', 2);
    const pairs = [pair('<Thinking>a1', '<Thinking>a2'), pair('xy', 'xz'), pair('q', 'r')];
    const first = await scorePair(pairs[0]!, 0, p, r);
    const foreign = await scorePair(pairs[1]!, 1, p, p);
    const seen: number[] = [];
    const out = await scorePairs(pairs, p, r, new Map([[0, first], [1, foreign]]), (m, run) => seen.push(m.size + 10 * run.cached));
    expect([...out.keys()]).toEqual([0, 1, 2]);
    expect(out.get(0)).toBe(first);
    expect(cacheHit(out.get(1), 'pol', 'ref')).toBe(true);
    expect(seen).toEqual([12, 13]);
    const ctl = new AbortController();
    ctl.abort();
    await expect(scorePairs(pairs, p, r, new Map(), () => {}, ctl.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
