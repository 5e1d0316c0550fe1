/**
 * The numeric side of maths answer equivalence: a small safe evaluator of normalised answers
 * (+ - * / ^, `\frac`, `\sqrt`, `\pi`, parentheses; no eval()), numeric closeness, and the
 * comparison of expressions in one-letter variables at fixed points. Nothing here throws.
 */
import { MAX_LEN, normalizeMathAnswer } from './math-normalize.js';

/** Relative tolerance of numeric comparison. */
const REL_TOL = 1e-6;

/** Internal parse failure of the evaluator. */
class EvalFail extends Error {}

/**
 * Value of a normalised expression, NaN when it parses but has no real value (`\sqrt{-1}`),
 * or null when it does not parse. `vars` gives values to one-letter variables; without it any
 * letter fails the parse.
 */
export function evaluate(s: string, vars: ReadonlyMap<string, number> | null): number | null {
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
export function numberOf(s: string): number | null {
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
export function close(a: number, b: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) return false;
  return Math.abs(a - b) <= Math.max(REL_TOL * Math.max(Math.abs(a), Math.abs(b)), 1e-12);
}


/** Function and operator names that are words, not products of letters, when written without a backslash. */
const NAME_IN_RUN_RE = /sin|cos|tan|cot|sec|csc|log|exp|max|min|gcd|lcm|det|deg|lim|mod|arg/;

/**
 * Whether a run of three or more letters reads as a product of variables (`xyz`, `abc`) rather
 * than a word (`even`, `odd`, `Devon`, `sinx`): only when `letterRuns` allows it (no `\text{}` in
 * the answers), and the run is lowercase, has no repeated letter and holds no function name.
 */
function productRun(run: string, letterRuns: boolean): boolean {
  return letterRuns && /^[a-z]+$/.test(run) && new Set(run).size === run.length && !NAME_IN_RUN_RE.test(run);
}

/**
 * The one-letter variables of an expression, or null if it has words or unknown commands.
 * Two adjacent letters are always a product (`2ab`); longer runs only as `productRun` says.
 */
function variablesOf(s: string, letterRuns: boolean): Set<string> | null {
  const vars = new Set<string>();
  for (const m of s.matchAll(/\\[A-Za-z]+|[A-Za-z]+/g)) {
    const tok = m[0];
    if (tok.startsWith('\\')) {
      if (!/^\\(?:frac|sqrt|pi|infty|cdot|times|div)$/.test(tok)) return null;
    } else {
      if (tok.length >= 3 && !productRun(tok, letterRuns)) return null;
      for (const c of tok) vars.add(c);
    }
  }
  return vars;
}

/**
 * Compare two expressions in the same one-letter variables at a few fixed points. With
 * `letterRuns`, a run like `xyz` is the product x*y*z (see productRun); pass false when the
 * answers were text, so that words are not compared as products of their letters.
 */
export function symbolicEqual(a: string, b: string, letterRuns = true): boolean {
  const va = variablesOf(a, letterRuns);
  const vb = variablesOf(b, letterRuns);
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

