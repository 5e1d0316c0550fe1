/**
 * Test helper: the production build (`vite build` into a temporary folder) served by vite's
 * preview server with the same COOP/COEP headers, opened in headless Debian Chromium with a
 * real WebGPU adapter. `stopServer()` takes the network away for the offline checks.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser/chromium.js';

export interface BuiltLab {
  url: string;
  outDir: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  errors: string[];
  /** Save a screenshot under test-artifacts/screenshots/<name>.png. */
  shot(name: string): Promise<void>;
  stopServer(): Promise<void>;
  close(): Promise<void>;
}

export const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

/** Build the app, serve it on a free port and open `path` in a fresh browser profile. */
export async function openBuiltLab(path = '/'): Promise<BuiltLab> {
  const outDir = mkdtempSync(join(tmpdir(), 'lab-dist-'));
  // vitest sets NODE_ENV=test, which would make vite build a non-production bundle
  // (import.meta.env.PROD false: no service worker). Build exactly what `npm run build` builds.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: 'vite.config.ts', logLevel: 'error', mode: 'production', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  let server: PreviewServer | null = await preview({ configFile: 'vite.config.ts', logLevel: 'error', build: { outDir }, preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  const addr = server.httpServer.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 4173}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url + path);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const stopServer = async () => {
    if (!server) return;
    const s = server;
    server = null;
    (s.httpServer as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    await s.close();
  };
  return {
    url,
    outDir,
    browser,
    context,
    page,
    errors,
    shot: async (name) => void (await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })),
    stopServer,
    async close() {
      await browser.close();
      await stopServer();
    },
  };
}
