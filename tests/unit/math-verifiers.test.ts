import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonlError, parseJsonl } from '../../src/core/jsonl.js';
import { aime } from '../../src/tasks/aime.js';
import { gsm8k, gsm8kFinalAnswer } from '../../src/tasks/gsm8k.js';
import { math } from '../../src/tasks/math.js';
import { mathEquivalent, mathValue, normalizeMathAnswer } from '../../src/tasks/math-equiv.js';
import type { DatasetFamily, Problem } from '../../src/tasks/types.js';

// ---------------------------------------------------------------------------------------------
// (1) Hand-written equivalence cases: [reference, candidate, equivalent?]

const CASES: Record<string, [string, string, boolean][]> = {
  fractions: [
    ['\\frac{1}{2}', '\\dfrac{1}{2}', true],
    ['\\frac{1}{2}', '\\tfrac12', true],
    ['\\frac12', '1/2', true],
    ['\\frac 59', '\\frac{5}{9}', true],
    ['\\frac{14}{3}', '\\frac{28}{6}', true],
    ['-\\frac{\\pi}{6}', '-\\pi/6', true],
    ['\\frac{3}{56}', '\\frac{3}{65}', false],
    ['\\frac{1}{2}', '\\frac{1}{3}', false],
  ],
  decimals: [
    ['\\frac{1}{2}', '0.5', true],
    ['0.5', '.5', true],
    ['1.25', '\\frac54', true],
    ['\\frac{33}{100}', '0.33', true],
    ['326.5', '326.50', true],
    ['\\frac{1}{3}', '0.33', false],
    ['\\frac{1}{3}', '0.3333333', true],
    ['11111111100', '11111111101', false],
    ['2^{40}', '1099511627777', false],
    ['4.5', '4.6', false],
  ],
  roots: [
    ['\\sqrt{2}', '\\sqrt2', true],
    ['3\\sqrt{13}', '\\sqrt{117}', true],
    ['6\\sqrt{2}', '6 \\sqrt 2', true],
    ['\\frac{\\sqrt{3}}{3}', '\\frac{1}{\\sqrt{3}}', true],
    ['\\frac{\\sqrt{21}}{5}', '\\sqrt{21}/5', true],
    ['\\sqrt{51}', '\\sqrt{52}', false],
    ['3\\sqrt{13}', '13\\sqrt{3}', false],
  ],
  pi: [
    ['\\pi', '3.14159265358979', true],
    ['288 \\pi', '288\\pi', true],
    ['12\\pi', '\\pi \\cdot 12', true],
    ['8 \\pi', '8', false],
    ['\\pi', '3.14', false],
  ],
  degrees: [
    ['90^\\circ', '90', true],
    ['145^\\circ', '145^{\\circ}', true],
    ['30^\\circ', '30°', true],
    ['\\frac{270}7\\text{ degrees}', '\\frac{270}{7}', true],
    ['36^\\circ', '63^\\circ', false],
  ],
  percent: [
    ['50\\%', '50', true],
    ['25', '25\\%', true],
    ['12.5\\%', '12.5%', true],
    ['50\\%', '51\\%', false],
  ],
  'text and units': [
    ['5.4 \\text{ cents}', '5.4', true],
    ['15\\mbox{ cm}^2', '15', true],
    ['15\\mbox{ cm}^2', '15 \\text{ cm}^2', true],
    ['10', '10 \\text{ square units}', true],
    ['\\$36', '36 dollars', true],
    ['\\text{Navin}', 'Navin', true],
    ['\\text{Navin}', '\\text{Bob}', false],
    ['5.4 \\text{ cents}', '4.5 \\text{ cents}', false],
  ],
  'tuples and points': [
    ['(1,2)', '(1, 2)', true],
    ['(-2,1)', '\\left(-2, 1\\right)', true],
    ['\\left( \\frac{3}{2}, -13 \\right)', '(1.5,-13)', true],
    ['(1,-16,-4,43)', '(1, -16, -4, 43)', true],
    ['(1,2)', '(2,1)', false],
    ['(15,-29)', '(15,-29,0)', false],
    ['(1,2)', '1,2', false],
  ],
  intervals: [
    ['(3,4]', '(3, 4]', true],
    ['(-\\infty, 0]', '(-\\infty,0]', true],
    ['(2,\\infty)', '(2, +\\infty)', true],
    ['\\left(\\frac{3}{5},\\frac{8}{3}\\right]', '(0.6, 8/3]', true],
    ['\\left[ \\frac{\\pi^2}{8}, \\frac{5 \\pi^2}{4} \\right]', '[\\pi^2/8, 5\\pi^2/4]', true],
    ['(2,12) \\cup (12,102)', '(2,12)\\cup(12,102)', true],
    ['(3,4]', '(3,4)', false],
    ['(3,4]', '[3,4]', false],
    ['(-\\infty, 0]', '(\\infty, 0]', false],
    ['(2,12) \\cup (12,102)', '(2,102)', false],
  ],
  'left/right and spacing': [
    ['(-\\sqrt{3}, \\sqrt{3})', '\\left(-\\sqrt{3},\\sqrt{3}\\right)', true],
    ['10,\\!080', '10080', true],
    ['11,\\! 111,\\! 111,\\! 100', '11111111100', true],
    ['2220', '2\\,220', true],
    ['1~000', '1000', true],
    ['10,\\!080', '10800', false],
  ],
  dollars: [
    ['\\$18.90', '18.9', true],
    ['\\$18.90', '$18.90$', true],
    ['\\$36', '\\$ 36', true],
    ['\\$18.90', '18.09', false],
  ],
  'variable =': [
    ['5', 'x = 5', true],
    ['\\frac12', 'y =\\frac{1}{2}', true],
    ['-4', 'k=-4', true],
    ['5', 'x = 6', false],
  ],
  'thousands separators': [
    ['2000', '2,000', true],
    ['13535', '13,535', true],
    ['1000000', '1,000,000', true],
    ['2000', '2,001', false],
  ],
  matrices: [
    ['\\begin{pmatrix} -18 \\\\ -49 \\\\ 96 \\end{pmatrix}', '\\begin{pmatrix}-18\\\\-49\\\\96\\end{pmatrix}', true],
    ['\\begin{pmatrix} 1/5 \\\\ -18/5 \\end{pmatrix}', '\\begin{pmatrix} \\frac{1}{5} \\\\ -\\frac{18}{5} \\end{pmatrix}', true],
    ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}', true],
    ['\\begin{pmatrix} -18 \\\\ -49 \\\\ 96 \\end{pmatrix}', '\\begin{pmatrix} -18 \\\\ 49 \\\\ 96 \\end{pmatrix}', false],
    ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{pmatrix}1&2&3&4\\end{pmatrix}', false],
  ],
  letters: [
    ['\\text{(C)}', 'C', true],
    ['\\text{(C)}', '(c)', true],
    ['\\text{(E)}', '\\textbf{(E)}', true],
    ['A', '(a)', true],
    ['\\text{(C)}', 'D', false],
    ['\\text{(E)}', '(B)', false],
  ],
  'expressions and lists': [
    ['p - q', '-q + p', true],
    ['2k+2', '2(k+1)', true],
    ['x^3+3x-6', '3x + x^3 - 6', true],
    ['8n^2 + 4n + 1', '1+4n+8n^2', true],
    ['6+9i', '9i + 6', true],
    ['3 \\pm 2 \\sqrt{2}', '3-2\\sqrt2, 3+2\\sqrt2', true],
    ['\\{1\\pm\\sqrt{5},-2\\}', '-2, 1+\\sqrt{5}, 1-\\sqrt5', true],
    ['137 \\frac{1}{2}', '\\frac{275}{2}', true],
    ['52_8', '52_{8}', true],
    ['2^{10}', '1024', true],
    ['2k+2', '2k+1', false],
    ['p - q', 'q - p', false],
    ['6+9i', '6-9i', false],
    ['3 \\pm 2 \\sqrt{2}', '3+2\\sqrt2', false],
    ['52_8', '52_9', false],
    ['15x - 80', '15x - 81', false],
  ],
};

