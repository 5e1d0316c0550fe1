/**
 * IFEval (Zhou et al. 2023, google-research/instruction_following_eval): verifiable instructions
 * such as "answer in fewer than 50 words, no commas, end with 'Peace!'". A row carries several
 * instructions with their arguments; an output is correct when it follows every one of them under
 * IFEval's *strict* rules (the response as written, no loose-mode rewrites).
 *
 * The checks are reimplemented from the rules of IFEval's `instructions.py` (no code copied). Where
 * IFEval relies on Python libraries we approximate, and say so:
 * - Sentence counting (NLTK punkt) is a heuristic splitter: breaks after `.`/`?`/`!` plus closing
 *   quotes/brackets when whitespace follows; no break after common abbreviations (Mr., e.g., U.S.),
 *   single-letter initials, `...` before a lowercase word, or `1.` before a lowercase word.
 * - Word tokenising for capital-word counts (NLTK `word_tokenize`) splits on whitespace and
 *   punctuation (hyphens, apostrophes and inner periods stay in the word) and splits off
 *   contractions (`DON'T` → `DO`, `N'T`).
 * - Language identification (langdetect) is a script + stopword heuristic: the dominant script
 *   decides for single-language scripts (Thai, Hangul, Bengali, Tamil...); Devanagari (hi/mr/ne),
 *   Arabic (ar/fa/ur) and Cyrillic (ru/uk/bg) are told apart by letters and stopwords; Latin text by
 *   stopwords and diacritics (en, de, es, fr, it, pt, nl, pl, vi, sw, fi). Text with no letters is
 *   "undetermined", which IFEval also counts as followed (langdetect raises, IFEval passes).
 * - Keyword, forbidden-word, section-splitter and postscript-marker arguments are matched as
 *   literal text (IFEval passes them to `re` as patterns; the public data holds plain words only).
 * - `json.loads` accepts `NaN`/`Infinity`; `JSON.parse` does not.
 */
import { JsonlError } from '../core/jsonl.js';
import type { DatasetFamily, Problem, RowContext, Verdict } from './types.js';
import { WORD_CHAR, WS, countMatches, countSentences, countWords, escapeRe, inLanguage, isLower, isUpper, isWs, lstripChars, rstripChars, splitWs, strip, wordTokens } from './ifeval-text.js';

/** The structured data of an IFEval problem (`Problem.data`). */
export interface IfevalData {
  instruction_id_list: string[];
  /** One argument object per instruction; unused arguments may be null. */
  kwargs: Record<string, unknown>[];
}

type Kwargs = Record<string, unknown>;

/** A bad instruction argument (the instruction is then reported as not followed, with why). */
class KwargError extends Error {}


export { countWords, countSentences, detectLanguage } from './ifeval-text.js';

// ---------------------------------------------------------------------------------------------
// Argument access.

function int(kw: Kwargs, key: string): number {
  const v = kw[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new KwargError(`${key} must be an integer`);
  return v;
}
function str(kw: Kwargs, key: string): string {
  const v = kw[key];
  if (typeof v !== 'string' || strip(v) === '') throw new KwargError(`${key} must be a non-empty string`);
  return v;
}
function strList(kw: Kwargs, key: string): string[] {
  const v = kw[key];
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || x === '')) throw new KwargError(`${key} must be a list of words`);
  return v as string[];
}
/** `less than` → actual < threshold; `at least` → actual >= threshold. */
function compare(kw: Kwargs, relKey: string, actual: number, threshold: number): boolean {
  const rel = kw[relKey];
  if (rel === 'less than') return actual < threshold;
  if (rel === 'at least') return actual >= threshold;
  throw new KwargError(`${relKey} must be "less than" or "at least"`);
}

// ---------------------------------------------------------------------------------------------
// Line-oriented scans, linear-time equivalents of IFEval's regular expressions.

/**
 * Python `re.findall(r"^\s*X.*$", text, re.MULTILINE)` count, where `isMatch(p)` says whether a
 * match's X can start at p (the first non-space character reachable from a line start) and
 * returns the index where `.*` begins, or -1.
 */
function countLineMatches(text: string, isMatch: (p: number) => number): number {
  let n = 0;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let p = lineStart;
    while (p < text.length && isWs(text[p])) p++;
    if (p >= text.length) break;
    const from = isMatch(p);
    if (from >= 0) n++;
    // After a match, scanning resumes at the end of its line; otherwise every line start up to p
    // leads to the same p, so continue after it.
    const nl = text.indexOf('\n', from >= 0 ? from : p);
    if (nl < 0) break;
    lineStart = nl + 1;
  }
  return n;
}

