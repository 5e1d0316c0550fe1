import { JsonlError } from '../core/jsonl.js';
import type { RowContext, Verdict } from './types.js';

/**
 * Answer normalisation and equivalence for competition maths (MATH-500, GSM8K, AIME).
 *
 * Both the reference and the model's answer are normalised (LaTeX spacing, `\left`/`\right`,
 * `\dfrac`, `\text{...}` and trailing units, degrees, percent, dollar signs, `x =`, thousands
 * separators, multiple-choice letters...). Equal strings match; otherwise the answers are compared
 * structurally (unions, matrices, tuples and intervals elementwise, sets and bare lists as
 * multisets, `a \pm b` as the pair of its values) and scalars numerically with a small safe
 * evaluator (+ - * / ^, `\frac`, `\sqrt`, `\pi`, parentheses; no eval()), to a relative tolerance
 * of 1e-6 (integers exactly). Expressions in one-letter variables (`2k+2`, `p - q`) are compared by evaluating both
 * at a few fixed points. Nothing here throws on any input.
 */

/** Answers longer than this are compared as trimmed strings only. */
const MAX_LEN = 1000;

/** Relative tolerance of numeric comparison. */
const REL_TOL = 1e-6;

/** Commands whose braced argument is plain text, unwrapped during normalisation. */
const TEXT_COMMANDS = ['text', 'textrm', 'textnormal', 'textbf', 'textit', 'textup', 'textsf', 'mbox', 'hbox', 'mathrm', 'mathbf', 'mathit', 'mathsf', 'operatorname'];

/** A trailing `\text{ cm}^2` (unit words in a text command), possibly squared or cubed. */
const UNIT_TEXT_RE = /\\(?:text|textrm|textnormal|textit|mbox|hbox|mathrm)\s*\{\s*([A-Za-z][A-Za-z.\s]*)\}\s*(?:\^\s*\{?\s*[23]\s*\}?)?\s*\.?\s*$/;

/** Unit words stripped when they trail a number: `15 cm`, `5.4 cents`, `10 square units`. */
const UNIT_WORDS =
  'square|sq|cubic|cm|centimeters?|centimetres?|mm|millimeters?|millimetres?|km|kilometers?|kilometres?|meters?|metres?|' +
  'inch(?:es)?|feet|foot|ft|yards?|miles?|mph|units?|degrees?|radians?|cents?|dollars?|pounds?|lbs?|kg|kilograms?|grams?|' +
  'ounces?|oz|liters?|litres?|ml|gallons?|hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|percent';
const UNIT_WORD_RE = new RegExp(`(?<![A-Za-z\\\\])(?:${UNIT_WORDS})\\.?(?:\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?)?\\s*$`, 'i');

/** Index just past the brace group that opens at `s[open] === '{'`, or -1 when it never closes. */
function groupEnd(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    const c = s[j];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return j + 1;
  }
  return -1;
}

/** Replace `\name{content}` by `content` for the given command names (brace-matched). */
function unwrapCommands(s: string, names: readonly string[]): string {
  const re = new RegExp(`\\\\(?:${names.join('|')})\\s*\\{`);
  let out = s;
  for (let guard = 0; guard < 200; guard++) {
    const m = re.exec(out);
    if (!m) break;
    const open = m.index + m[0].length - 1;
    const end = groupEnd(out, open);
    out = end < 0 ? out.slice(0, m.index) + out.slice(open + 1) : out.slice(0, m.index) + out.slice(open + 1, end - 1) + out.slice(end);
  }
  return out;
}

/** Drop trailing `\text{ unit}` groups that follow something (`\frac{270}7\text{ degrees}`). */
function stripUnitText(s: string): string {
  let out = s;
  for (let guard = 0; guard < 5; guard++) {
    const m = UNIT_TEXT_RE.exec(out);
    if (!m) break;
    const before = out.slice(0, m.index).trim();
    const word = (m[1] ?? '').trim().toLowerCase();
    if (before === '' || word === 'and' || word === 'or') break;
    out = before;
  }
  return out;
}