describe('math answer equivalence', () => {
  for (const [form, cases] of Object.entries(CASES)) {
    it(form, () => {
      for (const [ref, got, want] of cases) {
        expect(mathEquivalent(ref, got), `${JSON.stringify(ref)} vs ${JSON.stringify(got)} (normalised ${normalizeMathAnswer(ref)} vs ${normalizeMathAnswer(got)})`).toBe(want);
        // Equivalence is symmetric for all these forms.
        expect(mathEquivalent(got, ref), `${JSON.stringify(got)} vs ${JSON.stringify(ref)}`).toBe(want);
      }
    });
  }

  it('evaluates closed forms safely', () => {
    expect(mathValue('3\\sqrt{13}')).toBeCloseTo(3 * Math.sqrt(13), 12);
    expect(mathValue('\\sqrt[3]{-8}')).toBeCloseTo(-2, 12);
    expect(mathValue('2^{-1}')).toBe(0.5);
    expect(mathValue('-2^2')).toBe(-4);
    expect(mathValue('5!')).toBe(120);
    expect(mathValue('\\$1,450,000')).toBe(1450000);
    expect(mathValue('x+1')).toBeNull();
    expect(mathValue('2^2^2^2^2^2^2')).toBeNull(); // overflow is not a value
    expect(mathValue('\\frac{1}{0}')).toBeNull();
    expect(mathValue('\\sqrt{-1}')).toBeNull();
    expect(mathValue('process.exit()')).toBeNull();
    expect(mathValue('('.repeat(5000) + '1' + ')'.repeat(5000))).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Families: rows, extraction, verdicts.

const ctx = { file: 'rows.jsonl', line: 7, index: 6 };

describe('dataset families: fromRow and verify', () => {
  it('gsm8k reads the answer after ####, strips commas, and accepts a box or a #### line', () => {
    const p = gsm8k.fromRow({ question: 'How many?', answer: 'Work <<2*3=6>>6\n#### 1,450' }, ctx);
    expect(p).toMatchObject({ id: '6', family: 'gsm8k', question: 'How many?', answer: '1450' });
    expect(gsm8k.verify(p, 'so \\boxed{1,450}').correct).toBe(true);
    expect(gsm8k.verify(p, 'so \\boxed{\\$1450.00}').correct).toBe(true);
    expect(gsm8k.verify(p, 'so \\boxed{1450 apples}').correct).toBe(true);
    expect(gsm8k.verify(p, 'work...\n#### 1450').correct).toBe(true);
    expect(gsm8k.verify(p, '\\boxed{1451}')).toEqual({ correct: false, extracted: '1451', reason: 'expected 1450, got 1451' });
    // The box wins over a #### line.
    expect(gsm8k.verify(p, '#### 1450\n\\boxed{7}').correct).toBe(false);
    expect(gsm8k.verify(p, 'I think 1450')).toEqual({ correct: false, extracted: null, reason: 'no \\boxed{} answer' });
    expect(gsm8kFinalAnswer('a\n#### 12')).toBe('12');
    expect(gsm8k.fromRow({ question: 'q', answer: 72 }, ctx).answer).toBe('72');
  });

  it('math keeps the LaTeX answer and the row id', () => {
    const row = { problem: 'Find x.', solution: 'So $x = \\boxed{\\frac{14}{3}}$.', answer: '\\frac{14}{3}', subject: 'Algebra', level: 3, unique_id: 'test/algebra/1.json' };
    const p = math.fromRow(row, ctx);
    expect(p).toMatchObject({ id: 'test/algebra/1.json', family: 'math', answer: '\\frac{14}{3}' });
    expect(math.verify(p, 'therefore \\boxed{4\\frac{2}{3}}').correct).toBe(true);
    expect(math.verify(p, '\\boxed{5} wait, \\boxed{\\dfrac{28}{6}}')).toEqual({ correct: true, extracted: '\\dfrac{28}{6}', reason: 'match' });
    expect(math.verify(p, '\\boxed{\\frac{14}{5}}').reason).toBe('expected \\frac{14}{3}, got \\frac{14}{5}');
    expect(math.verify(p, '14/3').reason).toBe('no \\boxed{} answer');
    // A row without `answer` falls back to the solution's last box.
    expect(math.fromRow({ problem: 'p', solution: '\\boxed{7}' }, ctx).answer).toBe('7');
  });

  it('aime compares integers, so "025" = 25', () => {
    const p = aime.fromRow({ id: 67, problem: 'Find n.', answer: '025' }, ctx);
    expect(p).toMatchObject({ id: '67', family: 'aime', answer: '025' });
    expect(aime.verify(p, '\\boxed{25}').correct).toBe(true);
    expect(aime.verify(p, '\\boxed{025}').correct).toBe(true);
    expect(aime.verify(p, '\\boxed{26}').correct).toBe(false);
    expect(aime.verify(p, '\\boxed{25.5}').correct).toBe(false);
    expect(aime.verify(p, '\\boxed{twenty-five}').correct).toBe(false);
    expect(aime.fromRow({ problem: 'q', answer: 70 }, ctx).answer).toBe('70');
  });

  it('reports missing and ill-typed fields as JsonlError with file, line and field', () => {
    const bad: [DatasetFamily, Record<string, unknown>, string][] = [
      [gsm8k, { answer: '#### 3' }, 'question'],
      [gsm8k, { question: 'q', answer: 'no final line' }, 'answer'],
      [gsm8k, { question: 'q', answer: '#### three' }, 'answer'],
      [gsm8k, { question: ['q'], answer: '#### 3' }, 'question'],
      [math, { problem: 'p' }, 'answer'],
      [math, { problem: 'p', answer: { v: 1 } }, 'answer'],
      [math, { problem: 'p', answer: '1', unique_id: { x: 1 } }, 'unique_id'],
      [aime, { problem: 'p', answer: 'abc' }, 'answer'],
      [aime, { answer: '1' }, 'problem'],
    ];
    for (const [fam, row, field] of bad) {
      let err: unknown;
      try {
        fam.fromRow(row, ctx);
      } catch (e) {
        err = e;
      }
      expect(err, `${fam.name} ${JSON.stringify(row)}`).toBeInstanceOf(JsonlError);
      expect((err as JsonlError).field).toBe(field);
      expect((err as JsonlError).message).toContain('rows.jsonl:7');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// (2) Gold answers from the real benchmark files, when they are there.

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const present = existsSync(`${DATA}gsm8k/test_public.jsonl`) && existsSync(`${DATA}math500/test_public.jsonl`) && existsSync(`${DATA}aime/aime24.jsonl`);
if (!present) console.warn(`\n*** math-verifiers: benchmark data not found at ${DATA}; the gold-answer checks are SKIPPED ***\n`);

function load(fam: DatasetFamily, rel: string): { row: Record<string, unknown>; problem: Problem }[] {
  const file = `${DATA}${rel}`;
  return parseJsonl(readFileSync(file, 'utf8'), rel).map((r, index) => ({ row: r.value, problem: fam.fromRow(r.value, { file: rel, line: r.line, index }) }));
}

function pct(n: number, of: number): string {
  return `${((100 * n) / of).toFixed(2)}% (${n}/${of})`;
}

/** A wrong answer near the gold one: value + 1 for numbers, otherwise a changed expression. */
function perturbMath(answer: string): string {
  const v = mathValue(answer);
  if (v !== null && Number.isFinite(v)) return String(v + 1);
  const letter = /^\\text\{\(([A-E])\)\}$/.exec(answer);
  if (letter) return `(${letter[1] === 'E' ? 'A' : String.fromCharCode((letter[1] ?? 'A').charCodeAt(0) + 1)})`;
  if (/\d/.test(answer)) return answer.replace(/\d+/, (d) => String(Number(d) + 1));
  return `${answer}+1`;
}

describe.skipIf(!present)('gold answers from /work/shared/data', () => {
  it('GSM8K: every gold answer verifies, boxed and as the full #### solution; gold+1 is rejected', () => {
    for (const rel of ['gsm8k/test_public.jsonl', 'gsm8k/train.jsonl']) {
      const rows = load(gsm8k, rel);
      let boxed = 0;
      let rawBoxed = 0;
      let full = 0;
      let rejected = 0;
      const failures: string[] = [];
      for (const { row, problem } of rows) {
        const solution = row.answer as string;
        const raw = gsm8kFinalAnswer(solution) ?? '';
        const checks: [string, string][] = [
          ['boxed', `The answer is \\boxed{${problem.answer}}.`],
          ['raw boxed', `\\boxed{${raw}}`],
          ['full', solution],
        ];
        const ok = checks.map(([what, out]) => {
          const v = gsm8k.verify(problem, out);
          if (!v.correct) failures.push(`${problem.id} ${what}: ${v.reason}`);
          return v.correct;
        });
        if (ok[0]) boxed++;
        if (ok[1]) rawBoxed++;
        if (ok[2]) full++;
        if (!gsm8k.verify(problem, `\\boxed{${Number(problem.answer) + 1}}`).correct) rejected++;
      }
      const n = rows.length;
      console.log(`GSM8K ${rel}: gold boxed ${pct(boxed, n)}, raw gold boxed ${pct(rawBoxed, n)}, full solution ${pct(full, n)}, gold+1 rejected ${pct(rejected, n)}`);
      if (failures.length) console.log(failures.slice(0, 20).join('\n'));
      expect(boxed).toBe(n);
      expect(rawBoxed).toBe(n);
      expect(full).toBe(n);
      expect(rejected / n).toBeGreaterThanOrEqual(0.98);
    }
  });

  it('MATH-500: gold solutions verify (>= 98%) and perturbed answers are rejected (>= 98%)', () => {
    const rows = load(math, 'math500/test_public.jsonl');
    let ok = 0;
    let rejected = 0;
    const failures: string[] = [];
    const accepted: string[] = [];
    for (const { row, problem } of rows) {
      const v = math.verify(problem, row.solution as string);
      if (v.correct) ok++;
      else failures.push(`  ${problem.id}: ${v.reason}`);
      const wrong = perturbMath(problem.answer);
      if (!math.verify(problem, `\\boxed{${wrong}}`).correct) rejected++;
      else accepted.push(`  ${problem.id}: ${problem.answer} accepted ${wrong}`);
    }
    // Another row's (different) answer must be rejected too.
    let others = 0;
    let othersRejected = 0;
    rows.forEach(({ problem }, i) => {
      const other = rows[(i + 1) % rows.length]?.problem.answer ?? '';
      if (other === problem.answer) return;
      others++;
      if (!math.verify(problem, `\\boxed{${other}}`).correct) othersRejected++;
      else accepted.push(`  ${problem.id}: ${problem.answer} accepted the next row's ${other}`);
    });
    const n = rows.length;
    console.log(`MATH-500: gold solutions ${pct(ok, n)}, perturbed rejected ${pct(rejected, n)}, next row's answer rejected ${pct(othersRejected, others)}`);
    if (failures.length) console.log(`gold failures:\n${failures.join('\n')}`);
    if (accepted.length) console.log(`perturbed answers accepted:\n${accepted.join('\n')}`);
    expect(ok / n).toBeGreaterThanOrEqual(0.98);
    expect(rejected / n).toBeGreaterThanOrEqual(0.98);
    expect(othersRejected / others).toBeGreaterThanOrEqual(0.98);
  });

  it('AIME 2024/2025: every gold answer verifies (with and without leading zeros); gold+1 is rejected', () => {
    for (const rel of ['aime/aime24.jsonl', 'aime/aime25.jsonl']) {
      const rows = load(aime, rel);
      let ok = 0;
      let rejected = 0;
      for (const { problem } of rows) {
        const n = Number(problem.answer);
        if (aime.verify(problem, `\\boxed{${problem.answer}}`).correct && aime.verify(problem, `so \\boxed{${n}}`).correct) ok++;
        if (!aime.verify(problem, `\\boxed{${n + 1}}`).correct) rejected++;
      }
      console.log(`AIME ${rel}: gold ${pct(ok, rows.length)}, gold+1 rejected ${pct(rejected, rows.length)}`);
      expect(new Set(rows.map((r) => r.problem.id)).size).toBe(rows.length);
      expect(ok).toBe(rows.length);
      expect(rejected / rows.length).toBeGreaterThanOrEqual(0.98);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// (3) Verifiers never throw, whatever the model writes.

const LATEXY = fc
  .array(fc.constantFrom('\\boxed{', '{', '}', '\\', '\\frac', '\\sqrt', '\\sqrt[', '^', '_', '(', ')', '[', ']', ',', '\\pi', '\\pm', '\\cup', '\\left(', '\\right]', '\\text{', '\\begin{pmatrix}', '\\\\', '&', '\\end{pmatrix}', '####', '\n', '-', '1', '0', '9', '.', 'x', '=', '!', '%', '$', '\\$', ' ', 'cm', '^\\circ'), { maxLength: 60 })
  .map((parts) => parts.join(''));

describe('verifiers never throw', () => {
  const fixtures: [DatasetFamily, Problem][] = [
    [gsm8k, { id: '0', family: 'gsm8k', question: 'q', answer: '18' }],
    [math, { id: '0', family: 'math', question: 'q', answer: '\\left( \\frac{3}{2}, -13 \\right)' }],
    [math, { id: '1', family: 'math', question: 'q', answer: '\\{1\\pm\\sqrt{5},-2\\}' }],
    [aime, { id: '0', family: 'aime', question: 'q', answer: '025' }],
  ];
  for (const [fam, problem] of fixtures) {
    it(`${fam.name} (${problem.answer})`, () => {
      const check = (s: string): void => {
        for (const out of [s, `\\boxed{${s}}`, `${s}\n#### ${s}`]) {
          const v = fam.verify(problem, out);
          expect(typeof v.correct).toBe('boolean');
          expect(typeof v.reason).toBe('string');
        }
        expect(typeof mathEquivalent(problem.answer, s)).toBe('boolean');
        expect(typeof mathEquivalent(s, s)).toBe('boolean');
      };
      fc.assert(fc.property(fc.string(), check), { numRuns: 300 });
      fc.assert(fc.property(fc.string({ unit: 'binary' }), check), { numRuns: 300 });
      fc.assert(fc.property(LATEXY, check), { numRuns: 500 });
    });
  }
});
