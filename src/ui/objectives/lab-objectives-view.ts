import { HashController } from '../app/hash-controller.js';
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Engine } from '../../core/engine.js';
import { writeLesson } from '../app/lesson-link.js';
import { session as defaultSession, useEngines, type Session } from '../app/session.js';
import '../charts/logprob-strip.js';
import { SessionWatch } from '../data/session-watch.js';
import { objectives as t } from '../messages/objectives.js';
import { lossTable, METRICS, NO_SCORES, type LossTable } from './loss-table.js';
import { cacheHit, checkTokenizers, scorePairs, scoredWith, type ScoreRun, type TokenizerCheck } from './scoring.js';
import { DEFAULT_OBJECTIVE_SETTINGS, objectiveSettingsFromHash, objectiveSettingsToHash, resolveEngines, SLIDERS, type ObjectiveSettings } from './settings.js';
import { stripModel } from './strip-model.js';
import { viewStyles } from '../app/view-styles.js';

const fmt = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 1000 ? v.toFixed(1) : v.toFixed(4)) : '–');

/**
 * The Objectives view: pick policy and reference engines (they must share a tokenizer; the same
 * model twice is allowed and gives zero rewards), score the session's DPO pairs with
 * `Engine.score`, show per-token log-prob strips with the masked common prefix, and a table of
 * DPO, cDPO, masked, joint and combined losses recomputed from the cached log-probs as β, ε and
 * α move.
 *
 * Reads `session.state.engines`, `.pairs` and `.scores`; writes `scores` (per pair index,
 * tagged with the models that produced them). Settings live in the lesson hash
 * (`opolicy oref obeta oeps oalpha omask opair oscope`).
 *
 * @property session - the session to work on (default: the page's session).
 */
@customElement('lab-objectives-view')
export class LabObjectivesView extends LitElement {
  @property({ attribute: false }) session: Session = defaultSession;
  @state() private settings: ObjectiveSettings = DEFAULT_OBJECTIVE_SETTINGS;
  @state() private check: TokenizerCheck | { status: 'checking' } | null = null;
  @state() private running = false;
  @state() private progress: ScoreRun | null = null;
  @state() private error = '';
  @state() private stopped = false;
  private ctl: AbortController | null = null;
  private checkedFor: { policy: Engine | undefined; reference: Engine | undefined } | null = null;
  private checkGen = 0;

  constructor() {
    super();
    new SessionWatch(this, () => this.session);
  }

  static override styles = [
    viewStyles,
    css`
    .row { display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; align-items: center; }
    label { display: inline-flex; gap: 0.35rem; align-items: center; }
    .slider { display: grid; grid-template-columns: minmax(12rem, 22rem) 12rem 4rem; gap: 0.5rem; align-items: center; margin: 0.2rem 0; }
    .warn { background: #fff4d6; border: 1px solid #e0b94a; padding: 0.5rem 0.75rem; border-radius: 6px; }
    .ok { color: #245c28; }
    .note { color: #555; font-size: 0.9rem; }
    table { border-collapse: collapse; font-size: 0.85rem; }
    caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
    th, td { border: 1px solid #d8dce6; padding: 0.2rem 0.5rem; }
    td { text-align: right; font-variant-numeric: tabular-nums; }
    thead th small { font-weight: normal; color: #555; }
    .scroll { overflow-x: auto; }
  `,
  ];

