/**
 * Answer extraction shared by the verifiers. Models write the final answer inside `\boxed{...}`;
 * we take the last one, with balanced braces, so a reflection that revises an earlier box wins.
 */

/** Content of the last `\boxed{...}` in `text` (balanced braces), or null if none is complete. */
export function lastBoxed(text: string): string | null {
  let found: string | null = null;
  let from = 0;
  for (;;) {
    const at = text.indexOf('\\boxed{', from);
    if (at < 0) break;
    let depth = 1;
    let i = at + 7;
    for (; i < text.length && depth > 0; i++) {
      const c = text[i];
      if (c === '{') depth++;
      else if (c === '}') depth--;
    }
    if (depth === 0) found = text.slice(at + 7, i - 1);
    from = at + 7;
  }
  return found;
}

/** Parse a number written plainly, with thousands separators, a sign, or as a simple fraction. */
export function parseNumber(text: string): number | null {
  const t = text.replace(/\\[,!;:]|\s|\$/g, '').replace(/^\\text\{(.*)\}$/, '$1').replace(/,(?=\d{3}\b)/g, '');
  if (/^[-+]?\d+(\.\d+)?$/.test(t)) return Number(t);
  const frac = /^([-+]?)\\?d?frac\{(-?\d+)\}\{(-?\d+)\}$/.exec(t) ?? /^([-+]?)(\d+)\/(\d+)$/.exec(t);
  if (frac) {
    const v = Number(frac[2]) / Number(frac[3]);
    return Number.isFinite(v) ? (frac[1] === '-' ? -v : v) : null;
  }
  return null;
}

/** Compare a boxed answer with a numeric reference; shared by the numeric families. */
export function verifyNumeric(output: string, reference: string): { correct: boolean; extracted: string | null; reason: string } {
  const extracted = lastBoxed(output);
  if (extracted === null) return { correct: false, extracted: null, reason: 'no \\boxed{} answer' };
  const got = parseNumber(extracted);
  const want = parseNumber(reference);
  if (got === null) return { correct: false, extracted, reason: `boxed answer "${extracted}" is not a number` };
  if (want === null) return { correct: false, extracted, reason: `reference "${reference}" is not a number` };
  const correct = Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want));
  return { correct, extracted, reason: correct ? 'match' : `expected ${reference}, got ${extracted}` };
}
