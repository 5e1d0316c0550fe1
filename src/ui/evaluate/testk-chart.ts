import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { evaluate as t } from '../messages/evaluate.js';
import { describeChart, layoutChart, markerPath, type CurveSeries } from './chart.js';

/**
 * Test@k curves with 95% intervals: an SVG line chart (role="img" with a full text description)
 * followed by the same numbers as a table. Series differ by colour, dash and marker shape.
 */
@customElement('lab-testk-chart')
export class LabTestkChart extends LitElement {
  @property({ attribute: false }) series: CurveSeries[] = [];

  static override styles = css`
    :host { display: block; }
    svg { max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
    .axis { stroke: #6b7280; }
    .grid { stroke: #e5e7eb; }
    .band { opacity: 0.12; }
    .legend { display: flex; gap: 1rem; flex-wrap: wrap; margin: 0.25rem 0; }
    .legend svg { vertical-align: middle; }
    table { border-collapse: collapse; margin-top: 0.5rem; }
    th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #eceef3; text-align: right; }
    th:first-child, td:first-child { text-align: left; }
    caption { text-align: left; font-weight: 600; }
  `;

  override render() {
    const L = layoutChart(this.series);
    const { box, plot } = L;
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    return html`
      <figure style="margin:0">
        <figcaption>${t.chartTitle}</figcaption>
        <svg role="img" aria-label=${describeChart(this.series)} viewBox="0 0 ${box.width} ${box.height}" width=${box.width} height=${box.height}>
          ${L.yTicks.map((tk) => svg`<line class="grid" x1=${plot.x0} x2=${plot.x1} y1=${tk.y} y2=${tk.y}></line><text x=${plot.x0 - 6} y=${tk.y + 4} text-anchor="end">${tk.label}</text>`)}
          ${L.xTicks.map((tk) => svg`<line class="grid" x1=${tk.x} x2=${tk.x} y1=${plot.y0} y2=${plot.y1}></line><text x=${tk.x} y=${plot.y0 + 16} text-anchor="middle">${tk.k}</text>`)}
          <line class="axis" x1=${plot.x0} x2=${plot.x1} y1=${plot.y0} y2=${plot.y0}></line>
          <line class="axis" x1=${plot.x0} x2=${plot.x0} y1=${plot.y0} y2=${plot.y1}></line>
          <text x=${(plot.x0 + plot.x1) / 2} y=${box.height - 4} text-anchor="middle">${t.xAxis}</text>
          ${L.series.map(
            (s) => svg`<g aria-hidden="true">
              <path class="band" d=${s.band} fill=${s.colour}></path>
              ${s.points.map((p) => svg`<line x1=${p.x} x2=${p.x} y1=${p.yLo} y2=${p.yHi} stroke=${s.colour} stroke-width="1.5"></line><line x1=${p.x - 4} x2=${p.x + 4} y1=${p.yLo} y2=${p.yLo} stroke=${s.colour}></line><line x1=${p.x - 4} x2=${p.x + 4} y1=${p.yHi} y2=${p.yHi} stroke=${s.colour}></line>`)}
              <path d=${s.line} fill="none" stroke=${s.colour} stroke-width="2" stroke-dasharray=${s.dash || nothing}></path>
              ${s.points.map((p) => svg`<path d=${markerPath(s.marker, p.x, p.y)} fill=${s.colour} stroke="#fff"></path>`)}
            </g>`,
          )}
        </svg>
        <div class="legend" aria-label=${t.chartLegend}>
          ${L.series.map(
            (s) => html`<span><svg width="34" height="12" aria-hidden="true"><line x1="1" x2="33" y1="6" y2="6" stroke=${s.colour} stroke-width="2" stroke-dasharray=${s.dash || nothing}></line><path d=${markerPath(s.marker, 17, 6, 3.5)} fill=${s.colour}></path></svg> ${s.label} (${s.marker})</span>`,
          )}
        </div>
      </figure>
      ${this.series.length
        ? html`<table>
            <caption>${t.tableCaption}</caption>
            <thead><tr><th scope="col">${t.run_}</th><th scope="col">${t.k}</th><th scope="col">${t.value}</th><th scope="col">${t.ci}</th></tr></thead>
            <tbody>
              ${this.series.flatMap((s) => s.points.map((p) => html`<tr><th scope="row">${s.label}</th><td>${p.k}</td><td>${pct(p.value)}</td><td>${pct(p.lo)} – ${pct(p.hi)}</td></tr>`))}
            </tbody>
          </table>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-testk-chart': LabTestkChart;
  }
}
