/**
 * `lab mcts --out` as a real process on tiny-a: each finished tree reaches the disk at once
 * (FILE.partial), so a run killed mid-way keeps its finished trees; `--resume` skips them and the
 * resumed file holds the same trees as an uninterrupted run; it refuses a file of trees searched
 * with other settings (naming the setting) and redoes a problem whose line a crash cut short. The
 * shared atomic-write helper
 * removes its temp file when the write fails, and is the only place that renames output files.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lab } from './lab-process.js';
import { writeFileAtomic } from '../../src/cli/atomic-write.js';


/** Start `lab mcts` and SIGKILL it as soon as it reports its first finished problem. */
function killAfterFirstTree(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['bin/lab.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (/^letters-\S+: \d+ rollouts/m.test(out)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

/** Tree lines without the wall-clock field, for comparing two runs. */
const trees = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const t = JSON.parse(l);
      delete t.stats.seconds;
      return JSON.stringify(t);
    });

const ARGS = ['mcts', '--task', 'letters', '--count', '4', '--seed', '7', '--model', 'tiny-a', '--rollouts', '24'];
/** A short run (two problems, four rollouts) for the --resume checks. */
const SMALL = ['mcts', '--task', 'letters', '--count', '2', '--seed', '7', '--model', 'tiny-a', '--rollouts', '4'];

describe('lab mcts --out', () => {
  it('keeps finished trees when killed, and --resume completes the same file an uninterrupted run writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-mcts-'));
    const out = join(dir, 'trees.jsonl');
    const printed = await killAfterFirstTree([...ARGS, '--out', out]);
    expect(printed).toMatch(/letters-s7-0: /);
    expect(existsSync(out)).toBe(false);
    const partial = readFileSync(`${out}.partial`, 'utf8').trim().split('\n');
    expect(partial.length).toBeGreaterThanOrEqual(1);
    expect(partial.length).toBeLessThan(4);
    expect(JSON.parse(partial[0]!).task.problemId).toBe('letters-s7-0');

    // Without --resume the interrupted run's trees are not overwritten.
    const refused = await lab(...ARGS, '--out', out);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/trees\.jsonl\.partial holds the trees of an interrupted run: add --resume/);

    const resumed = await lab(...ARGS, '--out', out, '--resume');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resuming: ${partial.length} trees already in`);
    expect(resumed.stdout).toMatch(/letters-s7-0: already in .*, skipped/);
    expect(resumed.stdout).toContain('wrote 4 trees to');
    expect(existsSync(`${out}.partial`)).toBe(false);

    const straight = join(dir, 'straight.jsonl');
    expect((await lab(...ARGS, '--out', straight)).code).toBe(0);
    expect(trees(out)).toEqual(trees(straight));
    expect(trees(out).map((t) => JSON.parse(t).task.problemId)).toEqual(['letters-s7-0', 'letters-s7-1', 'letters-s7-2', 'letters-s7-3']);
  }, 300_000);

  it('--resume refuses trees searched with other settings, names the setting, and leaves the file as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-mcts-'));
    const out = join(dir, 'trees.jsonl');
    expect((await lab(...SMALL, '--out', out)).code).toBe(0);
    const before = readFileSync(out, 'utf8');
    const cases: [string[], RegExp][] = [
      [['--rollouts', '5'], /trees\.jsonl:1 \(problem letters-s7-0\) was searched with --rollouts 4, this run asks for --rollouts 5/],
      [['--model', 'tiny-b'], /was searched with --model tiny-a, this run asks for --model tiny-b/],
      [['--temperature', '0.5'], /was searched with --temperature 0\.8, this run asks for --temperature 0\.5/],
      [['--seed', '8'], /was searched with --seed 7, this run asks for --seed 8/],
      [['--pattern', 'double-check'], /was searched with --pattern reclarify-double-check, this run asks for --pattern double-check/],
    ];
    for (const [change, message] of cases) {
      // Later flags win: SMALL's value of the same flag is replaced.
      const r = await lab(...SMALL, ...change, '--out', out, '--resume');
      expect(r.code, change.join(' ')).toBe(1);
      expect(r.stderr, change.join(' ')).toMatch(message);
      expect(r.stderr).toMatch(/resume with the same settings, or write to another --out file/);
      expect(readFileSync(out, 'utf8')).toBe(before);
      expect(readdirSync(dir)).toEqual(['trees.jsonl']);
    }
  }, 300_000);

  it('--resume drops an unfinished last line with a message and searches that problem again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-mcts-'));
    const straight = join(dir, 'straight.jsonl');
    expect((await lab(...SMALL, '--out', straight)).code).toBe(0);
    const [first, second] = readFileSync(straight, 'utf8').trim().split('\n');
    // The settings --resume compares are in each tree.
    expect(JSON.parse(first!).config).toMatchObject({ rollouts: 4, seed: 7, temperature: 0.8, reward: 'verifier', think: 'tiny-a', reflect: 'tiny-a', backends: { think: 'ort', reflect: 'ort' } });
    // What a run killed while appending the second tree leaves behind.
    const out = join(dir, 'trees.jsonl');
    writeFileSync(`${out}.partial`, `${first}\n${second!.slice(0, second!.length >> 1)}`);
    const r = await lab(...SMALL, '--out', out, '--resume');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dropped an unfinished line .*trees\.jsonl\.partial:2: .*its problem is searched again/);
    expect(r.stdout).toContain('resuming: 1 trees already in');
    expect(r.stdout).toMatch(/letters-s7-0: already in .*, skipped/);
    expect(r.stdout).toMatch(/letters-s7-1: 4 rollouts/);
    expect(r.stdout).toContain('wrote 2 trees to');
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(trees(out)).toEqual(trees(straight));
  }, 300_000);

  it('--resume without --out is a usage error', async () => {
    const r = await lab(...ARGS, '--resume');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume needs --out/);
  });
});

describe('writeFileAtomic', () => {
  it('removes its temp file and leaves the target alone when the write fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-atomic-'));
    const target = join(dir, 'out');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x'); // a non-empty folder cannot be replaced by a file
    expect(() => writeFileAtomic(target, 'data')).toThrow();
    expect(readdirSync(dir)).toEqual(['out']);
    expect(statSync(target).isDirectory()).toBe(true);
    writeFileAtomic(join(dir, 'ok.txt'), 'hello');
    expect(readFileSync(join(dir, 'ok.txt'), 'utf8')).toBe('hello');
    expect(readdirSync(dir).sort()).toEqual(['ok.txt', 'out']);
  });

  it('is the one helper that renames output files into place (no copies in src/, tools/, bench/)', () => {
    const hits: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, f.name);
        if (f.isDirectory()) {
          if (!['node_modules', 'out'].includes(f.name)) walk(p);
        } else if (/\.(ts|js|mjs)$/.test(f.name) && /\brenameSync\(/.test(readFileSync(p, 'utf8'))) hits.push(p);
      }
    };
    ['src', 'tools', 'bench'].forEach(walk);
    expect(hits).toEqual(['src/cli/atomic-write.ts']);
  });
});
