import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { TrainMetrics } from '../../train/protocol.js';

/** The panels of the training curves: a title and the metrics drawn in it (TRL names). */
export const PANELS: { title: string; keys: (keyof TrainMetrics)[] }[] = [
  { title: 'loss', keys: ['loss', 'dpo_loss'] },
  { title: 'rewards', keys: ['rewards/chosen', 'rewards/rejected', 'rewards/margins'] },
  { title: 'reward accuracy', keys: ['rewards/accuracies'] },
  { title: 'log-probs', keys: ['logps/chosen', 'logps/rejected'] },
  { title: 'NLL', keys: ['nll_loss'] },
  { title: 'gradient norm', keys: ['grad_norm'] },
  { title: 'tokens/s', keys: ['tokens/s'] },
];

// Dark enough for 4.5:1 contrast on white (legend text uses them too).
const COLOURS = ['#2f4fb0', '#a8431c', '#1d6e38'];
const DASH = ['', '5 3', '2 2'];
const W = 250;
const H = 120;
const PAD = { l: 44, r: 8, t: 18, b: 18 };

/** Polyline points of one series within the panel box; null values are skipped. Pure. */
export function panelPaths(rows: readonly Partial<TrainMetrics>[], keys: readonly string[]): { lo: number; hi: number; paths: { key: string; d: string; last: number | null }[] } {
  const vals = rows.flatMap((r) => keys.map((k) => (r as Record<string, number>)[k]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x)));
  let lo = vals.length ? Math.min(...vals) : 0;
  let hi = vals.length ? Math.max(...vals) : 1;
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  const x = (i: number) => PAD.l + (rows.length <= 1 ? 0 : (i / (rows.length - 1)) * (W - PAD.l - PAD.r));
  const y = (v: number) => PAD.t + (1 - (v - lo) / (hi - lo)) * (H - PAD.t - PAD.b);
  return {
    lo,
    hi,
    paths: keys.map((key) => {
      const pts = rows.map((r, i) => [i, (r as Record<string, number>)[key]] as const).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)) as [number, number][];
      return { key, d: pts.map(([i, v], j) => `${j ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(''), last: pts.length ? pts[pts.length - 1]![1] : null };
    }),
  };
}

const fmt = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : Math.abs(v) >= 0.01 ? v.toPrecision(2) : v.toExponential(1));

/**
 * Small multiples of the training metrics, one SVG per panel (role="img" with the latest values
 * as its label); series differ by colour and dash, and the view shows every number in a table.
 */
@customElement('lab-train-chart')
export class LabTrainChart extends LitElement {
  @property({ attribute: false }) rows: Partial<TrainMetrics>[] = [];

  static override styles = css`
    :host { display: flex; flex-wrap: wrap; gap: 0.5rem; }
    figure { margin: 0; }
    svg { font: 10px system-ui, sans-serif; }
    .axis { stroke: #9aa1ad; }
    .legend { font-size: 0.8rem; }
  `;

  override render() {
    return PANELS.filter((p) => p.keys.some((k) => this.rows.some((r) => typeof r[k] === 'number'))).map((p) => {
      const L = panelPaths(this.rows, p.keys as string[]);
      const label = `${p.title}: ${L.paths.map((s) => `${s.key} ${s.last === null ? 'none' : fmt(s.last)}`).join(', ')} after ${this.rows.length} steps`;
      return html`<figure>
        <svg role="img" aria-label=${label} viewBox="0 0 ${W} ${H}" width=${W} height=${H}>
          <text x=${PAD.l} y="11">${p.title}</text>
          <line class="axis" x1=${PAD.l} x2=${PAD.l} y1=${PAD.t} y2=${H - PAD.b}></line>
          <line class="axis" x1=${PAD.l} x2=${W - PAD.r} y1=${H - PAD.b} y2=${H - PAD.b}></line>
          <text x=${PAD.l - 4} y=${PAD.t + 4} text-anchor="end">${fmt(L.hi)}</text>
          <text x=${PAD.l - 4} y=${H - PAD.b} text-anchor="end">${fmt(L.lo)}</text>
          <text x=${W - PAD.r} y=${H - 4} text-anchor="end">step ${this.rows.length}</text>
          ${L.paths.map((s, i) => (s.d ? svg`<path d=${s.d} fill="none" stroke=${COLOURS[i]} stroke-width="1.8" stroke-dasharray=${DASH[i] || nothing}></path>` : nothing))}
        </svg>
        <figcaption class="legend">${L.paths.map((s, i) => html`<span style="color:${COLOURS[i]}">${DASH[i] ? '- -' : '—'} ${s.key}</span> `)}</figcaption>
      </figure>`;
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-train-chart': LabTrainChart;
  }
}
