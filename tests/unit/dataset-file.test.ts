/**
 * Datasets in the browser, the pure parts: a file's text → problems with the CLI's row parsers
 * (errors name file, line and field; all or nothing), row picks (ranges, seeded samples), the hub
 * rows client (paging, progress, a hanging hub fails within the timeout), the search spec of a
 * dataset row (judged by the dataset family's verifier) and the lesson-link keys of both views.
 */
import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS } from '../../src/core/jsonl.js';
import { checkProblemRecord } from '../../src/eval/records-io.js';
import { fetchHubRows, HubError, hubName, parseHubName, rowsToJsonl } from '../../src/data/hub-rows.js';
import { resolveSpec } from '../../src/mcts/search-spec.js';
import { parseDatasetText, pickRows, randomPick, sampleRows } from '../../src/tasks/dataset-file.js';
import { formatHash, parseHash } from '../../src/ui/app/lesson-link.js';
import { settingsFromHash, settingsToHash as evalToHash } from '../../src/ui/evaluate/settings.js';
import { DEFAULT_SETTINGS, readSettings, settingsToHash, toSpec } from '../../src/ui/search/settings.js';

const GSM = [
  { question: 'Tom has 3 apples and buys 15 more. How many apples does he have?', answer: 'He has 3 + 15 = 18 apples.\n#### 18' },
  { question: 'A box holds 1,200 pens; 200 are sold. How many remain?', answer: '1,200 - 200 = 1,000\n#### 1,000' },
];
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('parseDatasetText', () => {
  it('reads rows with the family parser (GSM8K final answers after ####, commas removed)', () => {
    const ps = parseDatasetText(jsonl(GSM), 'g.jsonl', 'gsm8k');
    expect(ps.map((p) => [p.id, p.answer])).toEqual([['0', '18'], ['1', '1000']]);
    expect(ps[0]!.question).toBe(GSM[0]!.question);
  });

  it('names file, line and field for every kind of bad input, and keeps nothing', () => {
    const bad = (text: string, family = 'gsm8k') => {
      try {
        parseDatasetText(text, 'bad.jsonl', family);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(bad(`${JSON.stringify(GSM[0])}\n{"question": "x", "answer": `)).toMatch(/^bad\.jsonl:2: not valid JSON/);
    expect(bad(`${JSON.stringify(GSM[0])}\n\n${JSON.stringify({ question: 'q' })}`)).toBe('bad.jsonl:3: field "answer": is missing');
    expect(bad(JSON.stringify({ question: 'q', answer: 'no final answer' }))).toBe('bad.jsonl:1: field "answer": must end in "#### <number>" (the final answer)');
    expect(bad(JSON.stringify({ problem: 'p' }), 'math')).toBe('bad.jsonl:1: field "answer": is missing');
    expect(bad(JSON.stringify({ objects: ['a'], init: 'on a b', goal: [] }), 'blocksworld')).toBe('bad.jsonl:1: field "init": must be an array of strings');
    expect(bad('')).toBe('bad.jsonl:1: the file is empty: expected one JSON object per line');
    expect(bad('\n  \n')).toMatch(/the file is empty/);
    expect(bad('[1, 2]')).toBe('bad.jsonl:1: each line must be a JSON object');
    const huge = JSON.stringify({ question: 'x'.repeat(MAX_LINE_CHARS), answer: '#### 1' });
    expect(bad(`${JSON.stringify(GSM[0])}\n${huge}`)).toBe(`bad.jsonl:2: line is ${huge.length} characters long (limit ${MAX_LINE_CHARS})`);
    expect(bad(jsonl([{ id: 'a', ...GSM[0] }, { id: 'a', ...GSM[1] }]))).toBe('bad.jsonl:2: field "id": "a" repeats the id of line 1: ids must be unique');
    expect(bad(jsonl(GSM), 'nope')).toMatch(/unknown task "nope" for dataset files: choose one of .*gsm8k/);
  });
});

describe('pickRows', () => {
  it('reads row numbers, ranges and lists (from 0, both ends included, duplicates once)', () => {
    expect(pickRows('all', 4)).toEqual([0, 1, 2, 3]);
    expect(pickRows('', 3)).toEqual([0, 1, 2]);
    expect(pickRows('5', 10)).toEqual([5]);
    expect(pickRows('3-7', 20)).toEqual([3, 4, 5, 6, 7]);
    expect(pickRows('0, 4,9-11, 4', 20)).toEqual([0, 4, 9, 10, 11]);
  });

  it('says what is wrong with a bad pick', () => {
    expect(() => pickRows('3-17', 10)).toThrow('row 17 is past the end: the dataset has rows 0-9');
    expect(() => pickRows('7-3', 10)).toThrow('range 7-3 runs backwards: write 3-7');
    expect(() => pickRows('first ten', 10)).toThrow(/"first ten" is not a row number or a range/);
    expect(() => pickRows('random:0:1', 10)).toThrow(/at least 1 row/);
  });

  it('draws a seeded sample: distinct rows in range, sorted, the same for the same seed', () => {
    const a = pickRows(randomPick(20, 7), 660);
    expect(a).toHaveLength(20);
    expect(new Set(a).size).toBe(20);
    expect(a.every((i) => Number.isInteger(i) && i >= 0 && i < 660)).toBe(true);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(pickRows('random:20:7', 660)).toEqual(a);
    expect(pickRows('random:20:8', 660)).not.toEqual(a);
    expect(sampleRows(5, 50, 1)).toEqual([0, 1, 2, 3, 4]);
    // Every row can be drawn: over many seeds a sample of 1 out of 4 hits each row.
    const hits = new Set(Array.from({ length: 200 }, (_, s) => sampleRows(4, 1, s)[0]));
    expect([...hits].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('hub rows (datasets-server)', () => {
  const ref = { dataset: 'openai/gsm8k', config: 'main', split: 'test' };

  it('fetches page by page with progress, up to maxRows, in the rows API shape', async () => {
    const urls: string[] = [];
    // A fake hub inside a unit test: 230 rows, the real API's {rows: [{row_idx, row}], num_rows_total}.
    const fake = (async (url: string) => {
      urls.push(url);
      const q = new URL(url).searchParams;
      const off = Number(q.get('offset'));
      const len = Number(q.get('length'));
      const rows = Array.from({ length: Math.max(0, Math.min(len, 230 - off)) }, (_, i) => ({ row_idx: off + i, row: { question: `q${off + i}`, answer: `#### ${off + i}` }, truncated_cells: [] }));
      return new Response(JSON.stringify({ features: [], rows, num_rows_total: 230 }), { status: 200 });
    }) as unknown as typeof fetch;
    const progress: string[] = [];
    const rows = await fetchHubRows(ref, { fetch: fake, onProgress: (d, t) => progress.push(`${d}/${t}`) });
    expect(rows).toHaveLength(230);
    expect(progress).toEqual(['100/230', '200/230', '230/230']);
    expect(urls[1]).toBe('https://datasets-server.huggingface.co/rows?dataset=openai%2Fgsm8k&config=main&split=test&offset=100&length=100');
    const few = await fetchHubRows(ref, { fetch: fake, maxRows: 30 });
    expect(few.map((r) => r.question)).toEqual(Array.from({ length: 30 }, (_, i) => `q${i}`));
    expect(parseDatasetText(rowsToJsonl(few), hubName(ref), 'gsm8k')[29]!.answer).toBe('29');
    expect(parseHubName(hubName(ref))).toEqual(ref);
    expect(parseHubName('test_public.jsonl')).toBeNull();
  });

  it('a hub that never answers fails within the timeout, naming the fix', async () => {
    const hang = ((_url: string, init: RequestInit) =>
      new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as unknown as typeof fetch;
    const t0 = Date.now();
    const err = await fetchHubRows(ref, { fetch: hang, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).kind).toBe('offline');
    expect((err as Error).message).toMatch(/cannot reach the Hugging Face hub for openai\/gsm8k \(config main, split test\) \(no answer within 0\.3 s\).*import the file/);
    const notFound = (async () => new Response('{"error":"not found"}', { status: 404 })) as unknown as typeof fetch;
    await expect(fetchHubRows(ref, { fetch: notFound })).rejects.toThrow(/the hub has no rows for openai\/gsm8k .*HTTP 404/);
  });
});

describe('search spec and lesson links with a dataset', () => {
  it('a dataset row travels in the spec and is judged by its family verifier', () => {
    const [row] = parseDatasetText(jsonl(GSM), 'g.jsonl', 'gsm8k');
    const s = { ...DEFAULT_SETTINGS, useDataset: true, dataset: 'g.jsonl', datasetFamily: 'gsm8k', problem: 0 };
    const spec = toSpec(s, row);
    expect(spec.problem).toEqual({ family: 'gsm8k', dataset: 'g.jsonl', row });
    const { problem, verifier } = resolveSpec(structuredClone(spec));
    expect(problem.answer).toBe('18');
    // GSM8K accepts the answer after ####; the generic families would not.
    expect(verifier.verify(problem, 'so #### 18')).toEqual({ correct: true, extracted: '18', reason: 'match' });
    expect(verifier.verify(problem, '\\boxed{17}').reason).toBe('expected 18, got 17');
    expect(() => resolveSpec({ ...spec, problem: { family: 'nope', dataset: 'x', row: row! } })).toThrow(/unknown task "nope"/);
  });

  it('both views keep the dataset name, family and rows in the hash, never the data', () => {
    const s = { ...DEFAULT_SETTINGS, useDataset: true, dataset: 'test_public.jsonl', datasetFamily: 'math', problem: 12 };
    const hash = formatHash(Object.fromEntries(Object.entries(settingsToHash(s)).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])));
    expect(hash).toContain('ds=test_public.jsonl');
    expect(hash).toContain('dsfamily=math');
    expect(hash).not.toContain('problemset');
    const back = readSettings(parseHash(hash));
    expect([back.useDataset, back.dataset, back.datasetFamily, back.problem, back.custom]).toEqual([true, 'test_public.jsonl', 'math', 12, false]);
    const e = { ...settingsFromHash({}), fromDataset: true, dataset: 'hub:openai/gsm8k/main/test', datasetFamily: 'gsm8k', pick: 'random:20:7' };
    const eh = formatHash(Object.fromEntries(Object.entries(evalToHash(e)).filter(([, v]) => v !== undefined)) as Record<string, string>);
    const eb = settingsFromHash(parseHash(eh));
    expect([eb.fromDataset, eb.dataset, eb.datasetFamily, eb.pick]).toEqual([true, 'hub:openai/gsm8k/main/test', 'gsm8k', 'random:20:7']);
    expect(settingsFromHash({}).fromDataset).toBe(false);
  });

  it('a saved per-problem record keeps the verifier reason, and a non-string reason is refused', () => {
    const sample = { id: 'p#0', text: 't', tokens: 1, correct: false, extracted: null, reason: 'no \\boxed{} answer', answered: false, truncated: false, diagnostics: {} };
    const rec = { id: 'p', question: 'q', answer: '1', n: 1, correct: 0, samples: [sample] };
    const fail = (field: string, why: string): never => {
      throw new Error(`${field}: ${why}`);
    };
    expect(checkProblemRecord(rec, fail).samples[0]!.reason).toBe('no \\boxed{} answer');
    expect(() => checkProblemRecord({ ...rec, samples: [{ ...sample, reason: 42 }] }, fail)).toThrow("samples[0].reason: must be a string (the verifier's reason)");
  });
});