/** Drop trailing plain unit words after a number or a closed group (`5.4 cents`, `12 sq ft`). */
function stripUnitWords(s: string): string {
  let out = s;
  for (let guard = 0; guard < 5; guard++) {
    const m = UNIT_WORD_RE.exec(out);
    if (!m) break;
    const before = out.slice(0, m.index).trimEnd();
    if (!/(?:[\d})\]]|\\pi)$/.test(before)) break;
    out = before;
  }
  return out;
}

/** Brace the arguments of `\frac12`, `\frac{1}2`, `\frac\pi4` so they compare as `\frac{1}{2}`. */
function fixFracs(s: string, depth = 0): string {
  if (depth > 50) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('\\frac', i) && !/[A-Za-z]/.test(s[i + 5] ?? '')) {
      out += '\\frac';
      i += 5;
      for (let k = 0; k < 2 && i < s.length; k++) {
        const c = s[i] ?? '';
        if (c === '{') {
          const end = groupEnd(s, i);
          if (end < 0) break;
          out += `{${fixFracs(s.slice(i + 1, end - 1), depth + 1)}}`;
          i = end;
        } else if (c === '\\') {
          const cmd = /^\\[A-Za-z]+/.exec(s.slice(i, i + 40));
          if (!cmd) break;
          out += `{${cmd[0]}}`;
          i += cmd[0].length;
        } else if (/[0-9A-Za-z]/.test(c)) {
          out += `{${c}}`;
          i += 1;
        } else break;
      }
    } else {
      out += s[i] ?? '';
      i++;
    }
  }
  return out;
}

/**
 * Normalise a final answer for comparison: strips LaTeX spacing, `\left`/`\right`, `$` and `\$`,
 * degrees, percent signs, `\text{...}` wrappers and trailing units, a leading `x =`, thousands
 * separators and whitespace; rewrites `\dfrac`/`\tfrac` as `\frac`, braces `\frac12` and `\sqrt2`,
 * turns `a/b` into `\frac{a}{b}` and multiple-choice letters into `(A)`. Never throws.
 */
