/**
 * Text measures of the IFEval checks (ifeval.ts), as the reference implementation computes them
 * in Python: whitespace and case as `str` does, word counts (`\\w+` runs), sentences (a documented
 * heuristic stand-in for NLTK punkt), tokens for capital words, and language identification
 * (scripts, then stopwords; a documented heuristic stand-in for langdetect).
 */
// ---------------------------------------------------------------------------------------------
// Python string semantics.

/** Python's `str.isspace()` set, which is also what `\s` matches in Python's `re`. */
export const WS = '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
export const WS_ONE = new RegExp(WS);
export const WS_RUN = new RegExp(`${WS}+`);
export const WS_LEAD = new RegExp(`^${WS}+`);
export const WS_TRAIL = new RegExp(`${WS}+$`);
export const isWs = (c: string | undefined): boolean => c !== undefined && WS_ONE.test(c);
/** Python `s.strip()`. */
export const strip = (s: string): string => s.replace(WS_LEAD, '').replace(WS_TRAIL, '');
/** Python `s.split()`: runs of whitespace, no empty items. */
export const splitWs = (s: string): string[] => s.split(WS_RUN).filter((t) => t !== '');
/** Python `s.lstrip(chars)` / `s.rstrip(chars)`. */
export function lstripChars(s: string, chars: string): string {
  let i = 0;
  while (i < s.length && chars.includes(s[i]!)) i++;
  return s.slice(i);
}
export function rstripChars(s: string, chars: string): string {
  let j = s.length;
  while (j > 0 && chars.includes(s[j - 1]!)) j--;
  return s.slice(0, j);
}
/** Python `str.isupper()` / `str.islower()`: some cased character, none of the other case. */
export const isUpper = (s: string): boolean => /\p{Uppercase}/u.test(s) && !/[\p{Lowercase}\p{Lt}]/u.test(s);
export const isLower = (s: string): boolean => /\p{Lowercase}/u.test(s) && !/[\p{Uppercase}\p{Lt}]/u.test(s);
/** Python's `\w` (letters, digits, numerics, underscore). */
export const WORD_CHAR = '[\\p{L}\\p{N}_]';
export const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
export const countMatches = (text: string, re: RegExp): number => (text.match(re) ?? []).length;

/** Words as IFEval counts them (`\w+` runs). */
export function countWords(text: string): number {
  return countMatches(text, new RegExp(`${WORD_CHAR}+`, 'gu'));
}

// ---------------------------------------------------------------------------------------------
// Sentences (approximation of NLTK punkt).

export const ABBREVIATIONS = new Set(
  'mr mrs ms dr prof sr jr st vs etc inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec fig approx dept mt ft lt col capt sgt al cf viz'.split(' '),
);
export const CLOSERS = `)"'”’»]}*_\``;
export const OPENERS = `("'“‘«[{*_\``;

export function sentenceBreakAfter(chunk: string, next: string): boolean {
  const core = rstripChars(chunk, CLOSERS);
  const last = core[core.length - 1];
  if (last === '?' || last === '!') return true;
  if (last !== '.') return false;
  const nextWord = lstripChars(next, OPENERS);
  const nextUpper = /^[\p{Lu}\p{Lt}]/u.test(nextWord);
  if (core.endsWith('..')) return nextUpper; // ellipsis
  const word = lstripChars(core.slice(0, -1), OPENERS).toLowerCase();
  if (/^\p{L}$/u.test(word)) return false; // an initial: "J. Bach"
  if (/^\p{L}(\.\p{L})+$/u.test(word)) return false; // e.g, i.e, u.s, a.m
  if (ABBREVIATIONS.has(word)) return word === 'etc' && nextUpper;
  if (/^\d+$/.test(word)) return !/^\p{Ll}/u.test(nextWord); // "1. Item" but "page 3. then"
  return true;
}

