import type { Rng } from '../core/rng.js';
import { lastBoxed, parseNumber } from './answer.js';
import type { GenerateOptions, Problem, SolverTrace, TaskFamily, Verdict } from './types.js';

/**
 * Letter counting, the Marco-o1 speciality ("How many r's are in strawberry?"). Counting ignores
 * case; accented letters are distinct letters (e ≠ é). Words come from an English list, a
 * non-English list and procedurally built pseudo-words, with varied casing and phrasing.
 */
const ENGLISH = `strawberry raspberry blueberry banana apple orange lemon cherry mississippi committee
bookkeeper balloon coffee letter success address barrel accommodate necessary embarrass
occurrence millennium parallel possession tomorrow referral carrot mirror terrier error
programming keyboard elephant giraffe hippopotamus alligator butterfly caterpillar grasshopper
mountain river ocean island volcano desert forest meadow valley canyon glacier thunder
lightning rainbow weather sunshine blizzard hurricane tornado umbrella blanket pillow
kitchen window ceiling cabinet hallway library museum theatre stadium airport harbour
teacher student lesson pencil notebook eraser scissors alphabet sentence paragraph grammar
chocolate vanilla caramel cinnamon pepper mustard sausage spaghetti broccoli cucumber
tomato potato avocado pineapple coconut watermelon tangerine apricot nectarine grapefruit
computer algorithm variable function compiler terminal network protocol database pointer
reasoning reflection hypothesis assessment tree search answer question problem strategy
bottle puzzle riddle pepperoni assassin possess tennessee connecticut massachusetts
cappuccino espresso macaroni zucchini broccoli mozzarella parmesan lasagna ravioli`.split(/\s+/);

const FOREIGN = `erdbeere schmetterling kartoffel apfelbaum zusammenarbeit straße größe übung müller
fräulein bibliothèque élève français naïve crème pâtisserie château garçon fenêtre
mañana niño corazón canción jalapeño piñata murciélago pequeño señorita
gelato cioccolato spaghetti arrivederci ciliegia farfalla pomodoro bicicletta
sjukhus smörgås kärlek fjäril björnbär tusenfoting jordgubbe
saudade coração pão limão açúcar`.split(/\s+/);

/** Every listed word a letter question may ask about (the embedded tokenizer keeps these as bytes). */
export const LETTER_WORDS: readonly string[] = [...ENGLISH, ...FOREIGN];

const CONSONANTS = 'bcdfghjklmnprstvwz';
const VOWELS = 'aeiou';

function pseudoWord(rng: Rng, syllables: number): string {
  let w = '';
  for (let i = 0; i < syllables; i++) {
    w += rng.pick([...CONSONANTS]) + rng.pick([...VOWELS]);
    if (rng.chance(0.35)) w += rng.pick([...CONSONANTS]);
    // Doubled letters make counting interesting (the strawberry effect).
    if (rng.chance(0.15)) w += w[w.length - 1];
  }
  return w;
}

function applyCase(rng: Rng, word: string): string {
  const r = rng.next();
  if (r < 0.6) return word;
  if (r < 0.8) return word[0]!.toUpperCase() + word.slice(1);
  if (r < 0.9) return word.toUpperCase();
  return [...word].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c)).join('');
}

/** Case-insensitive occurrences of `letter` in `word`. */
export function countLetter(word: string, letter: string): number {
  const l = letter.toLowerCase();
  return [...word].filter((c) => c.toLowerCase() === l).length;
}

interface LettersData {
  word: string;
  letter: string;
}

const TEMPLATES: ((w: string, l: string) => string)[] = [
  (w, l) => `How many ${l}'s are in ${w}?`,
  (w, l) => `How many times does the letter "${l}" appear in "${w}"?`,
  (w, l) => `Count the letter ${l} in the word ${w}.`,
  (w, l) => `How many "${l}" are there in "${w}"?`,
  (w, l) => `In the word "${w}", how many times does "${l}" occur?`,
];

