import { JsonlError } from '../core/jsonl.js';
import { close, numberOf, symbolicEqual } from './math-eval.js';
import { MAX_LEN, normalizeMathAnswer } from './math-normalize.js';
import type { RowContext, Verdict } from './types.js';

export { normalizeMathAnswer } from './math-normalize.js';
export { mathValue } from './math-eval.js';

/**
 * Answer normalisation and equivalence for competition maths (MATH-500, GSM8K, AIME).
 *
 * Both the reference and the model's answer are normalised (LaTeX spacing, `\left`/`\right`,
 * `\dfrac`, `\text{...}` and trailing units, degrees, percent, dollar signs, `x =`, thousands
 * separators, multiple-choice letters...). Equal strings match; otherwise the answers are compared
 * structurally (unions, matrices, tuples and intervals elementwise, sets and bare lists as
 * multisets, `a \pm b` as the pair of its values) and scalars numerically with a small safe
 * evaluator (+ - * / ^, `\frac`, `\sqrt`, `\pi`, parentheses; no eval()), to a relative tolerance
 * of 1e-6 (integers exactly). Expressions in one-letter variables (`2k+2`, `p - q`, and `xyz` as a
 * product outside `\text{}`) are compared by evaluating both at a few fixed points. Nothing here throws on any input.
 */

/** Split at top-level (bracket depth 0) occurrences of `sep`. */
function splitTop(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** The outer brackets of `s` when one pair encloses all of it: `(1,2]`, `[a,b]`, `\{1,2\}`. */
function enclosed(s: string): { open: string; close: string; inner: string } | null {
  let open: string;
  let closeB: string;
  let inner: string;
  if (s.startsWith('\\{') && s.endsWith('\\}') && s.length >= 4) {
    open = '\\{';
    closeB = '\\}';
    inner = s.slice(2, -2);
  } else if ((s[0] === '(' || s[0] === '[') && (s.endsWith(')') || s.endsWith(']')) && s.length >= 2) {
    open = s[0];
    closeB = s.slice(-1);
    inner = s.slice(1, -1);
  } else return null;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0 && i < s.length - 1) return null;
    }
  }
  return depth === 0 ? { open, close: closeB, inner } : null;
}

/** A tuple, point or interval: round or square brackets around two or more items. */
function tupleOf(s: string): { open: string; close: string; items: string[] } | null {
  const e = enclosed(s);
  if (!e || e.open === '\\{') return null;
  const items = splitTop(e.inner, ',');
  return items.length >= 2 ? { open: e.open, close: e.close, items } : null;
}

/** Rows of cells of a `pmatrix`/`bmatrix`/`matrix`/`array`, or null. */
function matrixOf(s: string): string[][] | null {
  const m = /^\\begin\{([pbBvV]?matrix|array)\}(?:\{[^{}]*\})?([\s\S]*)\\end\{\1\}$/.exec(s);
  if (!m) return null;
  return (m[2] ?? '')
    .split('\\\\')
    .filter((r) => r !== '')
    .map((r) => r.split('&'));
}

/** Items of a set or a bare comma list, with each `a \pm b` expanded to `a+b` and `a-b`. */
function unorderedItems(s: string): string[] {
  const e = enclosed(s);
  const items = e && e.open === '\\{' ? splitTop(e.inner, ',') : splitTop(s, ',');
  const out: string[] = [];
  for (const it of items) {
    const pm = it.split(/\\(?:pm|mp)(?![A-Za-z])/);
    if (pm.length === 2) out.push(`${pm[0] ?? ''}+${pm[1] ?? ''}`, `${pm[0] ?? ''}-${pm[1] ?? ''}`);
    else out.push(it);
  }
  return out;
}

/** Whether every item of `xs` pairs with a distinct equal item of `ys` (same length). */
function matchAll(xs: string[], ys: string[], eq: (x: string, y: string) => boolean): boolean {
  if (xs.length > 32) return false;
  const used = new Array<boolean>(ys.length).fill(false);
  return xs.every((x) => {
    const k = ys.findIndex((y, j) => !used[j] && eq(x, y));
    if (k < 0) return false;
    used[k] = true;
    return true;
  });
}

/** A scalar times a matrix (`2\begin{pmatrix}1\\2\end{pmatrix}`) as the matrix of products, or null. */
function scaledMatrix(s: string, runs: boolean): string[][] | null {
  const at = s.indexOf('\\begin{');
  if (at <= 0) return null;
  const k = s.slice(0, at).replace(/\*$|\\cdot$|\\times$/, '');
  const m = matrixOf(s.slice(at));
  if (!m || k === '' || /\\begin|[=,]/.test(k)) return null;
  const factor = k === '-' ? '-1' : k;
  // The factor must be a number or an expression the evaluator can compute (a symbol times a matrix).
  const scalar = numberOf(factor) !== null || symbolicEqual(factor, factor, runs);
  if (!scalar) return null;
  return m.map((row) => row.map((cell) => `(${factor})*(${cell})`));
}

function scalarEqual(a: string, b: string, runs: boolean): boolean {
  if (a === b) return true;
  const x = numberOf(a);
  const y = numberOf(b);
  if (x !== null && y !== null) return close(x, y);
  if (x !== null || y !== null) return false;
  return symbolicEqual(a, b, runs);
}

