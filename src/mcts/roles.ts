/**
 * The thought-node roles of Marco-o1 v2 (Table 2): one place per role with its tags and prompt.
 * A node is written `<Role>` + prompt + content + `</Role>`; expansion feeds the open tag and the
 * prompt to the model and stops at the close tag. Thinking has no prompt (plain continuation).
 * The tags are single tokens in the embedded models' vocabulary.
 */
export const ROLES = ['Thinking', 'Sub-Task', 'Reflection', 'Hypothesis', 'Double-Check', 'Reclarify', 'Answer'] as const;

/** One of the seven thought-node roles. */
export type Role = (typeof ROLES)[number];

/** Role prompts, verbatim from the paper's Table 2. */
export const ROLE_PROMPTS: Readonly<Record<Role, string>> = {
  Thinking: '',
  'Sub-Task': 'Firstly, I need to break down this task.',
  Reflection: "Let's check the result. Wait! something is wrong, let's think again.",
  Hypothesis: 'I propose the following hypothesis:',
  'Double-Check': 'Now, I need to check whether all the requirements are met.',
  Reclarify: 'To ensure clarity, let me restate the question or issue at hand:',
  Answer: 'The answer is:',
};

/** Opening tag of a role, e.g. `<Sub-Task>`. */
export function openTag(role: Role): string {
  return `<${role}>`;
}

/** Closing tag of a role, e.g. `</Sub-Task>`; generation of a node stops here. */
export function closeTag(role: Role): string {
  return `</${role}>`;
}

/** All open and close tags, in a fixed order (the embedded tokenizers add them as tokens). */
export const ROLE_TAGS: readonly string[] = ROLES.flatMap((r) => [openTag(r), closeTag(r)]);

/**
 * The non-empty role prompts. The embedded tokenizers add each as one (non-special) token, so a
 * tiny model spends its compute on the content of a node rather than on re-reading fixed prose.
 */
export const ROLE_PROMPT_TOKENS: readonly string[] = ROLES.map((r) => ROLE_PROMPTS[r]).filter((p) => p.length > 0);

/**
 * Where a node of `role` must end: its own close tag first (the normal end), then every tag that
 * opens or closes a role (another node starting or ending inside this one). Used as stop strings.
 */
export function nodeStops(role: Role): string[] {
  return [closeTag(role), ...ROLE_TAGS.filter((t) => t !== closeTag(role))];
}

/**
 * Cut generated node text at the first role tag in it (for engines that did not stop there), so
 * every node holds one role's text. `tag` is the tag found, or null when the text holds none.
 */
export function cutAtRoleTag(text: string): { text: string; tag: string | null } {
  let at = -1;
  let tag: string | null = null;
  for (const t of ROLE_TAGS) {
    const i = text.indexOf(t);
    if (i >= 0 && (at < 0 || i < at)) {
      at = i;
      tag = t;
    }
  }
  return at < 0 ? { text, tag: null } : { text: text.slice(0, at), tag };
}

/** The text that starts a node before the model writes its content. */
export function nodePrefix(role: Role): string {
  const prompt = ROLE_PROMPTS[role];
  return prompt ? `${openTag(role)}${prompt} ` : openTag(role);
}

/** A complete node as it appears in an assistant message. */
export function formatNode(role: Role, content: string): string {
  return `${nodePrefix(role)}${content}${closeTag(role)}`;
}

/** Type guard for role names coming from untrusted JSON. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Split an assistant message into its thought nodes. Text outside any tag pair is returned as a
 * `Thinking` node so no model output is dropped; an unclosed final node is marked `closed: false`.
 */
export function parseNodes(text: string): { role: Role; content: string; closed: boolean }[] {
  const out: { role: Role; content: string; closed: boolean }[] = [];
  const re = /<(Thinking|Sub-Task|Reflection|Hypothesis|Double-Check|Reclarify|Answer)>/g;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) {
      const rest = text.slice(pos).trim();
      if (rest) out.push({ role: 'Thinking', content: rest, closed: false });
      break;
    }
    const loose = text.slice(pos, m.index).trim();
    if (loose) out.push({ role: 'Thinking', content: loose, closed: true });
    const role = m[1] as Role;
    const start = m.index + m[0].length;
    const end = text.indexOf(closeTag(role), start);
    let content = text.slice(start, end < 0 ? undefined : end);
    const prompt = ROLE_PROMPTS[role];
    if (prompt && content.startsWith(prompt)) content = content.slice(prompt.length).trimStart();
    out.push({ role, content, closed: end >= 0 });
    pos = end < 0 ? text.length : end + closeTag(role).length;
  }
  return out;
}