export function normalizeMathAnswer(raw: string): string {
  let s = raw.trim();
  if (s.length > MAX_LEN) return s;
  s = unwrapCommands(s, ['boxed', 'fbox', 'framebox']);
  s = s.replace(/\s+/g, ' ');
  // `\,` `\!` `\;` `\:` `\ ` are spacing; a `\\` (matrix row break) is kept as it is.
  s = s.replace(/\\\\|\\[,!;: ]/g, (m) => (m === '\\\\' ? m : ' '));
  s = s.replace(/~/g, ' ');
  s = s.replace(/\\(?:q?quad|displaystyle|textstyle|scriptstyle|limits)(?![A-Za-z])/g, ' ');
  s = s.replace(/\\(?:left|right|[bB]igg?[lr]?)(?:\.|(?![A-Za-z]))/g, '');
  s = s.replace(/\\[dt]frac(?![A-Za-z])/g, '\\frac');
  s = s.replace(/\\\$/g, '').replace(/\$/g, '');
  s = s.replace(/[\u2212\u2013]/g, '-').replace(/\u00d7/g, '\\times ').replace(/[\u00b7\u22c5]/g, '\\cdot ');
  s = s.replace(/\u03c0/g, '\\pi ').replace(/\u221e/g, '\\infty ').replace(/\u221a/g, '\\sqrt');
  // Degrees and percent.
  s = s.replace(/\^\s*\{\s*\\circ\s*\}/g, '').replace(/\^\s*\\circ(?![A-Za-z])/g, '').replace(/\\degree(?![A-Za-z])/g, '').replace(/\u00b0/g, '');
  s = s.replace(/\\%/g, '').replace(/%/g, '');
  // "2 and 3" lists, then units, then text wrappers.
  s = s.replace(/\\(?:text|mbox)\s*\{\s*(?:and|or)\s*\}/g, ',').replace(/\s+(?:and|or)\s+/g, ',');
  s = stripUnitText(s);
  s = unwrapCommands(s, TEXT_COMMANDS);
  s = stripUnitWords(s).trim();
  // A single-variable answer written as an equation: `x = 5`, `k=2`, `\theta = \pi`.
  const eq = /^(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{?\w+\}?)?\s*=\s*([^=]*)$/.exec(s);
  if (eq) s = eq[1] ?? '';
  s = s.replace(/\s+/g, '');
  s = s.replace(/\.+$/, '');
  s = s.replace(/\{,\}/g, ',').replace(/\{\}/g, '');
  s = s.replace(/\\(?:emptyset|varnothing)(?![A-Za-z])|\u2205/g, '\\emptyset');
  s = s.replace(/\\([lg]e)q(?![A-Za-z])/g, '\\$1');
  s = s.replace(/(^|[([,])\+/g, '$1');
  s = s.replace(/\\sqrt(?![{[])([0-9A-Za-z])/g, '\\sqrt{$1}');
  s = fixFracs(s);
  s = s.replace(/\^\{(\w)\}/g, '^$1').replace(/_\{(\w+)\}/g, '_$1');
  const slash = /^(-?)(\d+)\/(\d+)$/.exec(s);
  if (slash) s = `${slash[1]}\\frac{${slash[2]}}{${slash[3]}}`;
  s = s.replace(/(^|[^\d.])\.(\d)/g, (_m, pre: string, d: string) => `${pre}0.${d}`);
  if (/^-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  const letter = /^\(?([A-Ea-e])\)?$/.exec(s);
  if (letter) s = `(${(letter[1] ?? '').toUpperCase()})`;
  return s;
}

/** Internal parse failure of the evaluator. */
class EvalFail extends Error {}

/**
 * Value of a normalised expression, NaN when it parses but has no real value (`\sqrt{-1}`),
 * or null when it does not parse. `vars` gives values to one-letter variables; without it any
 * letter fails the parse.
 */
function evaluate(s: string, vars: ReadonlyMap<string, number> | null): number | null {
  if (s === '' || s.length > MAX_LEN) return null;
  let pos = 0;
  let steps = 0;
  const fail = (): never => {
    throw new EvalFail('parse');
  };
  const at = (t: string): boolean => s.startsWith(t, pos);
  const cmd = (name: string): boolean => {
    if (s.startsWith(`\\${name}`, pos)) {
      pos += name.length + 1;
      return true;
    }
    return false;
  };
  const tick = (): void => {
    if (++steps > 20_000) fail();
  };
  const startsPrimary = (): boolean => {
    const c = s[pos];
    if (c === undefined) return false;
    if (/[0-9A-Za-z([{]/.test(c)) return true;
    return at('\\frac') || at('\\sqrt') || at('\\pi') || at('\\infty');
  };

  let depth = 0;
  const expr = (): number => {
    if (++depth > 150) fail();
    let v = term();
    for (;;) {
      if (at('+')) {
        pos++;
        v += term();
      } else if (at('-')) {
        pos++;
        v -= term();
      } else break;
    }
    depth--;
    return v;
  };
  const term = (): number => {
    let v = unary();
    for (;;) {
      tick();
      if (at('*')) {
        pos++;
        v *= unary();
      } else if (cmd('cdot') || cmd('times')) v *= unary();
      else if (at('/')) {
        pos++;
        v /= unary();
      } else if (cmd('div')) v /= unary();
      else if (startsPrimary()) v *= power();
      else break;
    }
    return v;
  };
  const unary = (): number => {
    tick();
    if (at('-')) {
      pos++;
      return -unary();
    }
    if (at('+')) {
      pos++;
      return unary();
    }
    return power();
  };
  const power = (): number => {
    const base = postfix();
    if (at('^')) {
      pos++;
      return Math.pow(base, exponent());
    }
    return base;
  };
  const exponent = (): number => {
    tick();
    if (at('-')) {
      pos++;
      return -exponent();
    }
    if (at('+')) {
      pos++;
      return exponent();
    }
    const b = postfix();
    if (at('^')) {
      pos++;
      return Math.pow(b, exponent());
    }
    return b;
  };
  const postfix = (): number => {
    let v = primary();
    while (at('!')) {
      pos++;
      if (!Number.isInteger(v) || v < 0 || v > 170) fail();
      let f = 1;
      for (let k = 2; k <= v; k++) f *= k;
      v = f;
    }
    return v;
  };
  const closeWith = (chars: string): void => {
    const c = s[pos];
    if (c === undefined || !chars.includes(c)) fail();
    pos++;
  };
  const root = (a: number, n: number): number => {
    if (n === 2) return Math.sqrt(a);
    if (a < 0 && Number.isInteger(n) && Math.abs(n % 2) === 1) return -Math.pow(-a, 1 / n);
    return Math.pow(a, 1 / n);
  };
  const primary = (): number => {
    tick();
    const c = s[pos];
    if (c === undefined) return fail();
    if (/[0-9.]/.test(c)) {
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)/.exec(s.slice(pos, pos + 400));
      if (!m) return fail();
      pos += m[0].length;
      return Number(m[0]);
    }
    if (c === '(' || c === '[') {
      pos++;
      const v = expr();
      closeWith(')]');
      return v;
    }
    if (c === '{') {
      pos++;
      const v = expr();
      closeWith('}');
      return v;
    }
    if (cmd('frac')) {
      const a = arg();
      return a / arg();
    }
    if (cmd('sqrt')) {
      let n = 2;
      if (at('[')) {
        pos++;
        n = expr();
        closeWith(']');
      }
      return root(arg(), n);
    }
    if (cmd('pi')) return Math.PI;
    if (cmd('infty')) return Infinity;
    if (/[A-Za-z]/.test(c)) {
      const v = vars?.get(c);
      if (v === undefined) return fail();
      pos++;
      return v;
    }
    return fail();
  };
  // A LaTeX argument: a braced group, or a single digit, letter or command.
  const arg = (): number => {
    const c = s[pos];
    if (c === undefined) return fail();
    if (c === '{' || c === '\\') return primary();
    if (/[0-9]/.test(c)) {
      pos++;
      return Number(c);
    }
    if (/[A-Za-z]/.test(c)) return primary();
    return fail();
  };

  try {
    const v = expr();
    return pos === s.length ? v : null;
  } catch {
    // EvalFail, or a RangeError from very deep nesting: either way it does not parse.
    return null;
  }
}

/** Value of a normalised answer that is a plain number or numeric expression (mixed numbers too). */
function numberOf(s: string): number | null {
  const mixed = /^(-?)(\d+)\\frac\{(\d+)\}\{(\d+)\}$/.exec(s);
  if (mixed) {
    const v = Number(mixed[2]) + Number(mixed[3]) / Number(mixed[4]);
    return mixed[1] === '-' ? -v : v;
  }
  const v = evaluate(s, null);
  if (v === null || Number.isNaN(v)) return null;
  // Infinity only as written (`-\infty`), not from an overflow like 2^2^2^2^2^2.
  return Number.isFinite(v) || /^-?\\infty$/.test(s) ? v : null;
}

/**
 * Numeric value of an answer written as a number or a closed-form expression (`\frac{1}{2}`,
 * `3\sqrt{13}`, `288\pi`, `2^{10}`, `137 \frac{1}{2}`, `\$18.90`, `90^\circ`), or null when it
 * is not numeric. Never throws.
 */
export function mathValue(text: string): number | null {
  try {
    return numberOf(normalizeMathAnswer(text));
  } catch {
    return null;
  }
}

/**
 * True when two numbers agree to the relative tolerance (equal infinities agree). Two integers
 * must be equal: 11111111101 is not 11111111100, however close.
 */
function close(a: number, b: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) return false;
  return Math.abs(a - b) <= Math.max(REL_TOL * Math.max(Math.abs(a), Math.abs(b)), 1e-12);
}

/** The one-letter variables of an expression, or null if it has words or unknown commands. */
function variablesOf(s: string): Set<string> | null {
  const vars = new Set<string>();
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c === '\\') {
      const m = /^\\[A-Za-z]+/.exec(s.slice(i, i + 40));
      if (!m || !/^\\(?:frac|sqrt|pi|infty|cdot|times|div)$/.test(m[0])) return null;
      i += m[0].length - 1;
      run = 0;
    } else if (/[A-Za-z]/.test(c)) {
      if (++run >= 3) return null;
      vars.add(c);
    } else run = 0;
  }
  return vars;
}

/** Compare two expressions in the same one-letter variables at a few fixed points. */
function symbolicEqual(a: string, b: string): boolean {
  const va = variablesOf(a);
  const vb = variablesOf(b);
  if (!va || !vb || va.size === 0 || va.size > 4 || va.size !== vb.size) return false;
  for (const v of va) if (!vb.has(v)) return false;
  const names = [...va].sort();
  let agreed = 0;
  for (let t = 0; t < 4; t++) {
    const env = new Map(names.map((n, k) => [n, 0.3 + 1.7 * Math.abs(Math.sin(12.9898 * (k + 1) + 78.233 * (t + 1)))] as const));
    const x = evaluate(a, env);
    const y = evaluate(b, env);
    if (x === null || y === null) return false;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (!close(x, y)) return false;
    agreed++;
  }
  return agreed >= 2;
}

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

function scalarEqual(a: string, b: string): boolean {
  if (a === b) return true;
  const x = numberOf(a);
  const y = numberOf(b);
  if (x !== null && y !== null) return close(x, y);
  if (x !== null || y !== null) return false;
  return symbolicEqual(a, b);
}

function structEqual(a: string, b: string, depth: number): boolean {
  if (a === b) return true;
  if (depth > 6 || a === '' || b === '') return false;
  const ua = splitTop(a, '\\cup');
  const ub = splitTop(b, '\\cup');
  if (ua.length > 1 || ub.length > 1) return ua.length === ub.length && ua.every((x, i) => structEqual(x, ub[i] ?? '', depth + 1));
  const ma = matrixOf(a);
  const mb = matrixOf(b);
  if (ma || mb) {
    if (!ma || !mb || ma.length !== mb.length) return false;
    return ma.every((row, i) => {
      const other = mb[i] ?? [];
      return row.length === other.length && row.every((cell, j) => structEqual(cell, other[j] ?? '', depth + 1));
    });
  }
  const ta = tupleOf(a);
  const tb = tupleOf(b);
  if (ta || tb) {
    if (!ta || !tb || ta.open !== tb.open || ta.close !== tb.close || ta.items.length !== tb.items.length) return false;
    return ta.items.every((x, i) => structEqual(x, tb.items[i] ?? '', depth + 1));
  }
  const la = unorderedItems(a);
  const lb = unorderedItems(b);
  if (la.length > 1 || lb.length > 1) {
    if (la.length !== lb.length || la.length > 32) return false;
    const used = new Array<boolean>(lb.length).fill(false);
    return la.every((x) => {
      const k = lb.findIndex((y, j) => !used[j] && structEqual(x, y, depth + 1));
      if (k < 0) return false;
      used[k] = true;
      return true;
    });
  }
  const sa = la[0] ?? a;
  const sb = lb[0] ?? b;
  return scalarEqual(sa, sb);
}

/**
 * Whether a model's answer is mathematically the same as the reference answer (both as written
 * inside `\boxed{}`): equal after normalisation, or equal structurally and numerically (relative
 * tolerance 1e-6; two integers must be equal). Never throws.
 */
export function mathEquivalent(reference: string, candidate: string): boolean {
  try {
    if (reference.trim() === candidate.trim()) return true;
    if (reference.length > MAX_LEN || candidate.length > MAX_LEN) return false;
    const a = normalizeMathAnswer(reference);
    const b = normalizeMathAnswer(candidate);
    return structEqual(a, b, 0);
  } catch {
    return false;
  }
}

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
