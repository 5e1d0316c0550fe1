/**
 * Setup checks: build and test tools are devDependencies (tsx stays a dependency because the
 * `lab` command runs TypeScript through it at run time), the onnxruntime-web prerelease is pinned
 * exactly, onnxruntime-node's download script is denied through npm 11's `allowScripts` (no
 * `.npmrc` key that npm warns about on every command), and `npm start` serves and prints its URL
 * without trying to open a browser (no `spawn xdg-open ENOENT` on a machine without a desktop).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('package setup', () => {
  it('keeps build and test tools in devDependencies and pins the onnxruntime-web prerelease', () => {
    const tools = ['eslint', 'typescript', 'typescript-eslint', 'vitest', 'vite', 'playwright-core', 'fast-check', '@types/node', '@webgpu/types', 'axe-core'];
    for (const t of tools) {
      expect(pkg.devDependencies[t], t).toBeDefined();
      expect(pkg.dependencies[t], t).toBeUndefined();
    }
    // tsx runs the CLI's TypeScript at run time (bin/lab.js), so it is a dependency, not a tool.
    expect(readFileSync('bin/lab.js', 'utf8')).toContain("from 'tsx/esm/api'");
    expect(pkg.dependencies.tsx).toBeDefined();
    expect(pkg.dependencies['onnxruntime-web']).toMatch(/^\d+\.\d+\.\d+-dev\.[\w.-]+$/);
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
    expect(lock.packages['node_modules/onnxruntime-web'].version).toBe(pkg.dependencies['onnxruntime-web']);
    expect(lock.packages[''].devDependencies.vitest).toBe(pkg.devDependencies.vitest);
  });

  it("stops onnxruntime-node's download with allowScripts, and npm warns about no config key", async () => {
    expect(pkg.allowScripts['onnxruntime-node']).toBe(false);
    if (existsSync('.npmrc')) expect(readFileSync('.npmrc', 'utf8')).not.toMatch(/onnxruntime/);
    const { stderr } = await promisify(execFile)('npm', ['config', 'get', 'fund'], { timeout: 60_000 });
    expect(stderr).not.toMatch(/Unknown project config/);
  });

  it('npm start serves, prints its URL and tries to open no browser', async () => {
    // The dev server command of "start" (after the install step), on a free port, with a PATH
    // that holds node only: no xdg-open, as on a machine without a desktop.
    const cmd = String(pkg.scripts.start).split('&&').pop()!.trim().split(/\s+/);
    expect(cmd[0]).toBe('vite');
    const port = await freePort();
    const args = cmd.slice(1).map((a, i, all) => (all[i - 1] === '--port' ? String(port) : a));
    const bin = mkdtempSync(join(tmpdir(), 'lab-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const child = spawn(process.execPath, ['node_modules/vite/bin/vite.js', ...args], { env: { ...process.env, PATH: bin }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    try {
      // CI may force colour: vite then splits the URL with ANSI escapes, which a reader never sees.
      const plain = () => out.replace(/\u001b\[[0-9;]*m/g, '');
      await expect.poll(plain, { timeout: 60_000 }).toContain(`http://127.0.0.1:${port}/`);
      await new Promise((r) => setTimeout(r, 2_000)); // an open attempt fails within this time
      expect(out).not.toMatch(/ENOENT|xdg-open|Error/);
      expect(child.exitCode).toBeNull(); // still serving
    } finally {
      child.kill();
    }
  }, 90_000);
});
