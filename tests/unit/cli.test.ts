/** The `lab` command: real models, real process, one-line errors with non-zero exit codes. */
import { describe, expect, it } from 'vitest';
import { lab } from './lab-process.js';


describe('lab CLI', () => {
  it('lists the catalogue with embedded models first', async () => {
    const r = await lab('models', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; embedded: boolean }[];
    expect(rows.slice(0, 3).map((m) => m.id)).toEqual(['tiny-a', 'tiny-b', 'tiny-a-q4f16']);
    expect(rows.every((m, i) => i < 3 || !m.embedded)).toBe(true);
    expect((await lab('models')).stdout).toMatch(/tiny-a\s+ort\s+yes/);
  });

  it('generate --json is identical for the same seed and differs for another seed', async () => {
    const args = ['generate', '--model', 'tiny-a', '--prompt', "How many r's are in strawberry?", '--n', '4', '--max-tokens', '64', '--json'];
    const a = await lab(...args, '--seed', '1');
    const b = await lab(...args, '--seed', '1');
    const c = await lab(...args, '--seed', '2');
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const parsed = JSON.parse(a.stdout);
    expect(parsed.samples).toHaveLength(4);
    expect(JSON.parse(c.stdout).samples.map((s: { text: string }) => s.text)).not.toEqual(parsed.samples.map((s: { text: string }) => s.text));
  });

  it('fails with one line naming the problem and the fix', async () => {
    const unknown = await lab('generate', '--model', 'gpt-9', '--prompt', 'hi');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/unknown model "gpt-9".*lab models/);
    const flag = await lab('generate', '--model', 'tiny-a', '--prompt', 'hi', '--temprature', '1');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--temprature.*--help/);
    const range = await lab('generate', '--model', 'tiny-a', '--prompt', 'hi', '--n', 'many');
    expect(range.stderr).toMatch(/--n must be an integer/);
    const missing = await lab('generate', '--prompt', 'hi');
    expect(missing.stderr).toMatch(/--model is required/);
    const cmd = await lab('frobnicate');
    expect(cmd.stderr).toMatch(/unknown command "frobnicate"/);
    const browserOnly = await lab('generate', '--model', 'Llama-3.2-1B-Instruct-q4f32_1-MLC', '--prompt', 'hi');
    expect(browserOnly.stderr).toMatch(/webllm backend.*embedded model/);
  });
});
