/**
 * Recorded demo runs: the committed files are small, load through `loadDemo` (validated like an
 * import), replay (one backprop event per rollout) and put a tree and its DPO pairs on a session.
 */
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/ui/app/session.js';
import { applyDemo, listDemos, loadDemo } from '../../src/ui/demos.js';

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
