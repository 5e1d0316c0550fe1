import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { LengthBucket } from '../../data/extract.js';
import { data as t } from '../messages/data.js';
import { linear } from './density.js';
import type { LengthChartModel } from './length-chart-model.js';

/** Per bucket: colour, fill pattern and curve dash, so a bucket is never told apart by colour alone. */
export const BUCKET_STYLE: Record<LengthBucket, { color: string; dash: string; pattern: 'hatch' | 'dots' | 'cross' }> = {
  short: { color: '#1f5fa8', dash: '', pattern: 'hatch' },
  medium: { color: '#b35900', dash: '8 4', pattern: 'dots' },
  long: { color: '#2d7a32', dash: '2 3', pattern: 'cross' },
};

const W = 640;
const H = 280;
const M = { l: 56, r: 16, t: 16, b: 46 };
let nextId = 0;

const fmt = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1));

/**
 * Histogram of path lengths stacked by length bucket with one KDE curve per bucket (the paper's
 * Figure 3), as SVG. The chart is `role="img"` with an aria-label summarising the data, and a
 * collapsible table gives the same numbers. Buckets differ by fill pattern, curve dash and label,
 * not only by colour.
 *
 * @property model - from `lengthChartModel()`; nothing is drawn while null.
 */
@customElement('lab-length-chart')
export class LabLengthChart extends LitElement {
  @property({ attribute: false }) model: LengthChartModel | null = null;
  private readonly uid = `lc${nextId++}`;

  static override styles = css`
    :host { display: block; }
    svg { width: 100%; height: auto; max-width: 720px; font: 12px system-ui, sans-serif; }
    .axis { stroke: #555; }
    .grid { stroke: #e4e6ec; }
    ul.legend { list-style: none; padding: 0; margin: 0.25rem 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; }
    ul.legend li { display: flex; align-items: center; gap: 0.35rem; }
    table { border-collapse: collapse; font-size: 0.85rem; }
    th, td { border: 1px solid #d8dce6; padding: 0.15rem 0.5rem; text-align: right; }
  `;

  /** Text alternative: counts, range and the median length of each bucket. */
  summary(m: LengthChartModel): string {
    const parts = m.curves.map((c) => t.legendEntry(t.bucketNames[c.bucket], c.n, c.median));
    const all = m.curves.flatMap((c) => [c.min, c.max]);
    return t.chartSummary(m.n, all.length ? Math.min(...all) : NaN, all.length ? Math.max(...all) : NaN, parts);
  }

  private defs() {
    const id = this.uid;
    return svg`<defs>
      <pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="6" height="6" fill="#dbe7f6"></rect><line x1="0" y1="0" x2="0" y2="6" stroke="${BUCKET_STYLE.short.color}" stroke-width="2"></line>
      </pattern>
      <pattern id="${id}-dots" width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" fill="#f8e3cc"></rect><circle cx="3" cy="3" r="1.4" fill="${BUCKET_STYLE.medium.color}"></circle>
      </pattern>
      <pattern id="${id}-cross" width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" fill="#d9eedb"></rect><path d="M0 0L6 6M6 0L0 6" stroke="${BUCKET_STYLE.long.color}" stroke-width="1"></path>
      </pattern>
    </defs>`;
  }

  private swatch(b: LengthBucket) {
    const s = BUCKET_STYLE[b];
    // The patterns are defined once, in the chart's <defs> (same shadow root).
    return html`<svg width="44" height="16" aria-hidden="true">
      <rect x="1" y="2" width="16" height="12" fill="url(#${this.uid}-${s.pattern})" stroke=${s.color}></rect>
      <line x1="21" y1="8" x2="43" y2="8" stroke=${s.color} stroke-width="2.5" stroke-dasharray=${s.dash || 'none'}></line>
    </svg>`;
  }

  override render() {
    const m = this.model;
    if (!m) return nothing;
    const x = linear(m.xMin, m.xMax, M.l, W - M.r);
    const y = linear(0, m.yMax, H - M.b, M.t);
    const bars = m.bins.flatMap((bin) => {
      let base = 0;
      return (['short', 'medium', 'long'] as const).map((b) => {
        const c = bin.counts[b];
        const y0 = y(base);
        base += c;
        if (!c) return nothing;
        const s = BUCKET_STYLE[b];
        return svg`<rect x=${x(bin.x0) + 0.5} y=${y(base)} width=${Math.max(0.5, x(bin.x1) - x(bin.x0) - 1)} height=${Math.max(0, y0 - y(base))}
          fill="url(#${this.uid}-${s.pattern})" stroke=${s.color} stroke-width="0.75"><title>${`${fmt(bin.x0)}–${fmt(bin.x1)} tokens, ${t.bucketNames[b]}: ${c}`}</title></rect>`;
      });
    });
    const curves = m.curves.map((c) => {
      const s = BUCKET_STYLE[c.bucket];
      const d = c.scaled.map(([cx, cy], i) => `${i ? 'L' : 'M'}${x(cx).toFixed(1)} ${y(cy).toFixed(1)}`).join(' ');
      const peak = c.scaled.reduce((a, b) => (b[1] > a[1] ? b : a));
      return svg`<path d=${d} fill="none" stroke=${s.color} stroke-width="2.5" stroke-dasharray=${s.dash || 'none'}></path>
        <text x=${x(peak[0])} y=${Math.max(M.t + 10, y(peak[1]) - 6)} text-anchor="middle" fill=${s.color} font-weight="600">${t.bucketNames[c.bucket]}</text>`;
    });
    const summary = this.summary(m);
    return html`
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${summary}>
        ${this.defs()}
        ${m.yTicks.map((v) => svg`<line class="grid" x1=${M.l} x2=${W - M.r} y1=${y(v)} y2=${y(v)}></line>
          <text x=${M.l - 6} y=${y(v) + 4} text-anchor="end">${fmt(v)}</text>`)}
        ${bars} ${curves}
        <line class="axis" x1=${M.l} x2=${W - M.r} y1=${H - M.b} y2=${H - M.b}></line>
        <line class="axis" x1=${M.l} x2=${M.l} y1=${M.t} y2=${H - M.b}></line>
        ${m.xTicks.map((v) => svg`<line class="axis" x1=${x(v)} x2=${x(v)} y1=${H - M.b} y2=${H - M.b + 5}></line>
          <text x=${x(v)} y=${H - M.b + 18} text-anchor="middle">${fmt(v)}</text>`)}
        <text x=${(M.l + W - M.r) / 2} y=${H - 6} text-anchor="middle">${t.xAxis}</text>
        <text transform="translate(14 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${t.yAxis}</text>
      </svg>
      <ul class="legend">
        ${m.curves.map((c) => html`<li>${this.swatch(c.bucket)}<span>${t.legendEntry(t.bucketNames[c.bucket], c.n, c.median)}</span></li>`)}
      </ul>
      <details>
        <summary>${t.chartTable}</summary>
        <table>
          <thead><tr><th scope="col">${t.tableBin}</th>${(['short', 'medium', 'long'] as const).map((b) => html`<th scope="col">${t.bucketNames[b]}</th>`)}<th scope="col">${t.tableTotal}</th></tr></thead>
          <tbody>
            ${m.bins.map((b) => html`<tr><th scope="row">${fmt(b.x0)}–${fmt(b.x1)}</th><td>${b.counts.short}</td><td>${b.counts.medium}</td><td>${b.counts.long}</td><td>${b.total}</td></tr>`)}
          </tbody>
        </table>
      </details>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-length-chart': LabLengthChart;
  }
}
