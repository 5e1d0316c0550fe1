/**
 * Lesson links: the view and every setting and seed live in the URL hash
 * (`#view=search&task=letters&seed=7&c=1.4`), so "copy lesson link" reproduces the view for a
 * student. Secrets (API keys) never go here.
 */

export type HashParams = Record<string, string>;

/** Parse a hash such as `#view=search&seed=7` (the leading `#` is optional). */
export function parseHash(hash: string): HashParams {
  const out: HashParams = {};
  for (const [k, v] of new URLSearchParams(hash.replace(/^#/, ''))) out[k] = v;
  return out;
}

/** Serialise params in a stable order (view first, then alphabetical) so links compare equal. */
export function formatHash(params: HashParams): string {
  const keys = Object.keys(params).filter((k) => params[k] !== undefined && params[k] !== '');
  keys.sort((a, b) => (a === 'view' ? -1 : b === 'view' ? 1 : a.localeCompare(b)));
  const sp = new URLSearchParams();
  for (const k of keys) sp.set(k, params[k]!);
  return `#${sp.toString()}`;
}

/** Current params of the page. */
export function readLesson(): HashParams {
  return parseHash(location.hash);
}

/**
 * Merge `patch` into the hash without adding a history entry per slider move. Keys set to
 * undefined are removed. Other views' keys are kept, so one link carries the whole lesson.
 */
export function writeLesson(patch: Record<string, string | number | boolean | undefined>): void {
  const next = readLesson();
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete next[k];
    else next[k] = String(v);
  }
  history.replaceState(null, '', formatHash(next));
}

/** Numeric setting from the hash, with a default and bounds (bad values fall back, never throw). */
export function numParam(params: HashParams, key: string, dflt: number, min = -Infinity, max = Infinity): number {
  const v = Number(params[key]);
  return Number.isFinite(v) && params[key] !== '' && params[key] !== undefined ? Math.min(max, Math.max(min, v)) : dflt;
}

/** The full link for the current state. */
export function lessonLink(): string {
  return `${location.origin}${location.pathname}${formatHash(readLesson())}`;
}
