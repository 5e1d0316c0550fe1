/**
 * Checkpoint archives: our ustar writer and reader agree with GNU tar (an independent
 * implementation), and `lab --model NAME.tar` unpacks a checkpoint archive and runs it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../../src/engines/ort/node.js';
import { packTar, unpackTar } from '../../src/train/tar.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-tar-'));
const files = new Map<string, Uint8Array>([
  ['a.txt', new TextEncoder().encode('hello\n')],
  ['onnx/empty.bin', new Uint8Array(0)],
  ['onnx/block.bin', Uint8Array.from({ length: 1500 }, (_, i) => i % 251)],
]);

describe('tar', () => {
  it('GNU tar reads what packTar writes', () => {
    const tar = join(dir, 'ours.tar');
    writeFileSync(tar, packTar(files));
    expect(execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).trim().split('\n')).toEqual(['a.txt', 'onnx/empty.bin', 'onnx/block.bin']);
    const out = join(dir, 'x');
    mkdirSync(out);
    execFileSync('tar', ['-xf', tar, '-C', out]);
    for (const [name, data] of files) expect(Array.from(readFileSync(join(out, name)))).toEqual(Array.from(data));
  });

  it('unpackTar reads what GNU tar writes (./ prefixes dropped), and names a damaged archive', () => {
    const src = join(dir, 'src');
    for (const [name, data] of files) {
      mkdirSync(join(src, name, '..'), { recursive: true });
      writeFileSync(join(src, name), data);
    }
    const tar = join(dir, 'gnu.tar');
    execFileSync('tar', ['--format=ustar', '-cf', tar, '-C', src, '.']);
    const got = unpackTar(new Uint8Array(readFileSync(tar)), 'gnu.tar');
    for (const [name, data] of files) expect(Array.from(got.get(name)!), name).toEqual(Array.from(data));
    const bad = new Uint8Array(readFileSync(tar));
    bad[130] = bad[130]! ^ 0xff;
    expect(() => unpackTar(bad, 'bad.tar')).toThrow(/bad\.tar: not a tar archive/);
    const whole = new Uint8Array(readFileSync(tar));
    // Cut inside block.bin's data (GNU tar pads archives with zero records, so cut relative to its header).
    const header = Buffer.from(whole).indexOf('./onnx/block.bin');
    const at = header + 512 + 700;
    expect(() => unpackTar(whole.slice(0, at), 'cut.tar')).toThrow(/cut\.tar: .* runs past the end/);
  });

  it('lab --model NAME.tar unpacks a checkpoint archive next to itself and runs it', () => {
    const ck = new Map<string, Uint8Array>();
    for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) ck.set(f, new Uint8Array(readFileSync(join(MODELS_DIR, 'tiny-a', f))));
    const tar = join(dir, 'export.tar');
    writeFileSync(tar, packTar(ck));
    const out = execFileSync('node', ['bin/lab.js', 'generate', '--model', tar, '--prompt', 'How many r in "rare"?', '--n', '1', '--max-tokens', '16', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(out).samples).toHaveLength(1);
    expect(existsSync(join(dir, 'export', 'onnx', 'model.onnx'))).toBe(true);
  });
});
