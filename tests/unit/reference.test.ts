/**
 * Numerics against ../shared/reference/ (fp64 cases from an independent Python reference).
 * When that folder is absent (a fresh clone) the cases are skipped with a visible message, and the
 * hand-checkable examples of its README still run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dpoMetrics, type DpoArgs } from '../../src/dpo/losses.js';
import { maskedLogprobs } from '../../src/dpo/logprobs.js';
import { passAtK } from '../../src/eval/passk.js';

const REF = new URL('../../../shared/reference/', import.meta.url).pathname;
const present = existsSync(REF + 'passk_cases.json');
if (!present) console.warn(`[reference] ${REF} is absent: skipping the shared reference cases (hand-checked examples still run)`);

const rel = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

describe('hand-checkable examples (always run)', () => {
  it('pass@k', () => {
    expect(passAtK(8, 4, 2)).toBeCloseTo(0.7857142857142857, 14);
    expect(passAtK(8, 8, 8)).toBe(1);
    expect(passAtK(8, 0, 3)).toBe(0);
    expect(() => passAtK(4, 5, 1)).toThrow(/c <= n/);
  });
  it('DPO family on (pc, pr, qc, qr) = (-10, -12, -11, -11.5), beta 0.1, eps 0.1', () => {
    const pairs = [{ policyChosen: [-10], policyRejected: [-12], refChosen: [-11], refRejected: [-11.5], commonPrefix: 0 }];
    const base: DpoArgs = { loss: 'sigmoid', beta: 0.1, eps: 0.1, alpha: 0, maskCommonPrefix: false };
    expect(dpoMetrics(pairs, base).loss).toBeCloseTo(0.6209570478, 9);
    expect(dpoMetrics(pairs, { ...base, loss: 'cdpo' }).loss).toBeCloseTo(0.6359570478, 9);
    expect(dpoMetrics(pairs, { ...base, loss: 'robust' }).loss).toBeCloseTo(0.6022070478, 9);
    expect(dpoMetrics(pairs, { ...base, loss: 'hinge' }).loss).toBeCloseTo(0.85, 12);
  });
  it('masking the common prefix leaves sum-reduced DPO losses unchanged but changes ipo, the NLL term, the joint loss and the rewards', () => {
    const pairs = [{ policyChosen: [-1, -2, -0.5], policyRejected: [-1, -2, -3], refChosen: [-1.5, -1.8, -0.9], refRejected: [-1.5, -1.8, -2], commonPrefix: 2 }];
    const a: DpoArgs = { loss: 'sigmoid', beta: 0.1, eps: 0, alpha: 1, maskCommonPrefix: false };
    const m0 = dpoMetrics(pairs, a);
    const m1 = dpoMetrics(pairs, { ...a, maskCommonPrefix: true });
    expect(m1.dpo_loss).toBeCloseTo(m0.dpo_loss, 12);
    expect(m1.loss).not.toBeCloseTo(m0.loss, 6);
    expect(m1.nll_loss).not.toBeCloseTo(m0.nll_loss, 6);
    expect(m1['rewards/chosen']).not.toBeCloseTo(m0['rewards/chosen'], 6);
    expect(m1['rewards/margins']).toBeCloseTo(m0['rewards/margins'], 12);
    for (const loss of ['cdpo', 'robust', 'hinge'] as const) expect(dpoMetrics(pairs, { ...a, loss, eps: 0.1, maskCommonPrefix: true }).dpo_loss).toBeCloseTo(dpoMetrics(pairs, { ...a, loss, eps: 0.1 }).dpo_loss, 12);
    expect(dpoMetrics(pairs, { ...a, loss: 'ipo', maskCommonPrefix: true }).dpo_loss).not.toBeCloseTo(dpoMetrics(pairs, { ...a, loss: 'ipo' }).dpo_loss, 6);
  });
  it('masked log-probs survive +90 offsets', () => {
    const r = maskedLogprobs([90, 91, 92, 1000, 1000, 1000], 3, [2, 0], [1, 1]);
    expect(r.tokenLogps[0]).toBeCloseTo(-0.40760596444, 9);
    expect(r.tokenLogps[1]).toBeCloseTo(-Math.log(3), 12);
    expect(r.count).toBe(2);
  });
});

describe.skipIf(!present)('shared reference cases', () => {
  it('pass@k matches passk_cases.json (1e-6 relative)', () => {
    const cases = JSON.parse(readFileSync(REF + 'passk_cases.json', 'utf8')) as { n: number; c: number; k: number; pass_at_k: number }[];
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(rel(passAtK(c.n, c.c, c.k), c.pass_at_k, 1e-6), JSON.stringify(c)).toBe(true);
  });
  it('DPO losses and TRL metrics match dpo_cases.json (1e-9 relative)', () => {
    const cases = JSON.parse(readFileSync(REF + 'dpo_cases.json', 'utf8')) as { args: { loss: DpoArgs['loss']; beta: number; eps: number; alpha: number; mask_common_prefix: boolean }; pairs: { policy_chosen: number[]; policy_rejected: number[]; ref_chosen: number[]; ref_rejected: number[]; common_prefix: number }[]; expected: Record<string, number> }[];
    for (const c of cases) {
      const m = dpoMetrics(
        c.pairs.map((p) => ({ policyChosen: p.policy_chosen, policyRejected: p.policy_rejected, refChosen: p.ref_chosen, refRejected: p.ref_rejected, commonPrefix: p.common_prefix })),
        { loss: c.args.loss, beta: c.args.beta, eps: c.args.eps, alpha: c.args.alpha, maskCommonPrefix: c.args.mask_common_prefix },
      );
      for (const [k, v] of Object.entries(c.expected)) expect(rel((m as unknown as Record<string, number>)[k]!, v, 1e-9), `${JSON.stringify(c.args)} ${k}: ${(m as unknown as Record<string, number>)[k]} vs ${v}`).toBe(true);
    }
  });
  it('masked log-probs match logprob_cases.json (1e-6 relative)', () => {
    const cases = JSON.parse(readFileSync(REF + 'logprob_cases.json', 'utf8')) as { input: { vocab: number; logits: number[]; targets: number[]; mask: number[] }; expected: { token_logps: number[]; sum: number; count: number } }[];
    for (const c of cases) {
      const r = maskedLogprobs(c.input.logits, c.input.vocab, c.input.targets, c.input.mask);
      expect(r.count).toBe(c.expected.count);
      expect(rel(r.sum, c.expected.sum, 1e-6)).toBe(true);
      c.expected.token_logps.forEach((v, t) => expect(Math.abs(r.tokenLogps[t]! - v)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v))));
    }
  });
});