  /** Settings follow the URL hash, also for a lesson link opened while the view is mounted. */
  private readonly hash = new HashController(this, (p) => (this.settings = objectiveSettingsFromHash(p)));

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.ctl?.abort();
  }

  private set(patch: Partial<ObjectiveSettings>): void {
    this.settings = { ...this.settings, ...patch };
    writeLesson(objectiveSettingsToHash(this.settings));
  }

  private engines(): { policy: Engine | undefined; reference: Engine | undefined; ids: { policy: string; reference: string } } {
    const map = this.session.state.engines;
    const ids = resolveEngines(this.settings, [...map.keys()]);
    return { policy: map.get(ids.policy), reference: map.get(ids.reference), ids };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const { policy, reference } = this.engines();
    if (this.checkedFor?.policy === policy && this.checkedFor?.reference === reference) return;
    this.checkedFor = { policy, reference };
    const gen = ++this.checkGen;
    if (!policy || !reference) {
      this.check = null;
      return;
    }
    this.check = { status: 'checking' };
    void checkTokenizers(policy, reference).then((c) => {
      if (gen === this.checkGen) this.check = c;
    });
  }

  private async score(): Promise<void> {
    const { policy, reference, ids } = this.engines();
    const pairs = this.session.state.pairs;
    if (!policy || !reference || !pairs.length) return;
    // The Models view asks before unloading a model this scoring uses.
    const release = useEngines(this.session, [ids.policy, ids.reference], t.inUseBy);
    const ctl = new AbortController();
    this.ctl = ctl;
    this.running = true;
    this.error = '';
    this.stopped = false;
    this.progress = null;
    let last: ScoreRun = { scored: 0, cached: 0, total: pairs.length };
    try {
      await scorePairs(
        pairs,
        policy,
        reference,
        this.session.state.scores,
        (scores, run) => {
          if (this.session.state.pairs !== pairs) return ctl.abort(); // the Data view replaced the pairs
          last = run;
          this.progress = run;
          this.session.update({ scores });
        },
        ctl.signal,
      );
      // Everything was cached already: say so instead of showing nothing.
      if (last.scored === 0) this.progress = { ...last, cached: [...this.session.state.scores.keys()].filter((i) => i < pairs.length).length };
    } catch (e) {
      if ((e as Error).name === 'AbortError') this.stopped = true;
      else this.error = (e as Error).message;
    } finally {
      release();
      this.running = false;
      if (this.ctl === ctl) this.ctl = null;
    }
  }

  private renderEngines() {
    const ids = [...this.session.state.engines.keys()];
    const { ids: sel } = this.engines();
    const picker = (key: 'policy' | 'reference', label: string, value: string) =>
      html`<label>${label}
        <select ?disabled=${!ids.length || this.running} .value=${value} @change=${(e: Event) => this.set({ [key]: (e.target as HTMLSelectElement).value })}>
          ${ids.map((id) => html`<option value=${id} ?selected=${id === value}>${id}</option>`)}
        </select></label>`;
    const c = this.check;
    const line =
      !c ? nothing
      : c.status === 'checking' ? html`<p role="status">${t.tokenizer.checking}</p>`
      : c.status === 'same' ? html`<p role="status" class="ok">✓ ${t.tokenizer.same}</p>`
      : c.status === 'same-model' ? html`<p role="status" class="warn">ⓘ ${t.tokenizer.sameModel}</p>`
      : c.status === 'different' ? html`<p role="alert" class="error">✗ ${t.tokenizer.different(c.policyTokens, c.referenceTokens, c.firstDiff)}</p>`
      : c.status === 'cannot-score' ? html`<p role="alert" class="error">✗ ${t.tokenizer.cannotScore(c.model)}</p>`
      : html`<p role="alert" class="error">✗ ${t.tokenizer.error(c.message)}</p>`;
    const pairs = this.session.state.pairs;
    const blocked = !c || c.status === 'checking' || c.status === 'different' || c.status === 'cannot-score' || c.status === 'error';
    const scores = this.session.state.scores;
    const first = scoredWith(scores.values().next().value);
    const stale = [...scores.values()].some((e) => !cacheHit(e, sel.policy, sel.reference));
    return html`<section aria-labelledby="models-h">
      <h3 id="models-h">${t.policy} / ${t.reference}</h3>
      ${ids.length ? html`<div class="row">${picker('policy', t.policy, sel.policy)}${picker('reference', t.reference, sel.reference)}</div>` : html`<p class="warn">${t.noEngines}</p>`}
      ${line}
      ${pairs.length ? nothing : html`<p class="warn">${t.noPairs}</p>`}
      <div class="row">
        <button type="button" id="score" ?disabled=${this.running || blocked || !pairs.length} @click=${() => this.score()}>${t.score}</button>
        <button type="button" id="stop" ?disabled=${!this.running} @click=${() => this.ctl?.abort()}>${t.stop}</button>
        <button type="button" id="clear" ?disabled=${this.running || !scores.size} @click=${() => this.session.update({ scores: new Map() })}>${t.clear}</button>
        <span role="status" aria-live="polite" id="progress">${this.progress ? t.progress(this.progress.scored + this.progress.cached, this.progress.total, this.progress.cached) : ''}${this.stopped ? ` ${t.stopped}` : ''}</span>
      </div>
      ${scores.size && first?.policy ? html`<p class="note">${t.scoredWith(scores.size, pairs.length, first.policy, first.reference ?? '?')}</p>` : nothing}
      ${stale && scores.size && ids.length && !this.running ? html`<p class="warn">${t.staleScores}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </section>`;
  }

  private slider(key: 'beta' | 'eps' | 'alpha', label: string) {
    const r = SLIDERS[key];
    const v = this.settings[key];
    return html`<div class="slider">
      <label for=${`s-${key}`}>${label}</label>
      <input id=${`s-${key}`} type="range" min=${r.min} max=${r.max} step=${r.step} .value=${String(v)} @input=${(e: Event) => this.set({ [key]: Number((e.target as HTMLInputElement).value) })} />
      <output for=${`s-${key}`}>${v.toFixed(2)}</output>
    </div>`;
  }

  private renderTable(table: LossTable) {
    const s = this.settings;
    return html`<section aria-labelledby="loss-h">
      <h3 id="loss-h">${t.sliders}</h3>
      ${this.slider('beta', t.beta)} ${this.slider('eps', t.eps)} ${this.slider('alpha', t.alpha)}
      <div class="row">
        <label>${t.scope}
          <select .value=${s.scope} @change=${(e: Event) => this.set({ scope: (e.target as HTMLSelectElement).value === 'pair' ? 'pair' : 'all' })}>
            ${(['all', 'pair'] as const).map((k) => html`<option value=${k} ?selected=${k === s.scope}>${t.scopes[k]}</option>`)}
          </select></label>
      </div>
      ${table.error
        ? html`<p class="note">${table.error === NO_SCORES ? t.noTable : t.badArgs(table.error)}</p>`
        : html`<div class="scroll"><table id="loss-table">
            <caption>${t.tableCaption(table.used.length)}</caption>
            <thead><tr><th scope="col">${t.metric}</th>${table.columns.map((c) => html`<th scope="col" data-objective=${c.id}>${t.columns[c.id]}<br /><small>${t.columnArgs(c.args.beta, c.args.eps, c.args.alpha, c.args.maskCommonPrefix)}</small></th>`)}</tr></thead>
            <tbody>${METRICS.map((m) => html`<tr><th scope="row">${m}</th>${table.columns.map((c) => html`<td data-objective=${c.id} data-metric=${m}>${fmt(c.metrics[m])}</td>`)}</tr>`)}</tbody>
          </table></div>
          <p class="note">${t.maskingNote}</p>`}
      ${table.skipped.length ? html`<div class="error" role="alert">${t.skipped(table.skipped.length)}<ul>${table.skipped.map((k) => html`<li>${k.reason}</li>`)}</ul></div>` : nothing}
    </section>`;
  }

  private renderStrips(pair: number) {
    const s = this.settings;
    const n = this.session.state.pairs.length;
    const entry = this.session.state.scores.get(pair);
    const strips = entry
      ? ([
          [t.strip.policyChosen, entry.policy.chosen],
          [t.strip.policyRejected, entry.policy.rejected],
          [t.strip.refChosen, entry.reference.chosen],
          [t.strip.refRejected, entry.reference.rejected],
        ] as const)
      : [];
    return html`<section aria-labelledby="strips-h">
      <h3 id="strips-h">${t.stripsTitle}</h3>
      <div class="row">
        <button type="button" aria-label=${t.prev} ?disabled=${pair <= 0} @click=${() => this.set({ pair: pair - 1 })}>◀</button>
        <label>${t.pairPick}
          <select .value=${String(pair)} ?disabled=${!n} @change=${(e: Event) => this.set({ pair: Number((e.target as HTMLSelectElement).value) })}>
            ${Array.from({ length: n }, (_, i) => html`<option value=${i} ?selected=${i === pair}>#${i + 1}${this.session.state.scores.has(i) ? ' ✓' : ''}</option>`)}
          </select></label>
        <button type="button" aria-label=${t.next} ?disabled=${pair >= n - 1} @click=${() => this.set({ pair: pair + 1 })}>▶</button>
        <label><input type="checkbox" id="mask" .checked=${s.mask} @change=${(e: Event) => this.set({ mask: (e.target as HTMLInputElement).checked })} /> ${t.maskToggle}</label>
      </div>
      <p class="note">${t.legend}</p>
      ${entry ? strips.map(([label, seq]) => html`<lab-logprob-strip .label=${label} .model=${stripModel(seq, s.mask)}></lab-logprob-strip>`) : html`<p>${n ? t.notScored : t.noPairs}</p>`}
    </section>`;
  }

  override render() {
    const st = this.session.state;
    const n = st.pairs.length;
    const pair = Math.min(Math.max(0, n - 1), Math.max(0, this.settings.pair));
    const s = this.settings;
    const table = lossTable(st.scores, s, s.scope === 'pair' ? [pair] : undefined);
    return html`
      <h2>${t.title}</h2>
      <p class="note">${t.intro}</p>
      ${this.renderEngines()}
      ${this.renderTable(table)}
      ${this.renderStrips(pair)}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-objectives-view': LabObjectivesView;
  }
}
