/**
 * Recorded demo runs: the committed files are small, load through `loadDemo` (validated like an
 * import), replay (one backprop event per rollout) and put a tree and its DPO pairs on a session.
 */
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/ui/app/session.js';
import { applyDemo, listDemos, loadDemo } from '../../src/ui/demos.js';
import { LESSON_STEPS } from '../../src/ui/lessons/steps.js';
import { loadTrainRecording } from '../../src/ui/train/recording.js';

const dir = new URL('../../public/demos/', import.meta.url);
const fromDisk = async (url: string) => {
  try {
    const body = readFileSync(new URL(url.replace(/^\/demos\//, ''), dir), 'utf8');
    return { ok: true, status: 200, text: async () => body };
  } catch {
    return { ok: false, status: 404, text: async () => '' };
  }
};

describe('recorded demos', () => {
  it('are listed, small, and load as a replayable tree', async () => {
    const list = await listDemos(fromDisk, '/demos/');
    expect(list.length).toBeGreaterThan(0);
    for (const d of list) expect(statSync(new URL(d.file, dir)).size).toBeLessThan(300_000);
    const demo = await loadDemo(list[0]!.file, fromDisk, '/demos/');
    const t = demo.tree;
    expect(t.schema).toBe('reasoning-lab/tree@1');
    expect(t.events.filter((e) => e.type === 'backprop')).toHaveLength(t.stats.rollouts);
    expect(t.nodes.some((n) => n.role === 'Answer')).toBe(true);
    const s = new Session();
    applyDemo(demo, s);
    expect(s.state.trees).toEqual([t]);
    expect(s.state.runId).toBeNull();
    expect(s.state.pairs.length).toBe(demo.dpo.length);
  });

  it('report a missing file and a wrong schema by URL', async () => {
    await expect(loadDemo('nope.json', fromDisk, '/demos/')).rejects.toThrow(/\/demos\/nope\.json answered HTTP 404/);
    const bad = async () => ({ ok: true, status: 200, text: async () => '{"schema":"x"}' });
    await expect(loadDemo('x.json', bad, '/demos/')).rejects.toThrow(/field "schema" must be "reasoning-lab\/demo@1"/);
    const down = async () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(listDemos(down, '/demos/')).rejects.toThrow(/could not fetch \/demos\/index\.json: Failed to fetch/);
  });
});

describe('recorded training runs of the post-training lessons', () => {
  // Each lesson step's recording must be the run its row of bench/RESULTS.md reports (both come
  // from bench/post-training.ts): the table's last-step margin and chosen / rejected rewards.
  const results = readFileSync(new URL('../../bench/RESULTS.md', import.meta.url), 'utf8');
  const rowOf = (label: string) => {
    const line = results.split('\n').find((l) => l.startsWith(`| ${label} |`));
    if (!line) throw new Error(`bench/RESULTS.md has no row "${label}"`);
    const cells = line.split('|').map((c) => c.trim());
    const [chosen, rejected] = cells.at(-2)!.split('/').map(Number);
    return { margin: Number(cells.at(-3)), chosen: chosen!, rejected: rejected! };
  };
  const rows: Record<string, string> = { 'train-dpo-all': '+ DPO (all pairs)', 'train-dpo-short': 'DPO, short paths', 'train-joint-a1': 'alpha 1' };
  const steps = LESSON_STEPS.filter((s) => s.params.trec);

  it('every post-training lesson step has a recording; each loads and is the run of its table row', async () => {
    expect(steps.map((s) => s.params.trec).sort()).toEqual(Object.keys(rows).sort());
    for (const step of steps) {
      const name = step.params.trec!;
      const rec = await loadTrainRecording(name, async (u) => new Response(readFileSync(new URL(u.replace(/^.*\/demos\//, ''), dir))));
      expect(rec.metrics.map((m) => m.step)).toEqual(Array.from({ length: Number(step.params.tsteps) }, (_, i) => i + 1));
      const last = rec.metrics.at(-1)!;
      const want = rowOf(rows[name]!);
      expect(last['rewards/margins']!, name).toBeCloseTo(want.margin, 2);
      expect(last['rewards/chosen']!, name).toBeCloseTo(want.chosen, 2);
      expect(last['rewards/rejected']!, name).toBeCloseTo(want.rejected, 2);
      for (const m of rec.metrics) expect(Number.isFinite(m.loss), `${name} step ${m.step}`).toBe(true);
    }
  });
});