/** Sentences in `text` (heuristic stand-in for NLTK punkt; see the module comment). */
export function countSentences(text: string): number {
  const chunks = splitWs(text);
  let n = 0;
  let pending = false;
  chunks.forEach((chunk, i) => {
    pending = true;
    const next = chunks[i + 1];
    if (next !== undefined && sentenceBreakAfter(chunk, next)) {
      n++;
      pending = false;
    }
  });
  return n + (pending ? 1 : 0);
}

/** Tokens for capital-word counting (approximation of NLTK `word_tokenize`). */
export function wordTokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(new RegExp(`(?:${WS}|[,;:!?()[\\]{}<>"“”«»…/|])+`, 'u'))) {
    const t = rstripChars(lstripChars(raw, `'‘’.*_\``), `'‘’.*_\``);
    if (t === '') continue;
    const m = /^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$/iu.exec(t);
    if (m) out.push(m[1]!, m[2]!);
    else out.push(t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Language (approximation of langdetect).

export const SCRIPT_LANG: [RegExp, string][] = [
  [/\p{Script=Latin}/gu, 'Latin'],
  [/\p{Script=Cyrillic}/gu, 'Cyrillic'],
  [/\p{Script=Arabic}/gu, 'Arabic'],
  [/\p{Script=Devanagari}/gu, 'Devanagari'],
  [/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu, 'CJK'],
  [/\p{Script=Bengali}/gu, 'bn'],
  [/\p{Script=Gurmukhi}/gu, 'pa'],
  [/\p{Script=Gujarati}/gu, 'gu'],
  [/\p{Script=Tamil}/gu, 'ta'],
  [/\p{Script=Telugu}/gu, 'te'],
  [/\p{Script=Kannada}/gu, 'kn'],
  [/\p{Script=Malayalam}/gu, 'ml'],
  [/\p{Script=Thai}/gu, 'th'],
  [/\p{Script=Hangul}/gu, 'ko'],
  [/\p{Script=Hebrew}/gu, 'he'],
  [/\p{Script=Greek}/gu, 'el'],
];

export const words = (s: string): Set<string> => new Set(s.split(' '));
export const LATIN_STOPWORDS: Record<string, Set<string>> = {
  en: words('the and is are of to in that it for with as was on this be you not have by at from or an they we his her but which will can your their has were what there would all about if my i me do so a'),
  de: words('der die das und ist nicht ein eine zu den mit sich auf für von dem des im es ich sie wir auch als wie aber oder noch nach bei sind wird werden dass kann einen einer über um hat haben war'),
  es: words('el la los las de que y en un una es por con para no se del al lo como más pero su sus este esta muy está son también hay ya yo le'),
  pt: words('o a os as de que e em um uma é não do da dos das para com por se mais mas como ao na no sua seu você também são está muito isso ele ela eu'),
  fr: words('le la les de des et est un une du en que qui dans pour pas au sur ne se ce il elle avec sont mais ou nous vous je par plus cette aux'),
  it: words('il lo la gli le di che e è un una per non in con del della dei sono si da al alla ma come anche più questo questa nel nella ho ci'),
  nl: words('de het een en van is dat niet op te zijn voor met die ik je wat maar ook er aan als bij naar om'),
  pl: words('i w na nie z się to jest że do o jak ale co po tak za od są jego jej tylko przez być już dla czy ten ta może'),
  vi: words('và của là có không những các một được trong cho người này với đã để khi cũng như thì từ rất nhưng tôi bạn đó về sẽ ra làm'),
  sw: words('na ya wa kwa ni za katika la kuwa cha hii yake pia lakini kama au watu sana zaidi hiyo wako yangu mimi wewe sisi hapa kwamba vya kila ili baada'),
  fi: words('ja on ei se että hän oli ovat mutta tai kun niin myös tämä joka kuin ole olen sinä minä me te he jo vain mitä voi kaikki sen siitä nyt jos'),
};
export const LATIN_LETTERS: [RegExp, string, number][] = [
  [/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/gu, 'vi', 1],
  [/[ąęłńśźżć]/gu, 'pl', 1],
  [/[ñ¿¡]/gu, 'es', 1],
  [/[ãõ]/gu, 'pt', 1],
  [/[ßü]/gu, 'de', 0.5],
  [/[äö]/gu, 'de', 0.3],
  [/[äö]/gu, 'fi', 0.3],
  [/[œèêëàâîïùû]/gu, 'fr', 0.3],
];
export const DEVANAGARI_STOPWORDS: Record<string, Set<string>> = {
  hi: words('है हैं के में की और से का को यह कि पर भी एक नहीं था लिए हो तो ने इस जो करने होता आप'),
  mr: words('आहे आणि या व हे ही आहेत होते करून त्या मी तुम्ही म्हणून पण नाही असे केले साठी आपण होता'),
  ne: words('छ छन् र मा हो पनि गर्न यो त्यो थियो भएको गर्ने लागि हुन्छ म तपाईं हुने गरेको'),
};
export const CYRILLIC_STOPWORDS: Record<string, Set<string>> = {
  ru: words('что это как не он она но я так его все только был к у же вы мы и в на с'),
  bg: words('е са ще от да се и на за това че не като които който но по към със в'),
};

export function bestBy(scores: Record<string, number>, fallback: string): string {
  let best = fallback;
  let top = 0;
  for (const [k, v] of Object.entries(scores)) if (v > top) [best, top] = [k, v];
  return best;
}

export function stopwordScores(tokens: string[], lists: Record<string, Set<string>>): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const [lang, set] of Object.entries(lists)) scores[lang] = tokens.filter((t) => set.has(t)).length;
  return scores;
}

