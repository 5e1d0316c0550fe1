/** IFEval: every instruction type on hand-written outputs, the public data file, fuzzing, row errors. */
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonl } from '../../src/core/jsonl.js';
import { IFEVAL_SUPPORTED, countSentences, detectLanguage, ifeval } from '../../src/tasks/ifeval.js';
import type { Problem } from '../../src/tasks/types.js';

const FILE = new URL('../../../shared/data/ifeval/input_data.jsonl', import.meta.url).pathname;
const present = existsSync(FILE);
if (!present) console.warn(`[ifeval] ${FILE} is absent: skipping the IFEval data-file cases`);

const ctx = { file: 'ifeval.jsonl', line: 7, index: 6 };
type Kw = Record<string, unknown>;
const problem = (ids: string[], kwargs: Kw[]): Problem => ifeval.fromRow({ key: 42, prompt: 'Do the thing.', instruction_id_list: ids, kwargs }, ctx);
const follows = (id: string, kw: Kw, out: string): boolean => ifeval.verify(problem([id], [kw]), out).correct;

interface Case {
  id: string;
  kw: Kw;
  pass: string[];
  fail: string[];
}

const GERMAN = 'Der Hund ist nicht im Garten, und die Katze schläft auf dem Sofa.';
const CASES: Case[] = [
  { id: 'keywords:existence', kw: { keywords: ['ocean', 'Blue'] }, pass: ['The blue OCEAN is wide.'], fail: ['The sea is blue.'] },
  { id: 'keywords:frequency', kw: { keyword: 'cat', frequency: 3, relation: 'at least' }, pass: ['Cat, cat and CAT.'], fail: ['cat and cat'] },
  { id: 'keywords:frequency', kw: { keyword: 'cat', frequency: 2, relation: 'less than' }, pass: ['one cat', 'no felines'], fail: ['cat cat'] },
  { id: 'keywords:forbidden_words', kw: { forbidden_words: ['war', 'peace'] }, pass: ['Software is hard to write.'], fail: ['We want PEACE now.', 'war.'] },
  { id: 'keywords:letter_frequency', kw: { letter: 'z', let_frequency: 2, let_relation: 'at least' }, pass: ['Zebras at the zoo'], fail: ['a zebra'] },
  { id: 'keywords:letter_frequency', kw: { letter: 'e', let_frequency: 3, let_relation: 'less than' }, pass: ['a big dog'], fail: ['Eleven geese'] },
  { id: 'language:response_language', kw: { language: 'de' }, pass: [GERMAN], fail: ['The dog is not in the garden and the cat sleeps on the sofa.'] },
  { id: 'language:response_language', kw: { language: 'hi' }, pass: ['यह एक अच्छा दिन है और मैं खुश हूं।'], fail: ['Это хороший день, и я счастлив.'] },
  { id: 'length_constraints:number_sentences', kw: { num_sentences: 3, relation: 'less than' }, pass: ['One here. Two there.', 'Mr. Smith met Dr. Jones. They talked.'], fail: ['One. Two? Three!'] },
  { id: 'length_constraints:number_sentences', kw: { num_sentences: 3, relation: 'at least' }, pass: ['One. Two? Three!'], fail: ['Only one sentence here, e.g. this one.'] },
  { id: 'length_constraints:number_paragraphs', kw: { num_paragraphs: 3 }, pass: ['A\n***\nB\n***\nC', '***\nA ***\nB***C\n***'], fail: ['A\n***\nB', 'A\n***\n\n***\nB\n***\nC'] },
  { id: 'length_constraints:number_words', kw: { num_words: 5, relation: 'less than' }, pass: ['one two, three-four'], fail: ['one two three four five'] },
  { id: 'length_constraints:number_words', kw: { num_words: 3, relation: 'at least' }, pass: ['snake_case counts as one, yes'], fail: ['only two'] },
  {
    id: 'length_constraints:nth_paragraph_first_word',
    kw: { num_paragraphs: 2, nth_paragraph: 2, first_word: 'however' },
    pass: ['First paragraph.\n\n"However, the second."'],
    fail: ['First paragraph.\n\nBut the second.', 'First.\n\nHowever, second.\n\nThird.', 'However, only one paragraph.'],
  },
  { id: 'detectable_content:number_placeholders', kw: { num_placeholders: 2 }, pass: ['[name] lives at [address].'], fail: ['[name] lives at [\naddress].'] },
  { id: 'detectable_content:postscript', kw: { postscript_marker: 'P.S.' }, pass: ['Hello.\n\nP.S. See you soon.', 'bye\np. s. later'], fail: ['Hello. PS see you.'] },
  { id: 'detectable_content:postscript', kw: { postscript_marker: 'P.P.S' }, pass: ['Hi.\nP.P.S. one more thing'], fail: ['Hi.\nP.S. one thing'] },
  { id: 'detectable_format:number_bullet_lists', kw: { num_bullets: 3 }, pass: ['Intro:\n* a\n* b\n  - c'], fail: ['* a\n* b\n**bold** line', '* a\n* b\n* c\n* d'] },
  { id: 'detectable_format:constrained_response', kw: {}, pass: ['Well... My answer is maybe.'], fail: ['Yes.', 'my answer is yes.'] },
  { id: 'detectable_format:number_highlighted_sections', kw: { num_highlights: 2 }, pass: ['*one* and **two**'], fail: ['*one* and ** ** and *\nbroken*'] },
  { id: 'detectable_format:multiple_sections', kw: { section_spliter: 'Section', num_sections: 2 }, pass: ['Section 1\nfoo\nSection 2\nbar'], fail: ['Section 1\nfoo\nsection 2\nbar', 'Section one'] },
  { id: 'detectable_format:json_format', kw: {}, pass: ['```json\n{"a": [1, 2]}\n```', ' [1, "two"] '], fail: ['Here is JSON: {"a": 1}', '{a: 1}'] },
  { id: 'detectable_format:title', kw: {}, pass: ['<<My Poem>>\nRoses are red.'], fail: ['<<   >>\nRoses are red.', 'My Poem\nRoses are red.', '<<a\nb>>'] },
  { id: 'combination:two_responses', kw: {}, pass: ['Answer A.\n******\nAnswer B.'], fail: ['Same.\n******\n Same. ', 'A\n******\n\n******\nB', 'Just one.'] },
  { id: 'combination:repeat_prompt', kw: { prompt_to_repeat: 'Write a haiku about rain.' }, pass: ['  write a HAIKU about rain. Drops fall...'], fail: ['Sure! Write a haiku about rain. Drops fall...'] },
  { id: 'startend:end_checker', kw: { end_phrase: 'Any other questions?' }, pass: ['Here it is. Any other questions?"\n'], fail: ['Any other questions? Thanks.'] },
  { id: 'startend:quotation', kw: {}, pass: ['  "Wrapped, all of it."\n'], fail: ['Not "wrapped"', '"'] },
  { id: 'change_case:capital_word_frequency', kw: { capital_frequency: 3, capital_relation: 'at least' }, pass: ["THIS IS VERY important, DON'T forget"], fail: ['THIS is Important'] },
  { id: 'change_case:capital_word_frequency', kw: { capital_frequency: 2, capital_relation: 'less than' }, pass: ['Only ONE shout here.'], fail: ['I SAID NO.'] },
  { id: 'change_case:english_capital', kw: {}, pass: ['THIS IS AN ENGLISH SENTENCE, AND IT IS LOUD.'], fail: ['This is mixed case.', 'DER HUND IST NICHT IM GARTEN, UND DIE KATZE SCHLÄFT AUF DEM SOFA.'] },
  { id: 'change_case:english_lowercase', kw: {}, pass: ['this is all lowercase english, and it is calm.'], fail: ['This is not.', GERMAN.toLowerCase()] },
  { id: 'punctuation:no_comma', kw: {}, pass: ['No commas here at all.'], fail: ['One, two.'] },
];