/** `runs`: whether letter runs like `xyz` may be read as products (false for `\text{}` answers). */
function structEqual(a: string, b: string, depth: number, runs: boolean): boolean {
  if (a === b) return true;
  if (depth > 6 || a === '' || b === '') return false;
  // A union is the same set in any order of its parts.
  const ua = splitTop(a, '\\cup');
  const ub = splitTop(b, '\\cup');
  if (ua.length > 1 || ub.length > 1) return ua.length === ub.length && matchAll(ua, ub, (x, y) => structEqual(x, y, depth + 1, runs));
  // An equation is the same with its sides swapped, and each side compares as an expression.
  const ea = splitTop(a, '=');
  const eb = splitTop(b, '=');
  if (ea.length > 1 || eb.length > 1) {
    if (ea.length !== 2 || eb.length !== 2) return false;
    const [la = '', ra = ''] = ea;
    const [lb = '', rb = ''] = eb;
    return (structEqual(la, lb, depth + 1, runs) && structEqual(ra, rb, depth + 1, runs)) || (structEqual(la, rb, depth + 1, runs) && structEqual(ra, lb, depth + 1, runs));
  }
  const ma = scaledMatrix(a, runs) ?? matrixOf(a);
  const mb = scaledMatrix(b, runs) ?? matrixOf(b);
  if (ma || mb) {
    if (!ma || !mb || ma.length !== mb.length) return false;
    return ma.every((row, i) => {
      const other = mb[i] ?? [];
      return row.length === other.length && row.every((cell, j) => structEqual(cell, other[j] ?? '', depth + 1, runs));
    });
  }
  const ta = tupleOf(a);
  const tb = tupleOf(b);
  if (ta || tb) {
    if (!ta || !tb || ta.open !== tb.open || ta.close !== tb.close || ta.items.length !== tb.items.length) return false;
    return ta.items.every((x, i) => structEqual(x, tb.items[i] ?? '', depth + 1, runs));
  }
  const la = unorderedItems(a);
  const lb = unorderedItems(b);
  if (la.length > 1 || lb.length > 1) {
    if (la.length !== lb.length || la.length > 32) return false;
    return matchAll(la, lb, (x, y) => structEqual(x, y, depth + 1, runs));
  }
  const sa = la[0] ?? a;
  const sb = lb[0] ?? b;
  return scalarEqual(sa, sb, runs);
}

/**
 * Whether a model's answer is mathematically the same as the reference answer (both as written
 * inside `\boxed{}`): equal after normalisation, or equal structurally and numerically (relative
 * tolerance 1e-6; two integers must be equal). Never throws.
 */
export function mathEquivalent(reference: string, candidate: string, context: { question?: string } = {}): boolean {
  try {
    if (reference.trim() === candidate.trim()) return true;
    if (reference.length > MAX_LEN || candidate.length > MAX_LEN) return false;
    const a = normalizeMathAnswer(reference);
    const b = normalizeMathAnswer(candidate);
    if (structEqual(a, b, 0, !TEXT_RE.test(reference + candidate))) return true;
    // Words in \text{} differing only in case: `\text{Even}` is `\text{even}`.
    if (TEXT_RE.test(reference + candidate) && WORDS_RE.test(a) && WORDS_RE.test(b)) return a.toLowerCase() === b.toLowerCase();
    // A probability or fraction answered as a percent (or the other way round): 50\% is 1/2.
    const pa = PERCENT_RE.test(reference);
    const pb = PERCENT_RE.test(candidate);
    if (pa !== pb && ASKS_FRACTION_RE.test(context.question ?? '')) {
      const x = numberOf(a);
      const y = numberOf(b);
      if (x === null || y === null) return false;
      const [fraction, percent] = pa ? [y, x] : [x, y];
      return fraction >= 0 && fraction <= 1 && close(fraction, percent / 100);
    }
    return false;
  } catch {
    return false;
  }
}

const TEXT_RE = /\\(?:text|textrm|textnormal|textbf|textit|mbox|mathrm)\s*\{/;
/** Two or more letters of words (no digits, no commands): a text answer. */
const WORDS_RE = /^[A-Za-z][A-Za-z ,.'-]*[A-Za-z.]$/;
const PERCENT_RE = /\\?%/;
const ASKS_FRACTION_RE = /probabilit|fraction|chance|likelihood|proportion/i;

// ---------------------------------------------------------------------------------------------
// Shared by the maths dataset families (gsm8k.ts, math.ts, aime.ts).

/**
 * The Problem id of a dataset row: its `unique_id`, `id` or `key` field (string or number) when
 * present, else the row index. Throws a JsonlError for an id field of the wrong type.
 */
export function rowId(row: Record<string, unknown>, ctx: RowContext): string {
  for (const field of ['unique_id', 'id', 'key']) {
    const v = row[field];
    if (v === undefined || v === null) continue;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'string' && v.trim() !== '') return v;
    throw new JsonlError(ctx.file, ctx.line, field, `must be a non-empty string or a number, got ${JSON.stringify(v)?.slice(0, 40) ?? typeof v}`);
  }
  return String(ctx.index);
}

/**
 * The first present field among `fields` as text (finite numbers are stringified). Throws a
 * JsonlError naming the first field when none is present, or the field that is ill-typed.
 */
export function rowText(row: Record<string, unknown>, ctx: RowContext, fields: readonly string[]): string {
  for (const field of fields) {
    const v = row[field];
    if (v === undefined) continue;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'string' && v.trim() !== '') return v;
    throw new JsonlError(ctx.file, ctx.line, field, `must be a non-empty string, got ${JSON.stringify(v)?.slice(0, 40) ?? typeof v}`);
  }
  throw new JsonlError(ctx.file, ctx.line, fields[0] ?? null, 'is missing');
}

/** Run a verifier body, turning any unexpected exception into a rejecting Verdict. */
export function safeVerdict(body: () => Verdict): Verdict {
  try {
    return body();
  } catch (e) {
    return { correct: false, extracted: null, reason: `could not judge the answer (${e instanceof Error ? e.message : String(e)})` };
  }
}
