/**
 * Test helper: a vite dev server for the project and headless Debian Chromium with a real WebGPU
 * adapter (SwiftShader) — no downloaded browsers, no network.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * SwiftShader by default (CI, this machine); `LAB_WEBGPU=gpu` uses the machine's GPU through
 * Vulkan instead (npm run bench:gpu on a machine with a real GPU).
 */
const REAL_GPU = process.env.LAB_WEBGPU === 'gpu';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  ...(REAL_GPU ? ['--ignore-gpu-blocklist', '--use-angle=vulkan', '--enable-vulkan'] : ['--use-webgpu-adapter=swiftshader']),
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface Lab {
  server: ViteDevServer;
  browser: Browser;
  page: Page;
  url: string;
  close(): Promise<void>;
}

let servers = 0;

/** Start vite on a free port and open `path` in Chromium; fails with the fix if Chromium is missing. */
export async function openLab(path: string): Promise<Lab> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH`);
  // Test files run in parallel processes: a cache folder per server keeps one server's dependency
  // optimisation from invalidating another's pages mid-test.
  const cacheDir = `node_modules/.vite-test/${process.pid}-${servers++}`;
  const server = await createServer({ configFile: 'vite.config.ts', cacheDir, server: { port: 0, host: '127.0.0.1' }, logLevel: 'error' });
  await server.listen();
  const addr = server.httpServer!.address();
  const port = typeof addr === 'object' && addr ? addr.port : 5173;
  const url = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url + path);
  return {
    server,
    browser,
    page,
    url,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
