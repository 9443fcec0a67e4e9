import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, screenshot, test, type Harness } from './harness/harness.js';
import { copyInput, createCase, VIP_RECOVERY } from './helpers.js';

const SHOTS = 'side-panel';
const PASSPHRASE = 'correct horse battery';

/** Creates a case, adds the vip-recovery capture and waits for its analysis. */
async function analysedCase(page: Page, harness: Harness): Promise<string> {
  const capture = copyInput(harness, VIP_RECOVERY);
  await page.goto(harness.url);
  const folder = await createCase(page, harness, { name: 'VIP recovery', analyst: 'Dana Analyst' });
  await harness.queueDialog('add-captures', [capture]);
  await page.getByTestId('add-captures').click();
  await expect(page.getByTestId('job-progress')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  return folder;
}

test.describe('side panel', () => {
  test('findings, IOCs, tag menu and packets', async ({ harness, page }) => {
    await analysedCase(page, harness);

    await page.getByTestId('side-tab-findings').click();
    const findings = page.getByTestId('finding-row');
    await expect(findings.first()).toBeVisible();
    await screenshot(page, SHOTS, '01-findings');

    await findings.first().click();
    await expect(page.getByTestId('case-window')).not.toHaveText('Whole case');
    await page.getByTestId('clear-window').click();

    const suggestion = page.locator('[data-testid="suggested-ioc"][data-value="checkip.dyndns.org"]');
    await suggestion.getByTestId('accept-suggestion').click();
    await expect(suggestion).toContainText('IOC:');

    await page.getByTestId('side-tab-iocs').click();
    const row = page.locator('[data-testid="ioc-row"][data-value="checkip.dyndns.org"]');
    await expect(row).toBeVisible();
    await row.click();
    const editor = page.getByTestId('ioc-editor');
    await editor.getByTestId('ioc-editor-verdict').selectOption('malicious');
    await editor.getByTestId('ioc-editor-confidence').fill('80');
    await editor.getByTestId('ioc-editor-tag-input').fill('ip-check');
    await editor.getByTestId('ioc-editor-tag-input').press('Enter');
    await editor.getByTestId('ioc-editor-save').click();
    await expect(row).toHaveAttribute('data-verdict', 'malicious');
    await expect(row).toContainText('ip-check');
    await screenshot(page, SHOTS, '02-ioc-editor');

    const watchlist = join(harness.root, 'watchlist.csv');
    writeFileSync(watchlist, 'type,value\ndomain,api.telegram.org\nplanet,mars\n');
    await harness.queueDialog('open-watchlist', [watchlist]);
    await page.getByTestId('ioc-import-watchlist').click();
    const imported = page.getByTestId('watchlist-result');
    await expect(imported).toContainText('1 seen in this case');
    await expect(page.getByTestId('watchlist-problems')).toContainText('unknown type "planet"');
    await screenshot(page, SHOTS, '02-watchlist-problems');

    const exportFile = join(harness.root, 'iocs.csv');
    await page.getByTestId('ioc-export-format').selectOption('csv');
    await harness.queueDialog('save-ioc-export', [exportFile]);
    await page.getByTestId('ioc-export').click();
    await expect(page.getByTestId('ioc-export-result')).toContainText(exportFile);
    expect(readFileSync(exportFile, 'utf8')).toContain('checkip.dyndns.org');

    await row.click({ button: 'right' });
    const menu = page.getByTestId('tag-menu');
    await expect(menu).toBeVisible();
    await expect(page.getByTestId('tag-menu-malicious')).toBeFocused();
    await screenshot(page, SHOTS, '03-tag-menu');
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('tag-menu-suspicious')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(menu).toHaveCount(0);
    await expect(row).toHaveAttribute('data-verdict', 'suspicious');

    await row.click({ button: 'right' });
    await expect(menu).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(menu).toHaveCount(0);

    const node = page.locator('[data-testid="graph-node-list"] li[data-value="eraqron.shop"]');
    const x = Number(await node.getAttribute('data-x'));
    const y = Number(await node.getAttribute('data-y'));
    await page.getByTestId('graph-canvas').click({ position: { x, y } });
    await page.getByTestId('side-tab-detail').click();
    const entity = page.getByTestId('entity-detail');
    await expect(entity).toHaveAttribute('data-value', 'eraqron.shop');
    await expect(page.getByTestId('entity-sightings')).not.toHaveText('…');
    await page.getByTestId('detail-tag-malicious').click();
    await expect(page.getByTestId('entity-verdict')).toHaveText('malicious');
    await screenshot(page, SHOTS, '04-entity-detail');

    await page.getByTestId('events-log-filter').selectOption('smtp');
    const smtpRow = page.locator('[data-testid="events-row"][data-log="smtp"]').first();
    // The left edge is the time cell, which selects the row. The address cells pivot instead.
    await smtpRow.click({ position: { x: 12, y: 6 } });
    await page.getByTestId('side-tab-detail').click();
    await expect(page.getByTestId('event-detail')).toBeVisible();
    await page.getByTestId('packets-button').click();
    const packets = page.getByTestId('packets-result');
    await expect(packets).toContainText('packets to');
    await expect(packets).toContainText('/exports/packets-');
    // The harness has no program to open captures, so the path is shown instead.
    await expect(packets).toHaveAttribute('data-opened', 'false');
    await screenshot(page, SHOTS, '04-packets-written');
  });

  test('signed report and verification', async ({ harness, page }) => {
    await analysedCase(page, harness);
    await page.getByTestId('side-tab-report').click();

    const scope = page.getByTestId('report-draft-scope');
    await expect(scope).not.toHaveValue('');
    await scope.fill('The workstation 10.1.9.101 and its mail traffic on 2024-01-01.');
    await page.getByTestId('report-save-scope').click();
    await expect(page.getByText('(your text)')).toBeVisible();

    await page.getByTestId('report-create-certificate').click();
    await page.getByTestId('certificate-name').fill('Dana Analyst');
    await page.getByTestId('certificate-passphrase').fill(PASSPHRASE);
    await harness.queueDialog('save-certificate', [join(harness.root, 'dana.p12')]);
    await page.getByTestId('certificate-create').click();
    await expect(page.getByTestId('report-certificate')).toContainText('dana.p12');

    const pdf = join(harness.root, 'report.pdf');
    await harness.queueDialog('save-report', [pdf]);
    await page.getByTestId('report-export').click();
    await expect(page.getByTestId('report-status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expect(page.getByTestId('report-verify-result')).toHaveAttribute('data-valid', 'true');
    await page.getByTestId('report-verify-result').scrollIntoViewIfNeeded();
    await screenshot(page, SHOTS, '05-report-signed');

    const altered = join(harness.root, 'altered.pdf');
    const bytes = readFileSync(pdf);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0x01;
    writeFileSync(altered, bytes);
    await harness.queueDialog('open-report', [altered]);
    await page.getByTestId('report-verify-file').click();
    await expect(page.getByTestId('report-verify-result').last()).toHaveAttribute('data-valid', 'false');
    await page.getByTestId('report-verify-result').last().scrollIntoViewIfNeeded();
    await screenshot(page, SHOTS, '06-report-altered');
  });

  test('case exported and imported', async ({ harness, page }) => {
    await analysedCase(page, harness);
    const archive = join(harness.root, 'vip.netcase');

    await page.getByTestId('export-case').click();
    await expect(page.getByTestId('export-case-dialog')).toBeVisible();
    await expect(page.getByTestId('export-case-submit')).toBeFocused();
    await screenshot(page, SHOTS, '07-export-dialog');
    await harness.queueDialog('save-case-archive', [archive]);
    await page.keyboard.press('Enter');
    const status = page.getByTestId('case-archive-status');
    await expect(status).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(status).toContainText('vip.netcase');
    await page.getByTestId('close-case').click();

    const bytes = readFileSync(archive);
    const offset = bytes.indexOf('"analyst": "Dana Analyst"');
    expect(offset).toBeGreaterThan(0);
    bytes[offset + 13] = 'L'.charCodeAt(0);
    const altered = join(harness.root, 'altered.netcase');
    writeFileSync(altered, bytes);
    await harness.queueDialog('open-case-archive', [altered]);
    await harness.queueDialog('new-case-folder', [join(harness.root, 'cases', 'altered')]);
    await page.getByTestId('import-case').click();
    await expect(page.getByTestId('case-archive-error')).toContainText('case.json');
    await expect(page.getByTestId('start-screen')).toBeVisible();
    await screenshot(page, SHOTS, '08-import-rejected');

    await harness.queueDialog('open-case-archive', [archive]);
    await harness.queueDialog('new-case-folder', [join(harness.root, 'cases', 'imported')]);
    await harness.sendCommand({ command: 'import-case' });
    await expect(page.getByTestId('case-name')).toHaveText('VIP recovery');
    await expect(page.getByTestId('case-archive-status')).toContainText('matched the manifest');
    await expect(page.getByTestId('case-event-count')).not.toHaveText('0 events');
    await expect(page.getByTestId('graph-node-list').locator('li').first()).toBeAttached();
    await screenshot(page, SHOTS, '09-imported');
  });
});
