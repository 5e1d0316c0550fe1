/**
 * Lessons: every step's "go" hash parses and names a view the shell knows, carries its step
 * number, and has its strings; the Test@N step opens Evaluate with Test@1..Test@8; the masking
 * example shows an unchanged DPO loss but a changed joint loss, computed by the real loss code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dpoMetrics } from '../../src/dpo/losses.js';
import { formatHash, parseHash } from '../../src/ui/app/lesson-link.js';
import { settingsFromHash } from '../../src/ui/evaluate/settings.js';
import { currentStep, LESSON_STEPS, LESSON_VIEWS, MASKING_PAIR, maskingExample, MASKING_ROWS, stepHash } from '../../src/ui/lessons/steps.js';
import { lessons } from '../../src/ui/messages/lessons.js';
import { shell } from '../../src/ui/messages/shell.js';

/** The shell's view list, read from its source (importing the Lit shell would need a DOM). */
function shellViews(): string[] {
  const src = readFileSync(new URL('../../src/ui/app/lab-app.ts', import.meta.url), 'utf8');
  const m = /export const VIEWS = \[([^\]]*)\]/.exec(src);
  return m ? [...m[1]!.matchAll(/'([^']+)'/g)].map((x) => x[1]!) : [];
}

describe('lesson steps', () => {
  it('has 5 to 9 steps, each with strings, a go hash that parses and a known view', () => {
    expect(LESSON_STEPS.length).toBeGreaterThanOrEqual(5);
    expect(LESSON_STEPS.length).toBeLessThanOrEqual(9);
    const known = new Set<string>(Object.keys(shell.views));
    LESSON_STEPS.forEach((step, i) => {
      const hash = stepHash(step, i);
      expect(hash.startsWith('#view=')).toBe(true);
      const p = parseHash(hash);
      expect(p.view).toBe(step.view);
      expect(known.has(p.view!)).toBe(true);
      expect((LESSON_VIEWS as readonly string[]).includes(p.view!)).toBe(true);
      expect(currentStep(p)).toBe(i);
      expect(formatHash(p)).toBe(hash);
      for (const [k, v] of Object.entries(step.params)) expect(p[k]).toBe(v);
      const s = lessons.steps[step.id];
      expect(s.title.length).toBeGreaterThan(0);
      expect(s.body.length).toBeGreaterThan(0);
    });
    expect(new Set(LESSON_STEPS.map((s) => s.id)).size).toBe(LESSON_STEPS.length);
  });

  it("names only views of the shell's VIEWS list", () => {
    const views = shellViews();
    // The shell's list must be found: a refactor that hides it fails here instead of skipping.
    expect(views).toContain('models');
    for (const v of LESSON_VIEWS) expect(views).toContain(v);
  });

  it('opens Evaluate with Test@1 vs Test@8 on letters', () => {
    const i = LESSON_STEPS.findIndex((s) => s.id === 'testn');
    const s = settingsFromHash(parseHash(stepHash(LESSON_STEPS[i]!, i)));
    expect(s.task).toBe('letters');
    expect(s.n).toBe(8);
    expect(s.ks).toEqual([1, 2, 4, 8]);
  });

  it('ignores lesson numbers out of range', () => {
    expect(currentStep({ lesson: '0' })).toBe(-1);
    expect(currentStep({ lesson: String(LESSON_STEPS.length + 1) })).toBe(-1);
    expect(currentStep({ lesson: 'x' })).toBe(-1);
    expect(currentStep({})).toBe(-1);
  });
});

describe('masking lesson', () => {
  it('shares the prefix log-probs between chosen and rejected under each model', () => {
    const k = MASKING_PAIR.commonPrefix;
    expect(MASKING_PAIR.policyChosen.slice(0, k)).toEqual(MASKING_PAIR.policyRejected.slice(0, k));
    expect(MASKING_PAIR.refChosen.slice(0, k)).toEqual(MASKING_PAIR.refRejected.slice(0, k));
  });

  it('leaves the DPO loss and margin unchanged but moves the SFT term and the joint loss', () => {
    const d = maskingExample(1);
    expect(d.masked.dpo_loss).toBeCloseTo(d.plain.dpo_loss, 12);
    expect(d.masked['rewards/margins']).toBeCloseTo(d.plain['rewards/margins'], 12);
    expect(Math.abs(d.masked.nll_loss - d.plain.nll_loss)).toBeGreaterThan(1e-3);
    expect(Math.abs(d.masked.loss - d.plain.loss)).toBeGreaterThan(1e-3);
    expect(Math.abs(d.masked['rewards/chosen'] - d.plain['rewards/chosen'])).toBeGreaterThan(1e-3);
    // The numbers worked by hand from the pair (beta 0.1): plain, chosen reward 0.1 * (-3.2 + 5.2)
    // = 0.2 and rejected 0.1 * (-5.9 + 5.4) = -0.05; masked (prefix of 3 dropped), 0.1 * (-1.0 + 2.5)
    // = 0.15 and 0.1 * (-3.7 + 2.7) = -0.1. Both margins are 0.25, so the DPO loss is
    // log(1 + e^-0.25) both ways; the NLL is the chosen tokens' mean: 3.2 / 6 plain, 1.0 / 3 masked.
    const dpo = Math.log(1 + Math.exp(-0.25));
    const want = (chosen: number, rejected: number, nll: number) => ({ dpo_loss: dpo, nll_loss: nll, loss: dpo + nll, 'rewards/chosen': chosen, 'rewards/rejected': rejected, 'rewards/margins': 0.25 });
    for (const [got, w] of [[d.plain, want(0.2, -0.05, 3.2 / 6)], [d.masked, want(0.15, -0.1, 1 / 3)]] as const)
      for (const [key, value] of Object.entries(w)) expect(got[key as keyof typeof got], key).toBeCloseTo(value, 12);
    // The lesson's table is the loss code's own output for the same arguments.
    expect(dpoMetrics([MASKING_PAIR], { loss: 'sigmoid', beta: 0.1, eps: 0, alpha: 1, maskCommonPrefix: true })['rewards/chosen']).toBeCloseTo(0.15, 12);
    const a0 = maskingExample(0);
    expect(a0.masked.loss).toBeCloseTo(a0.plain.loss, 12);
    for (const key of MASKING_ROWS) expect(lessons.masking.rows[key]).toBeTruthy();
  });
});