/** `* item` lines (not `**bold`) plus `- item` lines, as IFEval counts bullet points. */
export function countBullets(text: string): number {
  const stars = countLineMatches(text, (p) => (text[p] === '*' && p + 1 < text.length && text[p + 1] !== '*' ? p + 2 : -1));
  const dashes = countLineMatches(text, (p) => (text[p] === '-' ? p + 1 : -1));
  return stars + dashes;
}

/** `[...]` on one line, non-greedy (IFEval's `\[.*?\]`). */
function countPlaceholders(text: string): number {
  let n = 0;
  let i = 0;
  for (;;) {
    const open = text.indexOf('[', i);
    if (open < 0) return n;
    const close = text.indexOf(']', open + 1);
    const nl = text.indexOf('\n', open + 1);
    if (close >= 0 && (nl < 0 || close < nl)) {
      n++;
      i = close + 1;
    } else if (nl >= 0) i = nl + 1;
    else return n;
  }
}

/** IFEval's `<<[^\n]+>>` with a non-blank title: at most one greedy match per line. */
function hasTitle(text: string): boolean {
  return text.split('\n').some((line) => {
    const i = line.indexOf('<<');
    const j = line.lastIndexOf('>>');
    return i >= 0 && j >= i + 3 && strip(rstripChars(lstripChars(line.slice(i, j + 2), '<'), '>')) !== '';
  });
}

function countHighlights(text: string): number {
  const single = (text.match(/\*[^\n*]*\*/g) ?? []).filter((h) => strip(rstripChars(lstripChars(h, '*'), '*')) !== '').length;
  const double = (text.match(/\*\*[^\n*]*\*\*/g) ?? []).filter((h) => strip(h.slice(2, -2)) !== '').length;
  return single + double;
}

/** Paragraphs split by the markdown divider `***`; -1 when an inner paragraph is empty. */
function countStarParagraphs(text: string): number {
  const parts = text.split(new RegExp(`${WS}?\\*\\*\\*${WS}?`));
  let n = parts.length;
  for (let i = 0; i < parts.length; i++) {
    if (strip(parts[i]!) !== '') continue;
    if (i === 0 || i === parts.length - 1) n--;
    else return -1;
  }
  return n;
}

/** A literal search with Python-style Unicode `\b` on both sides, ignoring case. */
function wordRegex(word: string): RegExp {
  const isW = (c: string | undefined) => c !== undefined && new RegExp(WORD_CHAR, 'u').test(c);
  const cps = [...word];
  const pre = isW(cps[0]) ? `(?<!${WORD_CHAR})` : `(?<=${WORD_CHAR})`;
  const post = isW(cps[cps.length - 1]) ? `(?!${WORD_CHAR})` : `(?=${WORD_CHAR})`;
  return new RegExp(pre + escapeRe(word) + post, 'iu');
}

function isJson(text: string): boolean {
  let v = strip(text);
  for (const prefix of ['```json', '```Json', '```JSON', '```']) if (v.startsWith(prefix)) v = v.slice(prefix.length);
  if (v.endsWith('```')) v = v.slice(0, -3);
  try {
    JSON.parse(strip(v));
    return true;
  } catch {
    return false;
  }
}

function twoResponses(text: string): boolean {
  const parts = text.split('******');
  const valid: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (strip(parts[i]!) !== '') valid.push(strip(parts[i]!));
    else if (i !== 0 && i !== parts.length - 1) return false;
  }
  return valid.length === 2 && valid[0] !== valid[1];
}

function nthParagraphFirstWord(text: string, kw: Kwargs): boolean {
  const want = int(kw, 'num_paragraphs');
  const nth = int(kw, 'nth_paragraph');
  const firstWord = str(kw, 'first_word').toLowerCase();
  if (nth <= 0 || nth > want) throw new KwargError('nth_paragraph must be between 1 and num_paragraphs');
  const paragraphs = text.split('\n\n');
  const count = paragraphs.filter((p) => strip(p) !== '').length;
  if (nth > count) return false;
  const paragraph = strip(paragraphs[nth - 1] ?? '');
  if (paragraph === '') return false;
  const word = lstripChars(lstripChars(splitWs(paragraph)[0] ?? '', "'"), '"');
  let first = '';
  for (const c of word) {
    if ('.,?!\'"'.includes(c)) break;
    first += c.toLowerCase();
  }
  return count === want && first === firstWord;
}

