import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, screenshot, test } from './harness/harness.js';
import { HTTP_URI, hostileTextCapture, SMTP_SUBJECT, USER_AGENT } from './fixtures/hostile-text.js';
import { createCase } from './helpers.js';

const SHOTS = 'inert-capture-text';

test('capture text renders as inert text', async ({ harness, page }) => {
  const capture = join(harness.root, 'hostile-text.pcap');
  writeFileSync(capture, hostileTextCapture());
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });

  await page.goto(harness.url);
  await createCase(page, harness, { name: 'Hostile text', analyst: 'Dana Analyst' });
  await harness.queueDialog('add-captures', [capture]);
  await page.getByTestId('add-captures').click();
  await expect(page.getByTestId('job-progress')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });

  const eventsPane = page.getByTestId('events-pane');
  const detail = page.getByTestId('event-detail');

  await page.getByTestId('events-log-filter').selectOption('http');
  const httpRow = eventsPane.locator('[data-testid="events-row"][data-log="http"]');
  await expect(httpRow).toHaveCount(1);
  await expect(httpRow).toContainText(HTTP_URI);
  await expect(httpRow).toContainText(USER_AGENT);
  // The time cell selects the event; other cells may hold pivot links.
  await httpRow.click({ position: { x: 12, y: 8 } });
  await expect(detail).toContainText(HTTP_URI);
  await expect(detail).toContainText(USER_AGENT);
  await screenshot(page, SHOTS, '01-http-request');

  await page.getByTestId('events-log-filter').selectOption('smtp');
  const smtpRow = eventsPane.locator('[data-testid="events-row"][data-log="smtp"]');
  await expect(smtpRow).toHaveCount(1);
  await expect(smtpRow).toContainText(SMTP_SUBJECT);
  await smtpRow.click({ position: { x: 12, y: 8 } });
  await expect(detail).toContainText(SMTP_SUBJECT);
  await screenshot(page, SHOTS, '02-smtp-message');

  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { capturedTextRan?: unknown }).capturedTextRan)).toBeUndefined();
  await expect(eventsPane.locator('img')).toHaveCount(0);
  await expect(detail.locator('img')).toHaveCount(0);
  const injected = await page.evaluate(() => ({
    images: document.querySelectorAll('img[src="x"]').length,
    scripts: Array.from(document.scripts).filter((script) => script.textContent?.includes('alert')).length,
  }));
  expect(injected.images).toBe(0);
  expect(injected.scripts).toBe(0);
});
