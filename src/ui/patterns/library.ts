/**
 * Custom patterns saved in this browser, by name. They live in localStorage, not IndexedDB: a
 * pattern is a few hundred bytes of settings (like the lesson link it also travels in), read
 * synchronously when the editor opens, and a new object store would need a schema upgrade of the
 * run database for no gain. Every entry is re-validated on read; a bad one is skipped with a
 * message, never loaded into a search.
 */
import { validatePattern, type ReasoningPattern } from '../../mcts/patterns.js';

export const LIBRARY_KEY = 'reasoning-lab/patterns@1';

/** The saved patterns and a message per entry that could not be read. */
export function loadSaved(storage: Storage = localStorage): { patterns: ReasoningPattern[]; errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(storage.getItem(LIBRARY_KEY) ?? '[]');
  } catch (e) {
    return { patterns: [], errors: [`${LIBRARY_KEY}: ${(e as Error).message}`] };
  }
  if (!Array.isArray(raw)) return { patterns: [], errors: [`${LIBRARY_KEY}: expected a list of patterns`] };
  const patterns: ReasoningPattern[] = [];
  const errors: string[] = [];
  raw.forEach((p, i) => {
    try {
      patterns.push(validatePattern(p, `${LIBRARY_KEY}[${i}]`));
    } catch (e) {
      errors.push((e as Error).message);
    }
  });
  return { patterns, errors };
}

function write(list: ReasoningPattern[], storage: Storage): void {
  try {
    storage.setItem(LIBRARY_KEY, JSON.stringify(list));
  } catch (e) {
    throw new Error(`cannot save patterns in this browser (${(e as Error).name}): export the pattern as JSON instead`);
  }
}

/** Save (or replace, by name) a valid pattern; returns the new list. */
export function savePattern(p: ReasoningPattern, storage: Storage = localStorage): ReasoningPattern[] {
  const list = [...loadSaved(storage).patterns.filter((x) => x.name !== p.name), validatePattern(JSON.parse(JSON.stringify(p)))];
  write(list, storage);
  return list;
}

/** Delete a saved pattern by name; returns the new list. */
export function deleteSaved(name: string, storage: Storage = localStorage): ReasoningPattern[] {
  const list = loadSaved(storage).patterns.filter((x) => x.name !== name);
  write(list, storage);
  return list;
}
