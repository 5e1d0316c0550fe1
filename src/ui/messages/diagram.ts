/** Strings of the Search view's tree diagram (picture, legend, zoom and export buttons). */
export const diagram = {
  heading: 'Tree diagram',
  toolbar: 'Diagram zoom and export',
  zoomIn: 'Zoom in',
  zoomOut: 'Zoom out',
  fit: 'Fit',
  fitLabel: 'Fit the whole tree',
  exportSvg: 'Export SVG',
  exportPng: 'Export PNG',
  exportFailed: (msg: string) => `Export failed: ${msg}`,
  legend: 'Legend',
  question: 'Question (root)',
  qScale: 'Fill: Q (mean reward) low → high; hollow: not visited',
  edges: 'Edge width: visits',
  path: 'Highlighted path (orange, with halo)',
  selected: 'Selected node (blue ring)',
  backtrack: 'Backtrack: wrong Answer → its Reflection (dashed)',
  backtrackTitle: (from: number, reflection: number, anchor: number) => `Backtrack: wrong Answer #${from} → Reflection #${reflection} (attached under #${anchor})`,
  verdicts: '✓ correct / ✗ wrong answer',
  hint: 'Wheel or +/− zoom, drag pans, click a node to select it. Keyboard and screen reader: use the list.',
  /** Text alternative of the picture (role="img"). */
  summary: (step: number, total: number, shown: number, answers: number, correct: number, path: readonly number[]) =>
    `Search tree diagram at step ${step} of ${total}: ${shown} nodes, ${answers} answers evaluated (${correct} correct)` +
    (path.length ? `; highlighted path ${path.map((id) => `#${id}`).join(' → ')}.` : '.'),
};
