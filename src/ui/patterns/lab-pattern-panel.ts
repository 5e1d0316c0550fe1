import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { BUILTIN_PATTERNS, parsePatternJson, patternJson, type ReasoningPattern } from '../../mcts/patterns.js';
import { ROLES, type Role } from '../../mcts/roles.js';
import { patterns as t } from '../messages/patterns.js';
import { checkDraft, draftOf, setEdge, withField, type PatternDraft } from './draft.js';
import { deleteSaved, loadSaved, savePattern } from './library.js';
import './pattern-graph.js';

/** A valid edit: the pattern Search should use as its custom pattern. */
export type PatternEvent = CustomEvent<{ pattern: ReasoningPattern }>;

/** Roles that can have children (Answer ends a path). */
const FROM_ROLES = ROLES.filter((r) => r !== 'Answer');

/**
 * The pattern editor: the graph of the pattern (a picture), and its accessible twin, the
 * node-transfer matrix as a table of inputs, with name, start role, root samples and backtrack
 * target. Every edit is checked live by the CLI's validator and its message is announced; only a
 * valid pattern leaves the editor. Patterns are saved in this browser, exported as the JSON file
 * `lab mcts --pattern FILE.json` reads, and imported from such a file.
 *
 * @fires lab-pattern - {pattern} after each edit that leaves a valid pattern.
 */
@customElement('lab-pattern-panel')
export class LabPatternPanel extends LitElement {
  /** The pattern to show and edit (the one Search would use). */
  @property({ attribute: false }) pattern: ReasoningPattern = BUILTIN_PATTERNS[0]!;
  /** A line above the editor (e.g. that "random" picks a pattern per problem). */
  @property() note = '';
  @state() private draft: PatternDraft = draftOf(BUILTIN_PATTERNS[0]!);
  @state() private saved: ReasoningPattern[] = [];
  @state() private savedErrors: string[] = [];
  @state() private status = '';
  @state() private statusError = false;
  @state() private chosenSaved = '';
  @state() private add: { from: Role; to: Role; samples: number } = { from: 'Thinking', to: 'Answer', samples: 1 };
  /** The pattern text last received or sent: a new `pattern` with other content resets the draft. */
  private shownJson = '';

