/**
 * The pattern editor's working copy: any edit is allowed (a sample count of 0, a row that never
 * reaches Answer, an empty name) and checked by the same `validatePattern` the CLI runs on
 * `--pattern FILE.json`, so the editor shows the CLI's message. Pure: no DOM, no Lit.
 */
import { validatePattern, type ReasoningPattern } from '../../mcts/patterns.js';
import type { Role } from '../../mcts/roles.js';

export interface PatternDraft {
  name: string;
  description: string;
  start: Role;
  /** May be out of range or NaN (an empty input) while editing. */
  rootSamples: number;
  /** Rows in insertion order (the search expands a node's children in this order). */
  next: Record<string, Record<string, number>>;
  backtrack: Role;
}

/** A deep copy of a pattern to edit. */
export function draftOf(p: ReasoningPattern): PatternDraft {
  return JSON.parse(JSON.stringify({ name: p.name, description: p.description, start: p.start, rootSamples: p.rootSamples, next: p.next, backtrack: p.backtrack })) as PatternDraft;
}

/** Change one field (a new draft). */
export function withField<K extends Exclude<keyof PatternDraft, 'next'>>(d: PatternDraft, key: K, value: PatternDraft[K]): PatternDraft {
  return { ...d, [key]: value };
}

/**
 * Set the samples of edge from → to, adding it at the end of its row when new; `null` removes it
 * (and the row, once empty). Rows and edges keep their order.
 */
export function setEdge(d: PatternDraft, from: Role, to: Role, samples: number | null): PatternDraft {
  const next: Record<string, Record<string, number>> = {};
  for (const [r, edges] of Object.entries(d.next)) next[r] = { ...edges };
  if (samples === null) {
    if (next[from]) {
      delete next[from][to];
      if (Object.keys(next[from]).length === 0) delete next[from];
    }
  } else {
    next[from] = { ...(next[from] ?? {}), [to]: samples };
  }
  return { ...d, next };
}

/** The draft as the JSON a pattern file holds (NaN becomes null, as JSON.stringify writes it). */
export function draftJson(d: PatternDraft): unknown {
  return JSON.parse(JSON.stringify({ name: d.name, description: d.description, start: d.start, rootSamples: d.rootSamples, next: d.next, backtrack: d.backtrack }));
}

/** The validated pattern, or the validator's message (source "pattern", as for a file named so). */
export function checkDraft(d: PatternDraft): { pattern: ReasoningPattern; error: null } | { pattern: null; error: string } {
  try {
    return { pattern: validatePattern(draftJson(d)), error: null };
  } catch (e) {
    return { pattern: null, error: (e as Error).message };
  }
}