describe('ifeval instructions (hand-written outputs)', () => {
  it('implements all 25 public instruction types, each with a case here', () => {
    expect(IFEVAL_SUPPORTED.length).toBe(25);
    expect(new Set(CASES.map((c) => c.id))).toEqual(new Set(IFEVAL_SUPPORTED));
  });

  for (const c of CASES) {
    it(`${c.id} ${JSON.stringify(c.kw)}`, () => {
      for (const out of c.pass) expect(follows(c.id, c.kw, out), `should follow: ${JSON.stringify(out)}`).toBe(true);
      for (const out of c.fail) expect(follows(c.id, c.kw, out), `should not follow: ${JSON.stringify(out)}`).toBe(false);
    });
  }

  it('heuristic helpers: sentences and languages', () => {
    expect(countSentences('Hello world. This is Mr. Smith. He lives in the U.S. today!')).toBe(3);
    expect(countSentences('# Title\n\nno period at all')).toBe(1);
    expect(countSentences('  ')).toBe(0);
    expect(detectLanguage('Con cáo nâu nhanh nhẹn nhảy qua con chó lười biếng.')).toBe('vi');
    expect(detectLanguage('یہ ایک اچھا دن ہے اور میں بہت خوش ہوں۔')).toBe('ur');
    expect(detectLanguage('오늘은 좋은 날입니다')).toBe('ko');
    expect(detectLanguage('12345 !!!')).toBeNull();
  });
});

