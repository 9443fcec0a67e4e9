import { defineConfig } from '@playwright/test';

/** Desktop end-to-end specs: each starts the built app with Playwright's Electron support. */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 180_000,
  workers: 1,
  reporter: 'list',
  outputDir: '../../../test-results/electron',
});
