/**
 * A custom reasoning pattern in a lesson link, compactly: one letter per role and the sample
 * counts as digits, so the whole Figure 2(a) matrix is `S2T.ST2.TA1.RA1` instead of ~150
 * characters of percent-encoded JSON. Name and description travel as their own hash keys (free
 * text, encoded by the URL). Pure: no DOM, no Node.
 *
 * `pat` = `{start}{rootSamples}{backtrack}` then, per row of the node-transfer matrix in its
 * order, `.{from}{child}{samples}{child}{samples}…` (a row with no edges is `.{from}`).
 */
import { validatePattern, type ReasoningPattern } from './patterns.js';
import { ROLES, type Role } from './roles.js';

/** One URL-safe letter per role. */
export const ROLE_CODES: Readonly<Record<Role, string>> = {
  Thinking: 'T',
  'Sub-Task': 'S',
  Reflection: 'R',
  Hypothesis: 'H',
  'Double-Check': 'D',
  Reclarify: 'C',
  Answer: 'A',
};

const BY_CODE = new Map<string, Role>(ROLES.map((r) => [ROLE_CODES[r], r]));
const CODE_LIST = ROLES.map((r) => `${ROLE_CODES[r]}=${r}`).join(', ');

/** The hash keys of a custom pattern. */
export interface PatternHash {
  /** The matrix, start, root samples and backtrack role. */
  pat: string;
  patname: string;
  /** Absent when the description is empty. */
  patdesc?: string;
}

/** Encode a (valid) pattern for the lesson link. */
export function encodePattern(p: ReasoningPattern): PatternHash {
  const rows = Object.entries(p.next).map(([from, edges]) => `.${ROLE_CODES[from as Role]}${Object.entries(edges ?? {}).map(([c, n]) => `${ROLE_CODES[c as Role]}${n}`).join('')}`);
  const out: PatternHash = { pat: `${ROLE_CODES[p.start]}${p.rootSamples}${ROLE_CODES[p.backtrack]}${rows.join('')}`, patname: p.name };
  if (p.description) out.patdesc = p.description;
  return out;
}

/**
 * Decode the hash keys back into a validated pattern. Throws a message naming the key and, for
 * a well-formed code that is not a usable pattern, the validator's field.
 */
export function decodePattern(h: { pat?: string; patname?: string; patdesc?: string }): ReasoningPattern {
  const source = 'lesson link';
  if (!h.pat) throw new Error(`${source}: key "pat" is missing (the custom pattern's matrix)`);
  const role = (code: string, at: string): Role => {
    const r = BY_CODE.get(code);
    if (!r) throw new Error(`${source}: key "pat" ${at}: unknown role code "${code}" (codes: ${CODE_LIST})`);
    return r;
  };
  const [head = '', ...rows] = h.pat.split('.');
  const m = /^([A-Z])(\d{1,3})([A-Z])$/.exec(head);
  if (!m) throw new Error(`${source}: key "pat" must start with start role, root samples and backtrack role, e.g. "S2T", got "${head}"`);
  const next: Record<string, Record<string, number>> = {};
  for (const row of rows) {
    const r = /^([A-Z])((?:[A-Z]\d{1,3})*)$/.exec(row);
    if (!r) throw new Error(`${source}: key "pat" row "${row}" must be a role letter then child letters with sample counts, e.g. "ST2"`);
    const from = role(r[1]!, `row "${row}"`);
    if (from in next) throw new Error(`${source}: key "pat" has two rows for ${from}`);
    const edges: Record<string, number> = {};
    for (const e of r[2]!.matchAll(/([A-Z])(\d+)/g)) {
      const child = role(e[1]!, `row "${row}"`);
      if (child in edges) throw new Error(`${source}: key "pat" row "${row}" names ${child} twice`);
      edges[child] = Number(e[2]);
    }
    next[from] = edges;
  }
  const raw = { name: h.patname ?? '', description: h.patdesc ?? '', start: role(m[1]!, 'start'), rootSamples: Number(m[2]), next, backtrack: role(m[3]!, 'backtrack') };
  return validatePattern(raw, source);
}