describe('ifeval verdicts', () => {
  const p = problem(['punctuation:no_comma', 'length_constraints:number_words'], [{}, { num_words: 3, relation: 'less than' }]);

  it('is correct only when every instruction is followed, naming the failures', () => {
    expect(ifeval.verify(p, 'Two words')).toEqual({ correct: true, extracted: '2/2', reason: 'all 2 instructions followed' });
    expect(ifeval.verify(p, 'One, two, three, four')).toEqual({ correct: false, extracted: '0/2', reason: 'failed: punctuation:no_comma, length_constraints:number_words' });
    expect(ifeval.verify(p, 'Too many words here')).toMatchObject({ correct: false, extracted: '1/2', reason: 'failed: length_constraints:number_words' });
  });

  it('an empty or blank response follows nothing (strict IFEval)', () => {
    expect(ifeval.verify(p, '').reason).toBe('failed: punctuation:no_comma, length_constraints:number_words');
    expect(ifeval.verify(p, ' \n\t').correct).toBe(false);
  });

  it('reports unsupported ids, bad arguments and malformed problems without throwing', () => {
    const u = ifeval.verify(problem(['detectable_format:unknown'], [{}]), 'anything');
    expect(u).toMatchObject({ correct: false, reason: 'unsupported instruction: detectable_format:unknown' });
    const bad = ifeval.verify(problem(['length_constraints:number_words'], [{ num_words: null, relation: 'about' }]), 'hello');
    expect(bad.correct).toBe(false);
    expect(bad.reason).toMatch(/^failed: length_constraints:number_words \(bad kwargs: num_words must be an integer\)/);
    expect(ifeval.verify(problem(['keywords:frequency'], [{ keyword: 'a', frequency: 1, relation: 'most' }]), 'a').reason).toMatch(/relation must be/);
    expect(ifeval.verify({ id: 'x', family: 'ifeval', question: 'q', answer: '' }, 'text')).toMatchObject({ correct: false, extracted: null });
    expect(ifeval.verify({ id: 'x', family: 'ifeval', question: 'q', answer: '', data: { instruction_id_list: 'no' } }, 'text').correct).toBe(false);
  });
});