function postscript(text: string, kw: Kwargs): boolean {
  const marker = strip(str(kw, 'postscript_marker'));
  const lower = text.toLowerCase();
  if (marker === 'P.P.S') return new RegExp(`p\\.${WS}?p\\.${WS}?s`).test(lower);
  if (marker === 'P.S.') return new RegExp(`p\\.${WS}?s\\.`).test(lower);
  return lower.includes(marker.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// The instructions.

type Check = (response: string, kw: Kwargs) => boolean;

const CHECKS: Record<string, Check> = {
  'keywords:existence': (r, kw) => strList(kw, 'keywords').every((k) => new RegExp(escapeRe(k), 'iu').test(r)),
  'keywords:frequency': (r, kw) => {
    const keyword = strip(str(kw, 'keyword'));
    return compare(kw, 'relation', countMatches(r, new RegExp(escapeRe(keyword), 'giu')), int(kw, 'frequency'));
  },
  'keywords:forbidden_words': (r, kw) => !strList(kw, 'forbidden_words').some((w) => wordRegex(w).test(r)),
  'keywords:letter_frequency': (r, kw) => {
    const letter = strip(str(kw, 'letter')).toLowerCase();
    if ([...letter].length !== 1) throw new KwargError('letter must be one character');
    let n = 0;
    for (const c of r.toLowerCase()) if (c === letter) n++;
    return compare(kw, 'let_relation', n, int(kw, 'let_frequency'));
  },
  'language:response_language': (r, kw) => inLanguage(r, str(kw, 'language')),
  'length_constraints:number_sentences': (r, kw) => compare(kw, 'relation', countSentences(r), int(kw, 'num_sentences')),
  'length_constraints:number_paragraphs': (r, kw) => countStarParagraphs(r) === int(kw, 'num_paragraphs'),
  'length_constraints:number_words': (r, kw) => compare(kw, 'relation', countWords(r), int(kw, 'num_words')),
  'length_constraints:nth_paragraph_first_word': nthParagraphFirstWord,
  'detectable_content:number_placeholders': (r, kw) => countPlaceholders(r) >= int(kw, 'num_placeholders'),
  'detectable_content:postscript': postscript,
  'detectable_format:number_bullet_lists': (r, kw) => countBullets(r) === int(kw, 'num_bullets'),
  'detectable_format:constrained_response': (r) => ['My answer is yes.', 'My answer is no.', 'My answer is maybe.'].some((o) => r.includes(o)),
  'detectable_format:number_highlighted_sections': (r, kw) => countHighlights(r) >= int(kw, 'num_highlights'),
  'detectable_format:multiple_sections': (r, kw) => {
    const splitter = escapeRe(strip(str(kw, 'section_spliter')));
    return countMatches(r, new RegExp(`${WS}?${splitter}${WS}?\\p{Nd}+${WS}?`, 'gu')) >= int(kw, 'num_sections');
  },
  'detectable_format:json_format': (r) => isJson(r),
  'detectable_format:title': (r) => hasTitle(r),
  'combination:two_responses': (r) => twoResponses(r),
  'combination:repeat_prompt': (r, kw) => strip(r).toLowerCase().startsWith(strip(str(kw, 'prompt_to_repeat')).toLowerCase()),
  'startend:end_checker': (r, kw) => rstripChars(lstripChars(strip(r), '"'), '"').toLowerCase().endsWith(strip(str(kw, 'end_phrase')).toLowerCase()),
  'startend:quotation': (r) => {
    const v = strip(r);
    return v.length > 1 && v.startsWith('"') && v.endsWith('"');
  },
  'change_case:capital_word_frequency': (r, kw) => compare(kw, 'capital_relation', wordTokens(r).filter(isUpper).length, int(kw, 'capital_frequency')),
  'change_case:english_capital': (r) => isUpper(r) && inLanguage(r, 'en'),
  'change_case:english_lowercase': (r) => isLower(r) && inLanguage(r, 'en'),
  'punctuation:no_comma': (r) => !r.includes(','),
};

/** The instruction ids this verifier implements (all 25 of IFEval's public set). */
export const IFEVAL_SUPPORTED: readonly string[] = Object.freeze(Object.keys(CHECKS));

/** How one instruction fared: followed, not followed (with an optional note), or unsupported. */
export interface InstructionResult {
  id: string;
  status: 'followed' | 'failed' | 'unsupported';
  /** Why a check could not run (bad arguments), when that is the reason it failed. */
  note?: string;
}

/**
 * Check each instruction against `response` under IFEval's strict rules (an empty or all-blank
 * response follows nothing). Never throws.
 */
export function checkInstructions(ids: readonly string[], kwargs: readonly unknown[], response: string): InstructionResult[] {
  const blank = strip(response) === '';
  return ids.map((id, i) => {
    const check = Object.prototype.hasOwnProperty.call(CHECKS, id) ? CHECKS[id] : undefined;
    if (!check) return { id, status: 'unsupported' };
    const raw = kwargs[i];
    const kw: Kwargs = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Kwargs) : {};
    try {
      return { id, status: !blank && check(response, kw) ? 'followed' : 'failed' };
    } catch (e) {
      return { id, status: 'failed', note: e instanceof KwargError ? `bad kwargs: ${e.message}` : `checker error: ${String(e)}` };
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The dataset family.

function fromRow(row: Record<string, unknown>, ctx: RowContext): Problem {
  const fail = (field: string, why: string): never => {
    throw new JsonlError(ctx.file, ctx.line, field, why);
  };
  const prompt = row.prompt;
  if (typeof prompt !== 'string' || strip(prompt) === '') fail('prompt', prompt === undefined ? 'is missing' : 'must be a non-empty string');
  const ids = row.instruction_id_list;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((x) => typeof x !== 'string' || x === ''))
    fail('instruction_id_list', ids === undefined ? 'is missing' : 'must be a non-empty array of instruction id strings');
  const kwargs = row.kwargs;
  if (!Array.isArray(kwargs) || kwargs.some((k) => typeof k !== 'object' || k === null || Array.isArray(k)))
    fail('kwargs', kwargs === undefined ? 'is missing' : 'must be an array of objects (one per instruction)');
  const idList = ids as string[];
  const kwList = kwargs as Record<string, unknown>[];
  if (kwList.length !== idList.length) fail('kwargs', `has ${kwList.length} entries but instruction_id_list has ${idList.length}`);
  const key = row.key;
  if (key !== undefined && key !== null && !(typeof key === 'string' && key !== '') && !(typeof key === 'number' && Number.isFinite(key)))
    fail('key', 'must be a number or a non-empty string');
  const id = key === undefined || key === null ? String(ctx.index) : String(key);
  const data: IfevalData = { instruction_id_list: [...idList], kwargs: kwList.map((k) => ({ ...k })) };
  return { id, family: 'ifeval', question: prompt as string, answer: '', data };
}

function verify(problem: Problem, output: string): Verdict {
  try {
    const data = problem.data as Partial<IfevalData> | undefined;
    const ids = data?.instruction_id_list;
    if (!Array.isArray(ids) || !Array.isArray(data?.kwargs) || ids.some((x) => typeof x !== 'string'))
      return { correct: false, extracted: null, reason: 'malformed problem: no instruction list' };
    const results = checkInstructions(ids, data.kwargs, typeof output === 'string' ? output : '');
    const followed = results.filter((r) => r.status === 'followed').length;
    const extracted = `${followed}/${results.length}`;
    const unsupported = results.filter((r) => r.status === 'unsupported').map((r) => r.id);
    const failed = results.filter((r) => r.status === 'failed').map((r) => (r.note ? `${r.id} (${r.note})` : r.id));
    if (unsupported.length === 0 && failed.length === 0) return { correct: true, extracted, reason: `all ${results.length} instructions followed` };
    const parts: string[] = [];
    if (unsupported.length > 0) parts.push(`unsupported instruction: ${unsupported.join(', ')}`);
    if (failed.length > 0) parts.push(`failed: ${failed.join(', ')}`);
    return { correct: false, extracted, reason: parts.join('; ') };
  } catch (e) {
    return { correct: false, extracted: null, reason: `verifier error: ${String(e)}` };
  }
}

/**
 * IFEval as a dataset family. Rows are Google's `input_data.jsonl` (`key`, `prompt`,
 * `instruction_id_list`, `kwargs`); the Problem has no reference answer (`answer` is '') and keeps
 * the instructions in `data` ({@link IfevalData}). `verify` is correct when every instruction is
 * followed (strict mode); `extracted` is `followed/total` (e.g. "2/3"); `reason` is
 * "all N instructions followed", or names the failures: "failed: punctuation:no_comma, ...", and
 * "unsupported instruction: ID" for ids outside {@link IFEVAL_SUPPORTED}. Never throws.
 */
export const ifeval: DatasetFamily = {
  name: 'ifeval',
  description: 'IFEval: follow verifiable instructions (word counts, formats, keywords, case, language); strict checking.',
  fromRow,
  verify,
};

