import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { search as t } from '../messages/search.js';
import { PHASES, type Phase } from './replay.js';

export type ReplayCommand = 'first' | 'prev-iteration' | 'prev' | 'toggle-play' | 'next' | 'next-iteration' | 'last' | 'seek' | 'speed';

/** A replay control was used; `value` is the step (seek) or steps per second (speed). */
export type ReplayCommandEvent = CustomEvent<{ command: ReplayCommand; value?: number }>;

export const SPEEDS = [1, 2, 4, 8, 16] as const;

/**
 * Replay controls: first / previous rollout / previous step / play-pause / next step / next
 * rollout / last, a scrubber over the event log, a speed choice and the phase badge
 * (Select → Expand → Evaluate → Backprop, and Backtrack), which names the phase in text and
 * marks the current one with `aria-current`, not only with colour.
 *
 * @fires lab-replay - {command, value?} for the host to apply.
 */
@customElement('lab-replay-controls')
export class LabReplayControls extends LitElement {
  @property({ type: Number }) step = 0;
  @property({ type: Number }) total = 0;
  @property() phase: Phase = 'idle';
  @property({ attribute: false }) iteration: number | null = null;
  @property({ type: Boolean }) playing = false;
  @property({ type: Number }) speed = 4;

  static override styles = css`
    :host { display: block; }
    .bar { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center; }
    button { min-width: 2.2rem; }
    input[type='range'] { flex: 1; min-width: 10rem; }
    ol { display: flex; gap: 0.2rem; list-style: none; padding: 0; margin: 0.4rem 0 0.2rem; flex-wrap: wrap; }
    li { padding: 0.1rem 0.5rem; border-radius: 999px; border: 1px solid #c2c7d3; color: #4a5163; font-size: 0.85em; }
    li[aria-current='step'] { background: #1d4ed8; border-color: #1d4ed8; color: #fff; font-weight: 600; }
    li[aria-current='step']::before { content: '● '; }
    .arrow { border: none; padding: 0.1rem 0; }
    .help { margin: 0.2rem 0; color: #4a5163; font-size: 0.9em; }
    .keys { font-size: 0.8em; color: #6b7280; }
  `;

  private send(command: ReplayCommand, value?: number): void {
    this.dispatchEvent(new CustomEvent('lab-replay', { detail: { command, ...(value !== undefined ? { value } : {}) }, bubbles: true, composed: true }));
  }

  override render() {
    const atStart = this.step <= 0;
    const atEnd = this.step >= this.total;
    return html`
      <div class="bar" role="group" aria-label=${t.replay}>
        <button @click=${() => this.send('first')} ?disabled=${atStart} aria-label=${t.first} title=${t.first}>|◀</button>
        <button @click=${() => this.send('prev-iteration')} ?disabled=${atStart} aria-label=${t.prevIteration} title=${t.prevIteration}>◀◀</button>
        <button @click=${() => this.send('prev')} ?disabled=${atStart} aria-label=${t.prevStep} title=${t.prevStep}>◀</button>
        <button id="play" @click=${() => this.send('toggle-play')} ?disabled=${this.total === 0} aria-pressed=${this.playing ? 'true' : 'false'}>${this.playing ? t.pause : t.play}</button>
        <button @click=${() => this.send('next')} ?disabled=${atEnd} aria-label=${t.nextStep} title=${t.nextStep}>▶</button>
        <button @click=${() => this.send('next-iteration')} ?disabled=${atEnd} aria-label=${t.nextIteration} title=${t.nextIteration}>▶▶</button>
        <button @click=${() => this.send('last')} ?disabled=${atEnd} aria-label=${t.last} title=${t.last}>▶|</button>
        <input type="range" min="0" max=${this.total} .value=${String(this.step)} aria-label=${t.scrubber} aria-valuetext=${t.stepOf(this.step, this.total)}
          @input=${(e: Event) => this.send('seek', Number((e.target as HTMLInputElement).value))} />
        <span id="position" aria-live="off">${t.stepOf(this.step, this.total)}${this.iteration !== null ? html` · ${t.iteration(this.iteration)}` : nothing}</span>
        <label>${t.speed}
          <select .value=${String(this.speed)} @change=${(e: Event) => this.send('speed', Number((e.target as HTMLSelectElement).value))}>
            ${SPEEDS.map((s) => html`<option value=${s} ?selected=${s === this.speed}>${s}</option>`)}
          </select>
        </label>
      </div>
      <ol aria-label=${t.phase} id="phases">
        ${PHASES.map((p, i) => html`${i ? html`<li class="arrow" aria-hidden="true">→</li>` : nothing}<li aria-current=${p === this.phase ? 'step' : 'false'} data-phase=${p}>${t.phases[p]}</li>`)}
      </ol>
      <p class="help" id="phase-help" aria-live=${this.playing ? 'off' : 'polite'}>${t.phases[this.phase]}: ${t.phaseHelp[this.phase]}</p>
      <p class="keys">${t.shortcuts}</p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-replay-controls': LabReplayControls;
  }
}