describe('ifeval rows', () => {
  const row = { key: 1000, prompt: 'Write a poem.', instruction_id_list: ['punctuation:no_comma'], kwargs: [{}] };

  it('builds a Problem: id from key (else the row index), prompt, no reference answer', () => {
    const p = ifeval.fromRow(row, ctx);
    expect(p).toEqual({ id: '1000', family: 'ifeval', question: 'Write a poem.', answer: '', data: { instruction_id_list: ['punctuation:no_comma'], kwargs: [{}] } });
    expect(ifeval.fromRow({ ...row, key: undefined }, ctx).id).toBe('6');
  });

  it('names file, line and field for malformed rows', () => {
    expect(() => ifeval.fromRow({ ...row, prompt: undefined }, ctx)).toThrow(/ifeval\.jsonl:7: field "prompt": is missing/);
    expect(() => ifeval.fromRow({ ...row, prompt: 3 }, ctx)).toThrow(/ifeval\.jsonl:7: field "prompt": must be a non-empty string/);
    expect(() => ifeval.fromRow({ ...row, instruction_id_list: 'punctuation:no_comma' }, ctx)).toThrow(/ifeval\.jsonl:7: field "instruction_id_list"/);
    expect(() => ifeval.fromRow({ ...row, instruction_id_list: [1] }, ctx)).toThrow(/field "instruction_id_list": must be a non-empty array/);
    expect(() => ifeval.fromRow({ ...row, kwargs: undefined }, ctx)).toThrow(/ifeval\.jsonl:7: field "kwargs": is missing/);
    expect(() => ifeval.fromRow({ ...row, kwargs: [null] }, ctx)).toThrow(/field "kwargs": must be an array of objects/);
    expect(() => ifeval.fromRow({ ...row, kwargs: [{}, {}] }, ctx)).toThrow(/field "kwargs": has 2 entries but instruction_id_list has 1/);
    expect(() => ifeval.fromRow({ ...row, key: { a: 1 } }, ctx)).toThrow(/field "key"/);
  });
});

describe('ifeval never throws', () => {
  // One problem with every supported instruction, plus a few realistic ones.
  const all = problem(
    CASES.map((c) => c.id),
    CASES.map((c) => c.kw),
  );
  const few = [all, problem(['detectable_format:unknown', 'punctuation:no_comma'], [{}, {}]), problem(['keywords:existence'], [{ keywords: 'not a list' }])];

  it('on arbitrary strings (fc.string and full-Unicode fc.string({unit: "binary"}))', () => {
    for (const arb of [fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 })]) {
      fc.assert(
        fc.property(arb, (s) => {
          for (const p of few) {
            const v = ifeval.verify(p, s);
            if (typeof v.correct !== 'boolean' || typeof v.reason !== 'string' || v.reason === '') return false;
          }
          return true;
        }),
        { numRuns: 150 },
      );
    }
  });

  it('on strings built from the characters the checks look for', () => {
    const pieces = fc.constantFrom('*', '**', '***', '******', '-', '\n', '\n\n', ' ', '[', ']', '<<', '>>', '"', ',', '.', 'P.S.', 'Section 1', '```json', '{', '}', 'WORD', 'word', 'é');
    fc.assert(fc.property(fc.array(pieces, { maxLength: 60 }), (parts) => typeof ifeval.verify(all, parts.join('')).correct === 'boolean'), { numRuns: 300 });
  });
});

describe.skipIf(!present)('IFEval public data', () => {
  const rows = present ? parseJsonl(readFileSync(FILE, 'utf8'), FILE) : [];
  const problems = rows.map((r, index) => ifeval.fromRow(r.value, { file: FILE, line: r.line, index }));

  it('loads every row, and every instruction id is supported or reported unsupported', () => {
    expect(problems.length).toBe(541);
    const ids = new Set(problems.flatMap((p) => (p.data as { instruction_id_list: string[] }).instruction_id_list));
    const supported = [...ids].filter((id) => IFEVAL_SUPPORTED.includes(id));
    expect(supported.length).toBeGreaterThanOrEqual(15);
    for (const p of problems) {
      const list = (p.data as { instruction_id_list: string[] }).instruction_id_list;
      const v = ifeval.verify(p, 'A short answer.');
      for (const id of list.filter((x) => !IFEVAL_SUPPORTED.includes(x))) expect(v.reason).toContain(`unsupported instruction: ${id}`);
      expect(v.reason).not.toMatch(/bad kwargs|checker error/);
    }
  });

  it('verifies fuzzed outputs on real rows without throwing', () => {
    const sample = problems.filter((_, i) => i % 60 === 0);
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => sample.every((p) => typeof ifeval.verify(p, s).correct === 'boolean')), { numRuns: 50 });
  });
});
