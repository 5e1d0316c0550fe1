/**
 * The WGSL masked log-prob kernel in headless Chromium (WebGPU on SwiftShader): every reference
 * case on devices with and without `subgroups`, tiling under a small cap (rows per tile, rows
 * split along the vocabulary, tile-by-tile uploads, GPUBuffer sub-ranges at unaligned offsets),
 * +90 logits, `window.lab.gpu`, and ORT scoring with logits kept on the GPU vs read back.
 * Tolerance for fp32 / GPU code: 2e-4 relative or 1e-4 absolute.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTiles } from '../../src/gpu/masked-logprobs.js';
import { openLab, type Lab } from './chromium.js';

// Next to the checkout (../shared/reference/), wherever it is, as in tests/unit/reference.test.ts.
const CASES = new URL('../../../shared/reference/logprob_cases.json', import.meta.url).pathname;
const present = existsSync(CASES);
if (!present) console.warn(`\n*** ${CASES} is missing: the reference-case tests of tests/browser/kernel.test.ts are SKIPPED (synthetic cases still run) ***\n`);

interface Case {
  input: { id: string; vocab: number; logits: number[]; targets: number[]; mask: number[] };
  expected: { id: string; token_logps: number[]; sum: number; count: number };
}
const parsed: unknown = present ? JSON.parse(readFileSync(CASES, 'utf8')) : [];
const cases: Case[] = Array.isArray(parsed) ? (parsed as Case[]) : ((parsed as { cases?: Case[] }).cases ?? []);

/** |a - b| <= max(1e-4, 2e-4 |b|) */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(1e-4, 2e-4 * Math.abs(b));
}
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  expect(got.length, what).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) if (!close(got[i]!, want[i]!)) bad.push(`[${i}] ${got[i]} vs ${want[i]}`);
  expect(bad.slice(0, 5), `${what}: ${bad.length} values off`).toEqual([]);
}

describe('tile planner (Node)', () => {
  const check = (rows: number, vocab: number, capBytes: number, alignment: number, offsetBytes: number) => {
    const plan = planTiles({ rows, vocab, capBytes, alignment, offsetBytes });
    let g = 0;
    let e = 0;
    for (const t of plan.tiles) {
      expect(t.g0).toBe(g); // chunks covered once, in order
      expect(t.e0).toBe(e);
      expect(t.bindOffset % alignment).toBe(0);
      expect(t.bindSize).toBeLessThanOrEqual(capBytes);
      expect(t.bindOffset + t.shift * 4).toBe(offsetBytes + t.e0 * 4);
      expect(t.bindOffset + t.bindSize).toBe(offsetBytes + t.e1 * 4);
      g += t.n;
      e = t.e1;
    }
    expect(g).toBe(rows * plan.chunksPerRow);
    expect(e).toBe(rows * vocab);
    expect(plan.chunk * plan.chunksPerRow).toBeGreaterThanOrEqual(vocab);
    expect(rows * plan.chunksPerRow * 8).toBeLessThanOrEqual(capBytes);
    return plan;
  };

  it('V = 151,936 and T = 4,096 (2.5 GB) fit 128 MiB bindings at aligned offsets', () => {
    const plan = check(4096, 151_936, 128 * 2 ** 20, 256, 0);
    expect(plan.tiles.length).toBeGreaterThanOrEqual(19);
    expect(plan.tiles.length).toBeLessThan(25);
    check(4096, 151_936, 128 * 2 ** 20, 256, 4 * 12345);
  });

  it('rows larger than the cap are split along the vocabulary', () => {
    const plan = check(12, 151_936, 256 * 1024, 256, 36);
    expect(plan.chunk * 4).toBeLessThanOrEqual(256 * 1024);
    expect(plan.chunksPerRow).toBeGreaterThan(2);
    check(3, 4099, 1024, 256, 0);
  });
});

let lab: Lab;
beforeAll(async () => {
  lab = await openLab('/tests/browser/kernel-harness.html');
  await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
});
afterAll(async () => lab?.close());

