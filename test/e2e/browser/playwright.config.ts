import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// The system's Chromium (Debian package "chromium"), so no browser download is needed.
// NETCASE_CHROMIUM names another Chromium or Chrome binary, for example on macOS.
const CHROMIUM = process.env.NETCASE_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  throw new Error(`Chromium was not found at ${CHROMIUM}. Install it (apt-get install chromium) or set NETCASE_CHROMIUM to a Chromium binary.`);
}

/**
 * Browser end-to-end specs: the built renderer in Debian's Chromium, served by the harness in
 * harness/ with the real handler layer and services behind `window.netcase`.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // Analysis runs tshark over the capture on a shared 2-core machine.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: 'list',
  // Playwright empties this folder at the start of every run; the specs' screenshots go under it.
  outputDir: '../../../test-results/browser',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
});
