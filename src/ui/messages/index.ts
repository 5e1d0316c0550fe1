/**
 * All UI strings, one module per view so a translation replaces these objects and nothing else.
 * Views import their strings from here (or the per-view file) and never hard-code text.
 */
export { shell } from './shell.js';
export { models } from './models-view.js';
export { search } from './search.js';
export { patterns } from './patterns.js';
export { data } from './data.js';
export { objectives } from './objectives.js';
export { evaluate } from './evaluate.js';
export { lessons } from './lessons.js';
export { runs, demos } from './runs.js';
export { modelList } from './models.js';
export { server } from './server.js';
export { train } from './train.js';
export { diagram } from './diagram.js';
export { datasets } from './datasets.js';
