import { css } from 'lit';

/**
 * Base styles shared by the tab views: a block host, bordered sections, headings and the error
 * box. Each view adds its own rules after these (`static styles = [viewStyles, css`…`]`).
 */
export const viewStyles = css`
  :host { display: block; }
  section { border: 1px solid #d8dce6; border-radius: 8px; padding: 0.75rem 1rem; margin: 0.75rem 0; }
  h2 { margin: 0 0 0.25rem; font-size: 1.2rem; }
  h3 { margin: 0 0 0.5rem; font-size: 1.05rem; }
  .error { background: #fde8e8; border: 1px solid #d66; padding: 0.4rem 0.6rem; border-radius: 6px; white-space: pre-wrap; }
`;
