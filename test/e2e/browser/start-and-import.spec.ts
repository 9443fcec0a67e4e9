import { appendFileSync, chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropFiles, expect, screenshot, test } from './harness/harness.js';
import { writeConnLog } from '../../helpers/generate-logs.js';
import { manySessionsCapture } from './fixtures/many-sessions.js';
import { copyInput, createCase, progressSeen, recordProgress, VIP_RECOVERY } from './helpers.js';

const SHOTS = 'start-and-import';

test.describe('start screen and import', () => {
  test('capture is added and analysed', async ({ harness, page }) => {
    const capture = copyInput(harness, VIP_RECOVERY);
    await page.goto(harness.url);
    await expect(page.getByTestId('start-screen')).toBeVisible();
    await screenshot(page, SHOTS, '01-start-screen');

    await createCase(page, harness, { name: 'VIP recovery', analyst: 'Dana Analyst' });
    await expect(page.getByTestId('case-event-count')).toHaveText('0 events');

    await recordProgress(page);
    await harness.queueDialog('add-captures', [capture]);
    await page.getByTestId('add-captures').click();
    await expect(page.getByTestId('job-progress')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    await screenshot(page, SHOTS, '02-analysis-done');

    const seen = await progressSeen(page);
    expect(seen.map((entry) => entry.state)).toContain('running');
    expect(seen.some((entry) => /\d.* of \d/.test(entry.counts))).toBe(true);
    expect(seen.some((entry) => /records/.test(entry.counts))).toBe(true);
    await expect(page.getByTestId('job-error')).toHaveCount(0);
    await expect(page.getByTestId('case-event-count')).not.toHaveText('0 events');

    await page.getByTestId('side-tab-evidence').click();
    const row = page.getByTestId('evidence-row');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-status', 'verified');
    await expect(row).toContainText('vip-recovery.pcap');
    await expect(row).toContainText(/[0-9a-f]{64}/);
    await screenshot(page, SHOTS, '03-evidence-verified');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, SHOTS, '03-evidence-verified-dark');
  });

  test('text file named .pcap shows its error', async ({ harness, page }) => {
    const bad = join(harness.root, 'not-a-capture.pcap');
    writeFileSync(bad, 'This is a note, not a packet capture.\n');
    await page.goto(harness.url);
    await createCase(page, harness, { name: 'Bad input', analyst: 'Dana Analyst' });

    await harness.queueDialog('add-captures', [bad]);
    await page.getByTestId('add-captures').click();
    const error = page.getByTestId('job-error');
    await expect(error).toContainText('not-a-capture.pcap');
    await expect(error).toContainText('Add .pcap/.pcapng captures');
    await expect(page.getByTestId('job-progress')).toHaveCount(0);
    await screenshot(page, SHOTS, '04-bad-file-error');
  });

  test('dropped capture starts a new case', async ({ harness, page }) => {
    const capture = copyInput(harness, VIP_RECOVERY);
    await harness.registerDrop('vip-recovery.pcap', capture);
    await page.goto(harness.url);

    await dropFiles(page, page.getByTestId('start-screen'), ['vip-recovery.pcap']);
    await expect(page.getByTestId('pending-captures')).toContainText('vip-recovery.pcap');
    await expect(page.getByTestId('case-name-input')).toHaveValue('vip-recovery');
    await page.getByTestId('case-analyst-input').fill('Dana Analyst');
    await screenshot(page, SHOTS, '05-drop-on-start');

    await harness.queueDialog('new-case-folder', [join(harness.root, 'cases', 'dropped')]);
    await page.getByTestId('create-case-submit').click();
    await expect(page.getByTestId('case-name')).toHaveText('vip-recovery');
    await expect(page.getByTestId('job-progress')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    await expect(page.getByTestId('case-event-count')).not.toHaveText('0 events');
  });

  test('dropped Zeek log is imported', async ({ harness, page }) => {
    const log = join(harness.root, 'conn.log');
    await writeConnLog(log, 25);
    await harness.registerDrop('conn.log', log);
    await page.goto(harness.url);
    const caseFolder = await createCase(page, harness, { name: 'Zeek logs', analyst: 'Dana Analyst' });

    await dropFiles(page, page.getByTestId('events-pane'), ['conn.log']);
    await expect(page.getByTestId('job-progress')).toHaveAttribute('data-state', 'done');
    await expect(page.getByTestId('job-progress')).toContainText('Importing Zeek logs');
    await expect(page.getByTestId('case-event-count')).toHaveText('25 events');
    await expect(page.getByTestId('job-error')).toHaveCount(0);
    await page.getByTestId('side-tab-evidence').click();
    const row = page.getByTestId('evidence-row');
    await expect(row).toHaveAttribute('data-status', 'verified');
    await screenshot(page, SHOTS, '06-dropped-zeek-log');

    // The badge follows the stored copy: an edit shows as changed, a deletion as missing.
    const evidenceFolder = join(caseFolder, 'evidence');
    const stored = join(evidenceFolder, readdirSync(evidenceFolder).find((name) => name.endsWith('conn.log'))!);
    chmodSync(stored, 0o644);
    appendFileSync(stored, '# appended after intake\n');
    await page.getByRole('button', { name: 'Verify again' }).click();
    await expect(row).toHaveAttribute('data-status', 'changed');
    await screenshot(page, SHOTS, '07-evidence-changed');
    rmSync(stored);
    await page.getByRole('button', { name: 'Verify again' }).click();
    await expect(row).toHaveAttribute('data-status', 'missing');
  });

  test('running analysis can be cancelled', async ({ harness, page }) => {
    const capture = join(harness.root, 'many-sessions.pcap');
    writeFileSync(capture, manySessionsCapture(20_000));
    await page.goto(harness.url);
    await createCase(page, harness, { name: 'Cancelled analysis', analyst: 'Dana Analyst' });

    await harness.queueDialog('add-captures', [capture]);
    await page.getByTestId('add-captures').click();
    const progress = page.getByTestId('job-progress');
    await expect(progress).toHaveAttribute('data-state', 'running');
    await page.getByTestId('job-cancel').click();
    await expect(progress).toHaveAttribute('data-state', 'cancelled');
    await expect(page.getByTestId('case-event-count')).toHaveText('0 events');
    await screenshot(page, SHOTS, '08-analysis-cancelled');
  });

  test('capture opened from the system', async ({ harness, page }) => {
    const capture = copyInput(harness, VIP_RECOVERY);
    await page.goto(harness.url);
    await expect(page.getByTestId('start-screen')).toBeVisible();
    await harness.openCaptures([capture]);
    await expect(page.getByTestId('pending-captures')).toContainText('vip-recovery.pcap');
    await page.getByTestId('case-analyst-input').fill('Dana Analyst');
    await harness.queueDialog('new-case-folder', [join(harness.root, 'cases', 'opened')]);
    await page.getByTestId('case-name-input').press('Enter');
    await expect(page.getByTestId('case-name')).toHaveText('vip-recovery');
    await expect(page.getByTestId('job-progress')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    await expect(page.getByTestId('case-event-count')).not.toHaveText('0 events');
  });

  test('case in a used folder shows the error', async ({ harness, page }) => {
    const used = join(harness.root, 'cases', 'used');
    mkdirSync(used, { recursive: true });
    writeFileSync(join(used, 'notes.txt'), 'not a case\n');
    await page.goto(harness.url);
    await page.getByTestId('create-case').click();
    await page.getByTestId('case-name-input').fill('Used folder');
    await harness.queueDialog('new-case-folder', [used]);
    await page.getByTestId('create-case-submit').click();
    await expect(page.getByTestId('start-error')).toContainText(`${used} is not empty`);
    await expect(page.getByTestId('start-screen')).toBeVisible();
  });

  test('recent case opens again', async ({ harness, page }) => {
    await page.goto(harness.url);
    const folder = await createCase(page, harness, { name: 'Reopened case', analyst: 'Dana Analyst' });
    await page.getByTestId('close-case').click();

    const recent = page.getByTestId('recent-case');
    await expect(recent).toHaveCount(1);
    await expect(recent).toContainText('Reopened case');
    await expect(recent).toContainText(folder);
    await screenshot(page, SHOTS, '09-recent-cases');
    await recent.click();
    await expect(page.getByTestId('case-name')).toHaveText('Reopened case');
  });

  test('help panel lists the shortcuts', async ({ harness, page }) => {
    await page.goto(harness.url);
    await expect(page.getByTestId('start-screen')).toBeVisible();
    await page.keyboard.press('F1');
    await expect(page.getByTestId('help-panel')).toBeVisible();
    await expect(page.getByTestId('help-shortcut').first()).toHaveText('Show the keyboard shortcuts');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('help-panel')).toHaveCount(0);

    // Typing ? into a text field types it and does not open the panel.
    await page.getByTestId('create-case').click();
    await page.getByTestId('case-name-input').press('?');
    await expect(page.getByTestId('case-name-input')).toHaveValue('?');
    await expect(page.getByTestId('help-panel')).toHaveCount(0);

    // In a case the panes add their own shortcuts to the list.
    await page.getByTestId('case-name-input').fill('Shortcuts');
    await page.getByTestId('case-analyst-input').fill('Dana Analyst');
    await harness.queueDialog('new-case-folder', [join(harness.root, 'cases', 'shortcuts')]);
    await page.getByTestId('create-case-submit').click();
    await expect(page.getByTestId('case-name')).toHaveText('Shortcuts');
    await page.getByTestId('case-name').click();
    await page.keyboard.press('?');
    const help = page.getByTestId('help-panel');
    await expect(help).toBeVisible();
    await expect(help.getByRole('heading', { name: 'Timeline' })).toBeVisible();
    await expect(help.getByRole('heading', { name: 'Events' })).toBeVisible();
    await screenshot(page, SHOTS, '10-help-panel');
    await help.getByTestId('help-close').click();
    await expect(help).toHaveCount(0);
  });
});