function generate(rng: Rng, index: number, opts: GenerateOptions = {}): Problem {
  const difficulty = opts.difficulty ?? 1;
  const source = rng.next();
  let base: string;
  if (source < 0.5) base = rng.pick(ENGLISH);
  else if (source < 0.65) base = rng.pick(FOREIGN);
  else base = pseudoWord(rng, rng.range(2, 2 + difficulty * 2));
  const word = applyCase(rng, base);
  const letters = [...new Set([...base.toLowerCase()])].filter((c) => /\p{L}/u.test(c));
  // Mostly ask about a letter that occurs (weighted by frequency), sometimes one that may not.
  const letterLower = rng.chance(0.85) ? rng.pick([...base.toLowerCase()].filter((c) => letters.includes(c))) : rng.pick([...'abcdefghijklmnopqrstuvwxyz']);
  const letter = rng.chance(0.2) ? letterLower.toUpperCase() : letterLower;
  const question = rng.pick(TEMPLATES)(word, letter);
  const data: LettersData = { word, letter };
  return { id: `letters-${index}`, family: 'letters', question, answer: String(countLetter(word, letter)), data };
}

/** `s,t,r(1),a,...` — every character, with a running count on the matches. */
function spell(word: string, letter: string, skipAt = -1, extraAt = -1): { text: string; count: number } {
  const l = letter.toLowerCase();
  let n = 0;
  const parts = [...word].map((c, i) => {
    const hit = (c.toLowerCase() === l && i !== skipAt) || i === extraAt;
    if (!hit) return c;
    n++;
    return `${c}(${n})`;
  });
  return { text: parts.join(','), count: n };
}

function solve(problem: Problem, rng: Rng): SolverTrace {
  const { word, letter } = problem.data as LettersData;
  const right = spell(word, letter);
  const hits = [...word].map((c, i) => (c.toLowerCase() === letter.toLowerCase() ? i : -1)).filter((i) => i >= 0);
  const misses = [...word].map((c, i) => (c.toLowerCase() !== letter.toLowerCase() ? i : -1)).filter((i) => i >= 0);
  // A slip: overlook one occurrence, or count a look-alike letter.
  const wrong = hits.length > 0 && (misses.length === 0 || rng.chance(0.7)) ? spell(word, letter, rng.pick(hits)) : spell(word, letter, -1, rng.pick(misses));
  const matches = hits.map((i) => word[i]).join(',') || 'none';
  const total = (n: number) => `Total: ${n}.`;
  return {
    subTask: `Spell "${word}" and count each "${letter}", ignoring case.`,
    thinking: `${right.text}. ${total(right.count)}`,
    wrongThinking: `${wrong.text}. ${total(wrong.count)}`,
    wrongAnswer: String(wrong.count),
    reflection: `${right.text}. ${total(right.count)}`,
    doubleCheck: `Matches: ${matches}. That is ${right.count}, correct.`,
    doubleCheckFix: `Matches: ${matches}. That is ${right.count}, not ${wrong.count}.`,
    reclarify: `count "${letter}" in "${word}", ignoring case.`,
    answer: String(right.count),
  };
}

function verify(problem: Problem, output: string): Verdict {
  const extracted = lastBoxed(output);
  if (extracted === null) return { correct: false, extracted: null, reason: 'no \\boxed{} answer' };
  const got = parseNumber(extracted);
  if (got === null) return { correct: false, extracted, reason: `boxed answer "${extracted}" is not a count` };
  const correct = got === Number(problem.answer);
  return { correct, extracted, reason: correct ? 'match' : `expected ${problem.answer}, got ${extracted}` };
}

export const letters: TaskFamily = {
  name: 'letters',
  defaultDifficulty: 1,
  description: 'Count a letter in a word (any casing, English and non-English words).',
  generate,
  solve,
  verify,
};
