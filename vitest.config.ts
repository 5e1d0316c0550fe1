import { defineConfig } from 'vitest/config';

// One runner for everything: unit tests in Node, browser tests that drive real Chromium
// (playwright-core + /usr/bin/chromium) against the vite-served app, and e2e tests.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