/**
 * ISO 639-1 code of the language `text` is written in (`zh-cn` for Chinese, as langdetect says),
 * or null when undetermined (no letters). Script + stopword heuristic; see the module comment.
 */
export function detectLanguage(text: string): string | null {
  let script: string | null = null;
  let top = 0;
  for (const [re, name] of SCRIPT_LANG) {
    const n = countMatches(text, re);
    if (n > top) [script, top] = [name, n];
  }
  if (script === null) return null;
  const lower = text.normalize('NFC').toLowerCase();
  const tokens = lower.match(/[\p{L}\p{M}]+/gu) ?? [];
  switch (script) {
    case 'CJK':
      return countMatches(text, /[\p{Script=Hiragana}\p{Script=Katakana}]/gu) > 0.05 * top ? 'ja' : 'zh-cn';
    case 'Devanagari':
      return bestBy(stopwordScores(tokens, DEVANAGARI_STOPWORDS), 'hi');
    case 'Arabic': {
      if (countMatches(text, /[ٹڈڑںےۓ]/gu) > 0) return 'ur';
      return countMatches(text, /[پچژگیک]/gu) > countMatches(text, /[يكةى]/gu) ? 'fa' : 'ar';
    }
    case 'Cyrillic': {
      if (countMatches(lower, /[іїєґ]/gu) >= 2) return 'uk';
      const s = stopwordScores(tokens, CYRILLIC_STOPWORDS);
      s.ru = (s.ru ?? 0) + countMatches(lower, /[ыэё]/gu);
      return bestBy(s, 'ru');
    }
    case 'Latin': {
      const s = stopwordScores(tokens, LATIN_STOPWORDS);
      for (const [re, lang, w] of LATIN_LETTERS) s[lang] = (s[lang] ?? 0) + w * countMatches(lower, re);
      const best = bestBy(s, '');
      if (best !== '') return best;
      return /^[\x20-\x7e\s]*$/.test(text) ? 'en' : null;
    }
    default:
      return script;
  }
}

/** IFEval counts an undetermined language as followed. */
export const inLanguage = (text: string, lang: string): boolean => {
  const got = detectLanguage(text);
  return got === null || got === lang;
};

