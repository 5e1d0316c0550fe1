/**
 * All UI strings, one module per view so a translation replaces these objects and nothing else.
 * Views import `t` and never hard-code text in templates.
 */
export { shell } from './shell.js';
