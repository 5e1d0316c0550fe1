/**
 * Normalisation of competition-maths answers (MATH-500, GSM8K, AIME) before they are compared by
 * math-equiv.ts: LaTeX spacing, `\left`/`\right`, `\dfrac`, `\text{...}` and trailing units,
 * degrees, percent, dollar signs, `x =`, thousands separators, multiple-choice letters. Pure.
 */

/** Answers longer than this are compared as trimmed strings only. */
export const MAX_LEN = 1000;

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

/** Names that are one symbol: a space before a letter after them is a product (`\pi r^2`). */
const SYMBOLS = 'pi|theta|alpha|beta|gamma|delta|phi|varphi|omega|lambda|mu|sigma|tau|rho|epsilon|varepsilon|psi|chi|eta|zeta|kappa|nu|xi|infty';

/** Functions written with or without parentheses: `\cot x`, `\cot{x}` and `\cot(x)` are one form. */
const FUNCTIONS = 'arcsin|arccos|arctan|sinh|cosh|tanh|sin|cos|tan|cot|sec|csc|log|ln|exp';
/** A power: `^2`, `^{-1}`. */
const POWER = String.raw`\^\s*(?:\{[^{}]*\}|[0-9A-Za-z])`;
/** One factor of a bare argument: a number, a letter, a symbol, `\frac{..}{..}` or `\sqrt{..}`, with its power. */
const FACTOR = String.raw`(?:\d*\.?\d+|[A-Za-z]|\\(?:${SYMBOLS})(?![A-Za-z])|\\frac\{[^{}]*\}\{[^{}]*\}|\\sqrt\{[^{}]*\})(?:\s*${POWER})?`;
/**
 * `\fn^p arg`: an optional power of the function, then a braced argument, a bare product of
 * factors (`2\theta`, `x^2`: by convention `\sin x^2` is sin(x^2) and `\sin 2\theta` is sin(2θ)),
 * or any other single command (kept as before).
 */
const FUNCTION_ARG_RE = new RegExp(String.raw`\\(${FUNCTIONS})(?![A-Za-z])\s*(${POWER})?\s*(?:\{([^{}]*)\}|(${FACTOR}(?:\s?${FACTOR})*)|(\\[A-Za-z]+))`, 'g');

/**
 * Make whitespace removal safe after a command name: `\cdot r` must not become the unknown
 * command `\cdotr`. A product sign before a letter becomes `*` (the evaluator's product), a
 * symbol before a letter gets an explicit `*`, and a function's argument gets parentheses.
 */
function spaceFreeCommands(s: string): string {
  s = s.replace(FUNCTION_ARG_RE, (_m, fn: string, power: string | undefined, braced: string | undefined, bare: string | undefined, command: string | undefined) => {
    // The power stays on the name (`\sin^2(x)`, not `\sin(x)^2`): `\sin^{-1} x` is arcsin x, not 1/sin x.
    return `\\${fn}${(power ?? '').replace(/\s+/g, '')}(${(braced ?? bare ?? command ?? '').trim()})`;
  });
  s = s.replace(/\\(?:cdot|times)(?![A-Za-z])\s*(?=[A-Za-z\\])/g, '*');
  s = s.replace(new RegExp(`\\\\(${SYMBOLS})(?![A-Za-z])\\s+(?=[A-Za-z])`, 'g'), (_m, name: string) => `\\${name}*`);
  return s;
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
  // … or with its sides swapped: `2x + 3 = y`.
  const eqr = /^([^=]*[^\s=])\s*=\s*(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{?\w+\}?)?$/.exec(s);
  if (eqr && !/[<>]|\\[lg]eq?(?![A-Za-z])/.test(eqr[1] ?? '')) s = eqr[1] ?? '';
  // An interval or set named by its variable: `x \in [1, 2)`.
  s = s.replace(/^(?:[A-Za-z]|\\[A-Za-z]+)\s*\\in(?![A-Za-z])\s*/, '');
  s = spaceFreeCommands(s);
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

