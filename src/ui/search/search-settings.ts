import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { FAMILIES } from '../../tasks/index.js';
import { search as t } from '../messages/search.js';
import { patterns } from '../messages/patterns.js';
import type { DatasetEvent } from '../datasets/lab-dataset-picker.js';
import '../datasets/lab-dataset-picker.js';
import { CUSTOM_PATTERN, PATTERN_NAMES, type SearchSettings } from './settings.js';

/** The settings changed (the whole new settings object). */
export type SettingsEvent = CustomEvent<{ settings: SearchSettings }>;

/**
 * The search settings form: task family, generated problem or custom prompt, pattern, C, budgets
 * (rollouts, tokens, time, tokens per node), seed, think and reflect models, Run and Stop.
 *
 * @fires lab-settings - {settings} on every change.
 * @fires lab-run - Run was pressed.
 * @fires lab-stop - Stop was pressed.
 */
@customElement('lab-search-settings')
export class LabSearchSettings extends LitElement {
  @property({ attribute: false }) settings!: SearchSettings;
  /** Ids of the loaded models. */
  @property({ attribute: false }) models: readonly string[] = [];
  @property({ type: Boolean }) running = false;

  static override styles = css`
    :host { display: block; }
    form { display: flex; flex-wrap: wrap; gap: 0.4rem 0.9rem; align-items: end; }
    label { display: flex; flex-direction: column; font-size: 0.85em; color: #4a5163; }
    /* display: flex above would beat the hidden attribute (the Task choice of a dataset row). */
    [hidden] { display: none !important; }
    input[type='number'] { width: 6rem; }
    .wide { flex-basis: 100%; }
    textarea { width: 100%; box-sizing: border-box; }
    fieldset { border: none; padding: 0; margin: 0; display: flex; gap: 0.6rem; align-items: center; }
    legend { font-size: 0.85em; color: #4a5163; padding: 0; }
    .buttons { display: flex; gap: 0.4rem; }
  `;

  private set(patch: Partial<SearchSettings>): void {
    this.settings = { ...this.settings, ...patch };
    this.dispatchEvent(new CustomEvent('lab-settings', { detail: { settings: this.settings }, bubbles: true, composed: true }));
  }

  private num(key: keyof SearchSettings) {
    return (e: Event) => {
      const v = Number((e.target as HTMLInputElement).value);
      if (Number.isFinite(v)) this.set({ [key]: v } as Partial<SearchSettings>);
    };
  }

