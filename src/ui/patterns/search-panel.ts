/**
 * The pattern editor as the Search view shows it: a disclosure under the settings form, editing
 * the pattern the settings choose (a built-in, the custom one, or for "random" the first
 * built-in). A valid edit becomes the settings' custom pattern and selects it.
 */
import { html } from 'lit';
import { BUILTIN_PATTERNS } from '../../mcts/patterns.js';
import { patterns as t } from '../messages/patterns.js';
import { CUSTOM_PATTERN, type SearchSettings } from '../search/settings.js';
import './lab-pattern-panel.js';
import type { PatternEvent } from './lab-pattern-panel.js';

/** The disclosure with the editor; `set` receives the settings after a valid edit. */
export function searchPatternPanel(s: SearchSettings, set: (next: SearchSettings) => void) {
  const builtin = BUILTIN_PATTERNS.find((p) => p.name === s.pattern);
  const pattern = s.pattern === CUSTOM_PATTERN && s.customPattern ? s.customPattern : (builtin ?? BUILTIN_PATTERNS[0]!);
  const note = s.pattern === CUSTOM_PATTERN || builtin ? '' : t.randomNote(pattern.name);
  return html`<details id="pattern-editor">
    <summary>${t.editor}</summary>
    <lab-pattern-panel .pattern=${pattern} .note=${note} @lab-pattern=${(e: PatternEvent) => set({ ...s, pattern: CUSTOM_PATTERN, customPattern: e.detail.pattern })}></lab-pattern-panel>
  </details>`;
}
