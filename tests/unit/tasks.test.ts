import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { formatNode, parseNodes } from '../../src/mcts/roles.js';
import { lastBoxed, parseNumber } from '../../src/tasks/answer.js';
import { checkPlan, parsePlan } from '../../src/tasks/blocksworld.js';
import { FAMILIES, family, generateProblems } from '../../src/tasks/index.js';
import { countLetter } from '../../src/tasks/letters.js';

describe('answer extraction', () => {
  it('takes the last complete \\boxed{} with nested braces', () => {
    expect(lastBoxed('\\boxed{2} no wait \\boxed{\\frac{1}{2}}')).toBe('\\frac{1}{2}');
    expect(lastBoxed('no box here')).toBeNull();
    expect(lastBoxed('\\boxed{3')).toBeNull();
    expect(parseNumber('1,234')).toBe(1234);
    expect(parseNumber('\\frac{3}{4}')).toBe(0.75);
    expect(parseNumber('abc')).toBeNull();
  });
});

describe('task families', () => {
  for (const name of Object.keys(FAMILIES)) {
    it(`${name}: generation is seeded and the solver's answer verifies`, () => {
      const a = generateProblems(name, 30, 5);
      expect(generateProblems(name, 30, 5)).toEqual(a);
      expect(generateProblems(name, 30, 6).map((p) => p.question)).not.toEqual(a.map((p) => p.question));
      const f = family(name);
      for (const p of a) {
        const t = f.solve(p, new Rng(p.id));
        const good = f.verify(p, formatNode('Answer', `The answer is: \\boxed{${t.answer}}`));
        expect(good.correct, `${p.id}: ${good.reason}`).toBe(true);
        if (t.wrongAnswer !== null) expect(f.verify(p, `\\boxed{${t.wrongAnswer}}`).correct).toBe(false);
        expect(f.verify(p, 'I do not know').reason).toMatch(/no \\boxed/);
      }
    });
  }

  it('a call without a difficulty uses the family\'s default level (word problems: level 2)', () => {
    for (const name of Object.keys(FAMILIES)) {
      const d = family(name).defaultDifficulty;
      expect(generateProblems(name, 10, 3)).toEqual(generateProblems(name, 10, 3, { difficulty: d }));
    }
    expect(family('wordproblems').defaultDifficulty).toBe(2);
    // Level 1 asks for exactly two changes; the default draws two or three, so some have three.
    // Sentences: "X has N items.", one per change, then the question.
    const changes = (q: string) => q.split('. ').length - 2;
    expect(generateProblems('wordproblems', 40, 3, { difficulty: 1 }).every((p) => changes(p.question) === 2)).toBe(true);
    expect(generateProblems('wordproblems', 40, 3).some((p) => changes(p.question) === 3)).toBe(true);
  });

  it('letters counts case-insensitively and keeps accents distinct', () => {
    expect(countLetter('STRAWberry', 'r')).toBe(3);
    expect(countLetter('élève', 'e')).toBe(1);
    expect(countLetter('élève', 'é')).toBe(1);
  });

  it('unknown task names list the valid ones', () => {
    expect(() => family('chess')).toThrow(/unknown task "chess".*letters/);
  });
});

describe('blocksworld plan checking (reference examples)', () => {
  const init = ['clear b', 'on b a', 'ontable a', 'handempty'];
  const goal = ['on a b'];
  it('accepts the valid plan and names the failing step otherwise', () => {
    expect(checkPlan(init, goal, parsePlan('unstack b a, put-down b, pick-up a, stack a b')).valid).toBe(true);
    const r = checkPlan(init, goal, parsePlan('pick-up a'));
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/step 1.*a is not clear/);
    expect(checkPlan(init, goal, parsePlan('unstack b a, put-down b')).reason).toMatch(/goal not met/);
    expect(checkPlan(init, goal, []).valid).toBe(false);
  });
  it('parses PlanBench-style phrasing', () => {
    expect(parsePlan('(unstack b a)\n(put-down b)\n1. pick up a\n2. stack a on b')).toEqual(['unstack b a', 'put-down b', 'pick-up a', 'stack a b']);
  });
  it('generated problems name blocks by colour: start facts tower by tower from the top, goal facts from the bottom', () => {
    const [p] = generateProblems('blocksworld', 1, 3);
    const data = p!.data as { init: string[]; goal: string[] };
    const fact = '(red|blue|green) is on (red|blue|green|the table)';
    expect(p!.question).toMatch(new RegExp(`^Start: ${fact}(, ${fact}){2}\\. Goal: ${fact}(, ${fact})*\\. Give a plan\\.$`));
    expect(p!.answer).toMatch(/^(unstack|pick-up) (red|blue|green) /);
    // A plan may name blocks by colour ("red block", "red") or by id; a wrong colour fails.
    const byId = parsePlan(p!.answer, { a: 'red block', b: 'blue block', c: 'green block' });
    expect(checkPlan(data.init, data.goal, byId).valid).toBe(true);
    expect(FAMILIES.blocksworld.verify(p!, `\\boxed{${p!.answer.replace(/blue/g, 'the blue block')}}`).correct).toBe(true);
    const swapped = p!.answer.replace(/red|green/g, (c) => (c === 'red' ? 'green' : 'red'));
    expect(FAMILIES.blocksworld.verify(p!, `\\boxed{${swapped}}`).correct).toBe(false);
  });
});

describe('thought-node roles', () => {
  it('round-trips formatted nodes and keeps loose text as Thinking', () => {
    const text = formatNode('Sub-Task', 'split it') + 'loose words' + formatNode('Answer', '\\boxed{3}') + '<Reflection>unfinished';
    const nodes = parseNodes(text);
    expect(nodes.map((n) => n.role)).toEqual(['Sub-Task', 'Thinking', 'Answer', 'Reflection']);
    expect(nodes[0]!.content).toBe('split it');
    expect(nodes[2]!.content).toBe('\\boxed{3}');
    expect(nodes[3]!.closed).toBe(false);
  });
});
