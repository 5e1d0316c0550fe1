/**
 * Export of the tree diagram as a stand-alone picture: the live <svg> cloned with every style
 * already inline (the diagram draws with presentation attributes only), framed on the whole tree
 * with a white background and a legend, serialised with XMLSerializer; and the same SVG drawn on
 * a canvas for a PNG. Text goes in through `textContent` only, so model text stays text.
 */
import { diagram as t } from '../messages/diagram.js';
import { downloadText } from '../data/download.js';
import { ROLE_STYLE, shapePath, type Box } from './diagram-model.js';

const NS = 'http://www.w3.org/2000/svg';
const LEGEND_ROW = 22;

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The legend as SVG rows under the tree, wrapped to `width`; returns the group and its height. */
function legendGroup(x: number, y: number, width: number): { g: SVGElement; h: number } {
  const g = el('g', { 'data-legend': '', 'font-size': 11 });
  const items: { draw: (gx: number) => SVGElement; label: string }[] = [
    ...Object.entries(ROLE_STYLE).map(([role, s]) => ({
      draw: (gx: number) => el('path', { d: shapePath(s.shape, 6), transform: `translate(${gx + 7} 0)`, fill: s.color, 'fill-opacity': 0.6, stroke: s.color, 'stroke-width': 1.5 }),
      label: role === 'root' ? t.question : role,
    })),
    { draw: (gx) => el('path', { d: `M${gx} 0H${gx + 16}`, stroke: '#d55e00', 'stroke-width': 2, 'stroke-dasharray': '5 3' }), label: t.backtrack },
    { draw: (gx) => el('path', { d: `M${gx} 0H${gx + 16}`, stroke: '#d97706', 'stroke-width': 7, 'stroke-opacity': 0.55 }), label: t.path },
    { draw: (gx) => el('circle', { cx: gx + 8, cy: 0, r: 6, fill: '#ffffff', stroke: '#17603a', 'stroke-width': 1.6 }), label: t.verdicts },
    { draw: (gx) => el('circle', { cx: gx + 8, cy: 0, r: 6, fill: 'none', stroke: '#2d5bd7', 'stroke-width': 2.5 }), label: t.selected },
    { draw: (gx) => el('path', { d: `M${gx} 0H${gx + 16}`, stroke: '#7b8190', 'stroke-width': 4 }), label: t.edges },
    { draw: (gx) => el('rect', { x: gx, y: -6, width: 16, height: 12, fill: '#0072b2', 'fill-opacity': 0.5, stroke: '#0072b2' }), label: t.qScale },
  ];
  let cx = x, cy = y + LEGEND_ROW / 2;
  for (const it of items) {
    const w = 22 + it.label.length * 6.2 + 14;
    if (cx > x && cx + w > x + width) {
      cx = x;
      cy += LEGEND_ROW;
    }
    const row = el('g', { transform: `translate(0 ${cy})` });
    row.append(it.draw(cx), el('text', { x: cx + 22, y: 4, fill: '#1f2430' }, it.label));
    g.append(row);
    cx += w;
  }
  return { g, h: cy - y + LEGEND_ROW / 2 + 6 };
}

/** A stand-alone SVG document of the whole tree (framed on `box`, not on the zoomed view) with a legend. */
export function diagramSvgText(live: SVGSVGElement, box: Box): { text: string; width: number; height: number } {
  const clone = live.cloneNode(true) as SVGSVGElement;
  // Lit's comment markers carry no picture.
  const walker = document.createTreeWalker(clone, NodeFilter.SHOW_COMMENT);
  const comments: Node[] = [];
  while (walker.nextNode()) comments.push(walker.currentNode);
  for (const c of comments) c.parentNode?.removeChild(c);
  const { g: legend, h: lh } = legendGroup(box.x + 8, box.y + box.h, box.w - 16);
  const width = Math.ceil(box.w), height = Math.ceil(box.h + lh);
  clone.setAttribute('xmlns', NS);
  clone.setAttribute('viewBox', `${box.x} ${box.y} ${box.w} ${box.h + lh}`);
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.removeAttribute('class');
  clone.removeAttribute('style');
  const bg = el('rect', { x: box.x, y: box.y, width: box.w, height: box.h + lh, fill: '#ffffff' });
  clone.insertBefore(bg, clone.firstChild);
  clone.append(legend);
  return { text: new XMLSerializer().serializeToString(clone), width, height };
}

/** Draw an SVG document on a canvas (scale for sharpness, capped at 4096 px a side) and return a PNG. */
export async function svgToPng(text: string, width: number, height: number): Promise<Blob> {
  const scale = Math.max(0.1, Math.min(2, 4096 / Math.max(width, height)));
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas in this browser');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Download the diagram as `<name>.svg` or `<name>.png`. */
export async function downloadDiagram(live: SVGSVGElement, box: Box, name: string, format: 'svg' | 'png'): Promise<void> {
  const { text, width, height } = diagramSvgText(live, box);
  if (format === 'svg') return downloadText(`${name}.svg`, text, 'image/svg+xml');
  const png = await svgToPng(text, width, height);
  downloadText(`${name}.png`, new Uint8Array(await png.arrayBuffer()), 'image/png');
}