  static override styles = css`
    :host { display: block; }
    .fields, .add, .library { display: flex; flex-wrap: wrap; gap: 0.4rem 0.9rem; align-items: end; margin: 0.5rem 0; }
    label { display: flex; flex-direction: column; font-size: 0.85em; color: #4a5163; }
    input[type='number'] { width: 4.2rem; }
    table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9em; }
    caption { text-align: left; font-size: 0.85em; color: #4a5163; padding-bottom: 0.2rem; }
    th, td { border: 1px solid #d8dce6; padding: 0.15rem 0.3rem; }
    th { background: #f6f7fa; font-weight: 600; }
    td input { width: 3.4rem; }
    .error { background: #fde8e8; border: 1px solid #d66; padding: 0.4rem 0.6rem; border-radius: 6px; white-space: pre-wrap; margin: 0.3rem 0; }
    .ok { color: #1e6b2a; margin: 0.3rem 0; }
    ul { margin: 0.3rem 0; padding-left: 1.2rem; }
    li button { margin-left: 0.4rem; }
    .note { font-style: italic; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.reloadSaved();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('pattern')) {
      const json = patternJson(this.pattern);
      if (json !== this.shownJson) {
        this.shownJson = json;
        this.draft = draftOf(this.pattern);
      }
    }
  }

  private reloadSaved(): void {
    try {
      const r = loadSaved();
      this.saved = r.patterns;
      this.savedErrors = r.errors;
    } catch (e) {
      this.savedErrors = [(e as Error).message];
    }
  }

  private say(message: string, error = false): void {
    this.status = message;
    this.statusError = error;
  }

  /** Take an edit; a valid result that differs from what Search has goes out as `lab-pattern`. */
  private edit(d: PatternDraft, renaming = false): void {
    // Editing a built-in makes a new pattern: it gets its own name so trees and files tell them apart.
    if (!renaming && BUILTIN_PATTERNS.some((b) => b.name === d.name)) d = withField(d, 'name', `${d.name}-edited`);
    this.draft = d;
    const c = checkDraft(d);
    if (!c.pattern) return;
    const json = patternJson(c.pattern);
    if (json === this.shownJson) return;
    this.shownJson = json;
    this.dispatchEvent(new CustomEvent('lab-pattern', { detail: { pattern: c.pattern }, bubbles: true, composed: true }));
  }

  /** Load a whole pattern (opened or imported) into the editor and send it on. */
  private load(p: ReasoningPattern): void {
    this.edit(draftOf(p), true);
  }

  private cell(from: Role, to: Role) {
    const n = this.draft.next[from]?.[to];
    return html`<td><input type="number" min="1" max="16" step="1" data-from=${from} data-to=${to} aria-label=${t.cell(from, to)}
      .value=${n === undefined || Number.isNaN(n) ? '' : String(n)}
      @input=${(e: Event) => {
        const v = (e.target as HTMLInputElement).value;
        this.edit(setEdge(this.draft, from, to, v === '' ? null : Number(v)));
      }} /></td>`;
  }

  private fields() {
    const d = this.draft;
    const roleSelect = (name: 'start' | 'backtrack', label: string) => html`<label>${label}
      <select name=${name} .value=${d[name]} @change=${(e: Event) => this.edit(withField(d, name, (e.target as HTMLSelectElement).value as Role))}>
        ${ROLES.map((r) => html`<option value=${r} ?selected=${r === d[name]}>${r}</option>`)}
      </select></label>`;
    return html`<div class="fields">
      <label>${t.name}<input name="name" .value=${d.name} @input=${(e: Event) => this.edit(withField(d, 'name', (e.target as HTMLInputElement).value), true)} /></label>
      <label>${t.description}<input name="description" size="40" .value=${d.description} @input=${(e: Event) => this.edit(withField(d, 'description', (e.target as HTMLInputElement).value))} /></label>
      ${roleSelect('start', t.start)}
      <label>${t.rootSamples}<input name="rootSamples" type="number" min="1" max="16" step="1" .value=${Number.isNaN(d.rootSamples) ? '' : String(d.rootSamples)}
        @input=${(e: Event) => this.edit(withField(d, 'rootSamples', (e.target as HTMLInputElement).valueAsNumber))} /></label>
      ${roleSelect('backtrack', t.backtrack)}
    </div>`;
  }

  private matrix() {
    return html`<table id="pattern-matrix">
      <caption>${t.matrix}</caption>
      <thead><tr><th scope="col">${t.from} \\ ${t.to}</th>${ROLES.map((r) => html`<th scope="col">${r}</th>`)}</tr></thead>
      <tbody>${FROM_ROLES.map((from) => html`<tr><th scope="row">${from}</th>${ROLES.map((to) => this.cell(from, to))}</tr>`)}</tbody>
    </table>`;
  }

  private edges() {
    const list = Object.entries(this.draft.next).flatMap(([from, row]) => Object.entries(row).map(([to, n]) => [from as Role, to as Role, n] as const));
    const a = this.add;
    const roleOptions = (roles: readonly Role[], chosen: Role) => roles.map((r) => html`<option value=${r} ?selected=${r === chosen}>${r}</option>`);
    return html`<h4 id="edges-h">${t.edges}</h4>
      <ul id="pattern-edges" aria-labelledby="edges-h">
        ${list.map(([from, to, n]) => html`<li>${from} → ${to} ×${Number.isNaN(n) ? '?' : n}<button type="button" aria-label=${t.remove(from, to)} @click=${() => this.edit(setEdge(this.draft, from, to, null))}>✕</button></li>`)}
      </ul>
      <form class="add" aria-label=${t.addEdge} @submit=${(e: Event) => { e.preventDefault(); this.edit(setEdge(this.draft, a.from, a.to, a.samples)); }}>
        <label>${t.from}<select name="add-from" @change=${(e: Event) => (this.add = { ...a, from: (e.target as HTMLSelectElement).value as Role })}>${roleOptions(FROM_ROLES, a.from)}</select></label>
        <label>${t.to}<select name="add-to" @change=${(e: Event) => (this.add = { ...a, to: (e.target as HTMLSelectElement).value as Role })}>${roleOptions(ROLES, a.to)}</select></label>
        <label>${t.samples}<input name="add-samples" type="number" min="1" max="16" step="1" .value=${String(a.samples)} @input=${(e: Event) => (this.add = { ...a, samples: (e.target as HTMLInputElement).valueAsNumber })} /></label>
        <button id="add-edge" type="submit">${t.add}</button>
      </form>`;
  }

  private exportJson(p: ReasoningPattern): void {
    const url = URL.createObjectURL(new Blob([patternJson(p)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${p.name.replace(/[^\w.-]+/g, '-') || 'pattern'}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  private async importJson(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    try {
      const p = parsePatternJson(await file.text(), file.name);
      this.load(p);
      this.say(t.imported(p.name));
    } catch (e) {
      this.say((e as Error).message, true);
    } finally {
      input.value = '';
    }
  }

  private library(valid: ReasoningPattern | null) {
    const chosen = this.chosenSaved || this.saved[0]?.name || '';
    const act = (f: () => void) => {
      try {
        f();
      } catch (e) {
        this.say((e as Error).message, true);
      }
    };
    return html`<div class="library">
      <button id="pattern-save" type="button" ?disabled=${!valid} @click=${() => act(() => { this.saved = savePattern(valid!); this.say(t.saved(valid!.name)); })}>${t.save}</button>
      <label>${t.open}
        <select name="saved" ?disabled=${!this.saved.length} @change=${(e: Event) => (this.chosenSaved = (e.target as HTMLSelectElement).value)}>
          ${this.saved.length ? this.saved.map((p) => html`<option value=${p.name} ?selected=${p.name === chosen}>${p.name}</option>`) : html`<option value="">${t.noneSaved}</option>`}
        </select></label>
      <button id="pattern-open" type="button" ?disabled=${!this.saved.length} @click=${() => { const p = this.saved.find((x) => x.name === chosen); if (p) this.load(p); }}>${t.openButton}</button>
      <button id="pattern-delete" type="button" ?disabled=${!this.saved.length} @click=${() => act(() => { this.saved = deleteSaved(chosen); this.chosenSaved = ''; this.say(t.deleted(chosen)); })}>${t.deleteSaved}</button>
      <button id="pattern-export" type="button" ?disabled=${!valid} @click=${() => this.exportJson(valid!)}>${t.exportJson}</button>
      <label>${t.importJson}<input id="pattern-import" type="file" accept=".json,application/json" @change=${(e: Event) => void this.importJson(e.target as HTMLInputElement)} /></label>
    </div>
    <p id="pattern-status" role="status" class=${this.statusError ? 'error' : ''}>${this.status}</p>
    ${this.savedErrors.map((m) => html`<p class="error">${t.badSaved(m)}</p>`)}`;
  }

  override render() {
    const check = checkDraft(this.draft);
    return html`<section aria-labelledby="pattern-h">
      <h3 id="pattern-h">${t.heading}</h3>
      <p>${t.intro}</p>
      ${this.note ? html`<p class="note">${this.note}</p>` : nothing}
      <lab-pattern-graph .draft=${this.draft}></lab-pattern-graph>
      <div id="pattern-check" aria-live="polite">
        ${check.error ? html`<p class="error" id="pattern-error">${check.error}</p><p>${t.invalid}</p>` : html`<p class="ok">${t.valid}</p>`}
      </div>
      ${this.fields()}
      ${this.matrix()}
      ${this.edges()}
      ${this.library(check.pattern)}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-pattern-panel': LabPatternPanel;
  }
}
