import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, REPO_DIR, type Harness } from './harness/harness.js';

/** The sample capture shipped with the app: a phishing-led VIP account takeover. */
export const VIP_RECOVERY = join(REPO_DIR, 'resources/samples/vip-recovery.pcap');

/** Copies a file into the harness's temp folder (`inputs/`), writable, and returns the copy's path. */
export function copyInput(harness: Harness, source: string, name = basename(source)): string {
  const folder = join(harness.root, 'inputs');
  mkdirSync(folder, { recursive: true });
  const copy = join(folder, name);
  copyFileSync(source, copy);
  chmodSync(copy, 0o644);
  return copy;
}

/** Creates a case through the start screen, with `<root>/cases/<folderName>` queued as the folder dialog's choice. */
export async function createCase(page: Page, harness: Harness, options: { name: string; analyst: string; folderName?: string }): Promise<string> {
  const folder = join(harness.root, 'cases', options.folderName ?? 'case');
  await page.getByTestId('create-case').click();
  await page.getByTestId('case-name-input').fill(options.name);
  await page.getByTestId('case-analyst-input').fill(options.analyst);
  await harness.queueDialog('new-case-folder', [folder]);
  await page.getByTestId('create-case-submit').click();
  await expect(page.getByTestId('case-name')).toHaveText(options.name);
  return folder;
}

/**
 * Records every state and counts text the job progress element shows, from now on, in
 * `window.progressSeen`, so a spec can check the progress of a job that ends quickly.
 */
export async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { state: string | null; counts: string }[] = [];
    (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    const record = () => {
      const element = document.querySelector('[data-testid="job-progress"]');
      if (!element) return;
      const entry = { state: element.getAttribute('data-state'), counts: element.querySelector('[data-testid="job-counts"]')?.textContent?.trim() ?? '' };
      const last = seen[seen.length - 1];
      if (!last || last.state !== entry.state || last.counts !== entry.counts) seen.push(entry);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

export async function progressSeen(page: Page): Promise<{ state: string | null; counts: string }[]> {
  return page.evaluate(() => (window as unknown as { progressSeen: { state: string | null; counts: string }[] }).progressSeen);
}