  private fire(name: 'lab-run' | 'lab-stop'): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }

  override render() {
    const s = this.settings;
    const ds = s.useDataset;
    const custom = s.custom && !ds;
    const models = this.models;
    const think = s.think || models[0] || '';
    return html`<form aria-label=${t.settings} @submit=${(e: Event) => { e.preventDefault(); this.fire('lab-run'); }}>
      <label ?hidden=${ds}>${t.task}
        <select name="task" .value=${s.task} @change=${(e: Event) => this.set({ task: (e.target as HTMLSelectElement).value as SearchSettings['task'] })}>
          ${Object.keys(FAMILIES).map((f) => html`<option value=${f} ?selected=${f === s.task}>${f}</option>`)}
        </select>
      </label>
      <fieldset>
        <legend>${t.source}</legend>
        <label style="flex-direction: row; gap: 0.2rem"><input type="radio" name="source" .checked=${!custom && !ds} @change=${() => this.set({ custom: false, useDataset: false })} />${t.generated}</label>
        <label style="flex-direction: row; gap: 0.2rem"><input type="radio" name="source" .checked=${custom} @change=${() => this.set({ custom: true, useDataset: false })} />${t.custom}</label>
        <label style="flex-direction: row; gap: 0.2rem"><input type="radio" name="source" value="dataset" .checked=${ds} @change=${() => this.set({ custom: false, useDataset: true })} />${t.fromDataset}</label>
      </fieldset>
      ${ds
        ? html`<lab-dataset-picker class="wide" mode="one" .family=${s.datasetFamily} .name=${s.dataset} .pick=${String(s.problem)} ?disabled=${this.running}
            @lab-dataset=${(e: DatasetEvent) => { e.stopPropagation(); this.set({ datasetFamily: e.detail.family, dataset: e.detail.name, problem: Math.max(0, Math.round(Number(e.detail.pick) || 0)) }); }}></lab-dataset-picker>`
        : custom
        ? html`<label class="wide">${t.prompt}<textarea name="prompt" rows="2" .value=${s.prompt} @change=${(e: Event) => this.set({ prompt: (e.target as HTMLTextAreaElement).value })}></textarea></label>
            <label class="wide">${t.expected}<input name="expected" .value=${s.expected} @change=${(e: Event) => this.set({ expected: (e.target as HTMLInputElement).value })} /></label>`
        : html`<label>${t.problemIndex}<input name="problem" type="number" min="0" step="1" .value=${String(s.problem)} @change=${this.num('problem')} /></label>
            <label>${t.problemSet}<input name="problemset" type="number" min="0" step="1" .value=${String(s.problemset)} @change=${this.num('problemset')} /></label>`}
      <label>${t.pattern}
        <select name="pattern" .value=${s.pattern} @change=${(e: Event) => this.set({ pattern: (e.target as HTMLSelectElement).value })}>
          ${PATTERN_NAMES.map((p) => html`<option value=${p} ?selected=${p === s.pattern}>${p === 'random' ? t.patternRandom : p}</option>`)}
          ${s.customPattern ? html`<option value=${CUSTOM_PATTERN} ?selected=${s.pattern === CUSTOM_PATTERN}>${patterns.customOption(s.customPattern.name)}</option>` : nothing}
        </select>
      </label>
      <label>${t.c}<input name="c" type="number" min="0" step="0.1" .value=${String(s.c)} @change=${this.num('c')} /></label>
      <label>${t.rollouts}<input name="rollouts" type="number" min="1" step="1" .value=${String(s.rollouts)} @change=${this.num('rollouts')} /></label>
      <label>${t.tokens}<input name="tokens" type="number" min="0" step="100" .value=${String(s.tokens)} @change=${this.num('tokens')} /></label>
      <label>${t.time}<input name="time" type="number" min="0" step="1" .value=${String(s.time)} @change=${this.num('time')} /></label>
      <label>${t.nodeTokens}<input name="nodetokens" type="number" min="1" max="1024" step="1" .value=${String(s.nodeTokens)} @change=${this.num('nodeTokens')} /></label>
      <label>${t.seed}<input name="seed" type="number" min="0" step="1" .value=${String(s.seed)} @change=${this.num('seed')} /></label>
      <label>${t.think}
        <select name="think" .value=${think} ?disabled=${!models.length} @change=${(e: Event) => this.set({ think: (e.target as HTMLSelectElement).value })}>
          ${models.map((m) => html`<option value=${m} ?selected=${m === think}>${m}</option>`)}
          ${s.think && !models.includes(s.think) ? html`<option value=${s.think} selected disabled>${s.think}</option>` : nothing}
        </select>
      </label>
      <label>${t.reflect}
        <select name="reflect" .value=${s.reflect} ?disabled=${!models.length} @change=${(e: Event) => this.set({ reflect: (e.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${!s.reflect}>${t.sameAsThink}</option>
          ${models.map((m) => html`<option value=${m} ?selected=${m === s.reflect}>${m}</option>`)}
        </select>
      </label>
      <div class="buttons">
        <button id="run" type="submit" ?disabled=${this.running || !models.length}>${t.run}</button>
        <button id="stop" type="button" ?disabled=${!this.running} @click=${() => this.fire('lab-stop')}>${t.stop}</button>
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-search-settings': LabSearchSettings;
  }
}