const kt = <T>(fn: string, ...args: unknown[]): Promise<T> => lab.page.evaluate(([f, a]) => (globalThis as any).kernelTest[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

interface GpuOut {
  tokenLogps: number[];
  sum: number;
  count: number;
  bytesRead: number;
  usesSubgroups: boolean;
  usesSubgroupId: boolean;
  tiles: number;
  chunksPerRow: number;
  maxBindSize: number;
  staged: boolean;
  capBytes: number;
  workgroupSize: number;
}
interface Synth {
  gpu: GpuOut;
  ref: { tokenLogps: number[]; sum: number; count: number };
}

describe('masked log-prob kernel on WebGPU', () => {
  it('devices with and without the subgroups feature', async () => {
    const info = await kt<any>('adapterInfo');
    expect(info).not.toBeNull();
    expect(info.features).toContain('subgroups');
    expect(info.deviceWith).toBe(true);
    expect(info.deviceWithout).toBe(false);
  });

  describe.skipIf(!present)('logprob_cases.json', () => {
    const configs = [
      { subgroups: true, name: 'subgroups reduction, workgroup size by chunk' },
      { subgroups: false, name: 'shared-memory reduction, workgroup size by chunk' },
      { subgroups: true, workgroupSize: 256, targetWorkgroups: 1024, name: 'subgroups, 256 invocations, rows split as on a GPU' },
      { subgroups: false, workgroupSize: 32, targetWorkgroups: 1024, name: 'shared memory, 32 invocations, rows split as on a GPU' },
    ];
    for (const { name, ...o } of configs) {
      it(`all cases match the reference (${name})`, async () => {
        expect(cases.length).toBeGreaterThan(0);
        const sizes = new Set<number>();
        for (const c of cases) {
          const r = await kt<GpuOut>('runCase', c.input, o);
          expect(r.usesSubgroups).toBe(o.subgroups);
          sizes.add(r.workgroupSize);
          expectClose(r.tokenLogps, c.expected.token_logps, `${c.input.id} token_logps`);
          expect(close(r.sum, c.expected.sum), `${c.input.id} sum ${r.sum} vs ${c.expected.sum}`).toBe(true);
          expect(r.count).toBe(c.expected.count);
          expect(r.bytesRead).toBe(c.input.mask.filter((m) => m).length * c.input.vocab * 4);
        }
        if (o.workgroupSize) expect([...sizes]).toEqual([o.workgroupSize]);
        else expect(sizes.size).toBeGreaterThan(1);
      });
    }

    it('the +90 cases are among them and do not overflow; a GPUBuffer at an unaligned offset gives the same', async () => {
      const big = cases.filter((c) => Math.min(...c.input.logits) > 50);
      expect(big.length).toBeGreaterThan(0);
      for (const c of big) {
        const r = await kt<GpuOut>('runCase', c.input, { subgroups: true, via: 'buffer', offsetBytes: 4 * 37 });
        expect(Number.isFinite(r.sum)).toBe(true);
        expectClose(r.tokenLogps, c.expected.token_logps, `${c.input.id} (+90) token_logps`);
        expect(close(r.sum, c.expected.sum)).toBe(true);
      }
    });
  });

  const V = 151_936;
  const T = 12;
  const MiB = 2 ** 20;
  for (const subgroups of [true, false]) {
    const tag = subgroups ? 'subgroups' : 'shared-memory';
    it(`V = 151,936, T = 12 under a 1 MiB cap: Float32Array uploaded tile by tile (${tag})`, async () => {
      const r = await kt<Synth>('synthetic', { T, V, seed: 1, masked: [3, 7], subgroups, capBytes: MiB, via: 'array' });
      expect(r.gpu.staged).toBe(true);
      expect(r.gpu.tiles).toBeGreaterThan(1);
      expect(r.gpu.maxBindSize).toBeLessThanOrEqual(MiB);
      expectClose(r.gpu.tokenLogps, r.ref.tokenLogps, 'token_logps');
      expect(close(r.gpu.sum, r.ref.sum), `${r.gpu.sum} vs ${r.ref.sum}`).toBe(true);
      expect(r.gpu.count).toBe(10);
      expect(r.gpu.tokenLogps[3]).toBe(0);
      expect(r.gpu.bytesRead).toBe(10 * V * 4); // each unmasked row once; masked rows not read
    });

    it(`GPUBuffer input bound in aligned sub-ranges, rows split along V under a 256 KiB cap (${tag})`, async () => {
      const r = await kt<Synth>('synthetic', { T, V, seed: 2, subgroups, capBytes: 256 * 1024, via: 'buffer', offsetBytes: 4 * 1001 });
      expect(r.gpu.staged).toBe(false);
      expect(r.gpu.maxBindSize).toBeLessThanOrEqual(256 * 1024);
      expect(r.gpu.chunksPerRow).toBeGreaterThan(1); // a row (594 KiB) spans several tiles
      expect(r.gpu.tiles).toBeGreaterThanOrEqual(Math.ceil((T * V * 4) / (256 * 1024)));
      expectClose(r.gpu.tokenLogps, r.ref.tokenLogps, 'token_logps');
      expect(close(r.gpu.sum, r.ref.sum)).toBe(true);
      expect(r.gpu.bytesRead).toBe(T * V * 4);
    });

    it(`+90 on every logit does not overflow; rows split into many chunks as on a GPU (${tag})`, async () => {
      const r = await kt<Synth>('synthetic', { T: 8, V: 50_000, seed: 3, add: 90, masked: [0], subgroups, capBytes: MiB, via: 'buffer', targetWorkgroups: 1024 });
      expect(r.gpu.chunksPerRow).toBeGreaterThan(8);
      expect(r.gpu.tokenLogps.every(Number.isFinite)).toBe(true);
      expectClose(r.gpu.tokenLogps, r.ref.tokenLogps, 'token_logps');
      expect(close(r.gpu.sum, r.ref.sum)).toBe(true);
      expect(r.gpu.count).toBe(7);
    });
  }

  it('is deterministic: the same input gives bit-identical results', async () => {
    const o = { T: 40, V: 3000, seed: 4, subgroups: true, via: 'buffer' };
    const a = await kt<Synth>('synthetic', o);
    const b = await kt<Synth>('synthetic', o);
    expect(b.gpu.tokenLogps).toEqual(a.gpu.tokenLogps);
    expect(b.gpu.sum).toBe(a.gpu.sum);
    expectClose(a.gpu.tokenLogps, a.ref.tokenLogps, 'token_logps');
  });

  it('window.lab.gpu.maskedLogprobs returns a `lab logprobs` line', async () => {
    const input = { id: 'console-1', vocab: 3, logits: [1, 2, 3, 0, 0, 90, 5, 5, 5], targets: [2, 0, 1], mask: [1, 1, 0] };
    const r = await kt<any>('consoleCase', input);
    expect(r.installed).toBe(true);
    expect(Object.keys(r.line).sort()).toEqual(['count', 'id', 'sum', 'token_logps']);
    expect(r.line.id).toBe('console-1');
    const want = [3 - (1 + Math.log(Math.exp(0) + Math.exp(1) + Math.exp(2))), 0 - (90 + Math.log(2 * Math.exp(-90) + 1)), 0];
    expectClose(r.line.token_logps, want, 'token_logps');
    expect(close(r.line.sum, want[0]! + want[1]!)).toBe(true);
    expect(r.line.count).toBe(2);
  });

  it('the ort pair scorer (engines/ort/pair-scorer.ts) on tiny-a: sums with logits kept on the GPU match the read-back CPU reference (2e-4)', async () => {
    // SwiftShader runs the forward pass on the CPU: a few pairs, two batches.
    const pairs = await kt<any[]>('makePairs', 4);
    const r = await kt<any>('ortScore', pairs, 2);
    expect(r.gpu.pairs).toHaveLength(4);
    expect(r.gpu.stats.forwardPasses).toBe(2);
    expect(r.gpu.stats.bytesToCpu).toBeLessThan(r.readback.stats.bytesToCpu);
    expect(r.gpu.stats.kernelBytesRead).toBeGreaterThan(0);
    r.gpu.pairs.forEach((p: any, i: number) => {
      const q = r.readback.pairs[i];
      for (const k of ['chosen', 'rejected']) {
        expect(p[k].tokens).toEqual(q[k].tokens);
        expect(p[k].count).toBe(p[k].tokens.length);
        expect(Math.abs(p[k].sum - q[k].sum) / Math.abs(q[k].sum), `${p.id} ${k}: ${p[k].sum} vs ${q[k].sum}`).toBeLessThan(2e-4);
        expect(p[k].sum).toBeLessThan(0);
        expectClose(p[k].tokenLogps, q[k].tokenLogps, `${p.id} ${k}`);
      }
    });
  });
});
