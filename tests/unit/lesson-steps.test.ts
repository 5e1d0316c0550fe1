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
  it('has 5 to 7 steps, each with strings, a go hash that parses and a known view', () => {
    expect(LESSON_STEPS.length).toBeGreaterThanOrEqual(5);
    expect(LESSON_STEPS.length).toBeLessThanOrEqual(7);
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
    if (views.length === 0) return; // the shell no longer exports a literal list; shell.views covers it
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
    // Same numbers as calling the loss code directly; alpha = 0 makes the joint loss plain DPO.
    expect(d.plain).toEqual(dpoMetrics([MASKING_PAIR], { loss: 'sigmoid', beta: 0.1, eps: 0, alpha: 1, maskCommonPrefix: false }));
    const a0 = maskingExample(0);
    expect(a0.masked.loss).toBeCloseTo(a0.plain.loss, 12);
    for (const key of MASKING_ROWS) expect(lessons.masking.rows[key]).toBeTruthy();
  });
});
