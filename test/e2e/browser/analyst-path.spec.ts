import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './harness/harness.js';
import { copyInput, createCase, progressSeen, recordProgress, VIP_RECOVERY } from './helpers.js';

const SHOTS = 'analyst-path';

/** The six domains the infected host contacts in the vip-recovery capture. */
const DOMAINS = ['firebasestorage.googleapis.com', '1zil1.s3.cubbit.eu', 'checkip.dyndns.org', 'reallyfreegeoip.org', 'api.telegram.org', 'eraqron.shop'];

/** The exfiltration window: the eraqron.shop lookup, both SMTP sessions and the last checkip request. */
const WINDOW = { from: '2026-01-09 18:05:00', to: '2026-01-09 18:05:07' };
const WINDOW_MICROS = { from: Date.UTC(2026, 0, 9, 18, 5, 0) * 1000, to: Date.UTC(2026, 0, 9, 18, 5, 7) * 1000 };

async function graphValues(page: Page, kind?: string): Promise<string[]> {
  const selector = kind === undefined ? 'li' : `li[data-kind="${kind}"]`;
  return page.getByTestId('graph-node-list').locator(selector).evaluateAll((items) => items.map((item) => item.getAttribute('data-value') ?? ''));
}

test('analyst path on vip-recovery', async ({ harness, page }) => {
  const capture = copyInput(harness, VIP_RECOVERY);
  await page.goto(harness.url);

  await test.step('create the case', async () => {
    await createCase(page, harness, { name: 'VIP recovery', analyst: 'Dana Analyst' });
    await screenshot(page, SHOTS, '01-case-created');
  });

  await test.step('add the capture and analyse it', async () => {
    await recordProgress(page);
    await harness.queueDialog('add-captures', [capture]);
    await page.getByTestId('add-captures').click();
    await expect(page.getByTestId('job-progress')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    const seen = await progressSeen(page);
    expect(seen.map((entry) => entry.state)).toContain('running');
    expect(seen.some((entry) => / of /.test(entry.counts))).toBe(true);
    await screenshot(page, SHOTS, '02-analysis-done');
  });

  let nodesBefore = 0;
  await test.step('graph shows the six domains', async () => {
    await expect.poll(() => graphValues(page, 'domain')).toEqual(expect.arrayContaining(DOMAINS));
    nodesBefore = (await graphValues(page)).length;
    await screenshot(page, SHOTS, '03-graph-domains');
  });

  await test.step('brush the exfiltration window', async () => {
    // A pointer drag across the histogram sets some window; the typed times then make it exact.
    const histogram = page.getByTestId('timeline-histogram');
    const box = (await histogram.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect(page.getByTestId('case-window')).not.toHaveText('Whole case');

    await page.getByTestId('window-from').fill(WINDOW.from);
    await page.getByTestId('window-to').fill(WINDOW.to);
    await page.getByTestId('window-apply').click();
    await expect(page.getByTestId('case-window')).toContainText('18:05:00');
    await expect(page.getByTestId('case-window')).toContainText('18:05:07');

    const rows = page.getByTestId('events-pane').getByTestId('events-row');
    await expect(rows.filter({ hasText: 'eraqron.shop' }).and(page.locator('[data-log="dns"]'))).toHaveCount(1);
    await expect(page.locator('[data-testid="events-row"][data-log="smtp"]')).toHaveCount(2);
    const http = page.locator('[data-testid="events-row"][data-log="http"]');
    await expect(http).toHaveCount(1);
    await expect(http).toContainText('checkip.dyndns.org');

    const times = await rows.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-ts'))));
    expect(times.length).toBeGreaterThan(0);
    for (const time of times) {
      expect(time).toBeGreaterThanOrEqual(WINDOW_MICROS.from);
      expect(time).toBeLessThanOrEqual(WINDOW_MICROS.to);
    }
    const total = Number((await page.getByTestId('events-total').textContent())!.replace(/\D/g, ''));
    expect(total).toBe(times.length);

    await expect.poll(async () => (await graphValues(page)).length).toBeLessThan(nodesBefore);
    const domains = await graphValues(page, 'domain');
    expect(domains).toContain('eraqron.shop');
    expect(domains).toContain('checkip.dyndns.org');
    expect(domains).not.toContain('firebasestorage.googleapis.com');
    expect(domains).not.toContain('api.telegram.org');
    await screenshot(page, SHOTS, '04-window-brushed');
  });

  await test.step('tag eraqron.shop malicious from the graph', async () => {
    const node = page.getByTestId('graph-node-list').locator('li[data-value="eraqron.shop"]');
    const canvas = (await page.getByTestId('graph-canvas').boundingBox())!;
    const x = Number(await node.getAttribute('data-x'));
    const y = Number(await node.getAttribute('data-y'));
    await page.mouse.click(canvas.x + x, canvas.y + y, { button: 'right' });
    await expect(page.getByTestId('tag-menu')).toBeVisible();
    await screenshot(page, SHOTS, '05-tag-menu');
    await page.getByTestId('tag-menu-malicious').click();
    await expect(node).toHaveAttribute('data-verdict', 'malicious');

    await page.getByTestId('side-tab-iocs').click();
    const ioc = page.locator('[data-testid="ioc-row"][data-value="eraqron.shop"]');
    await expect(ioc).toHaveAttribute('data-verdict', 'malicious');
    await screenshot(page, SHOTS, '06-tagged-malicious');
  });

  await test.step('export a signed report and verify it', async () => {
    const certificate = join(harness.root, 'analyst.p12');
    const report = join(harness.root, 'vip-recovery-report.pdf');
    await page.getByTestId('side-tab-report').click();
    await page.getByTestId('report-create-certificate').click();
    await page.getByTestId('certificate-name').fill('Dana Analyst');
    await page.getByTestId('certificate-passphrase').fill('correct horse battery');
    await harness.queueDialog('save-certificate', [certificate]);
    await page.getByTestId('certificate-create').click();
    await expect(page.getByTestId('report-certificate')).toContainText('analyst.p12');

    await harness.queueDialog('save-report', [report]);
    await page.getByTestId('report-export').click();
    await expect(page.getByTestId('report-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    await expect(page.getByTestId('report-verify-result').first()).toHaveAttribute('data-valid', 'true');
    await page.getByTestId('report-verify-result').first().scrollIntoViewIfNeeded();
    await screenshot(page, SHOTS, '07-report-signed');

    await harness.queueDialog('open-report', [report]);
    await page.getByTestId('report-verify-file').click();
    await expect(page.getByTestId('report-verify-result')).toHaveCount(2);
    await expect(page.getByTestId('report-verify-result').last()).toHaveAttribute('data-valid', 'true');
    await page.getByTestId('report-verify-result').last().scrollIntoViewIfNeeded();
    await screenshot(page, SHOTS, '08-report-verified');
  });
});
