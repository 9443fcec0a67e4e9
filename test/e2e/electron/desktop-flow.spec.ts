import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import type { DialogPurpose, JobEvent, NetcaseApi } from '../../../preload/api.js';

const REPO_DIR = resolve(import.meta.dirname, '../../..');
const ELECTRON_DIST = resolve(REPO_DIR, 'node_modules/electron/dist');
const MAIN_BUNDLE = resolve(REPO_DIR, 'out/main/index.js');
const CAPTURE = resolve(REPO_DIR, 'resources/samples/vip-recovery.pcap');

// The electron package ships no binary; `npx install-electron --no` fetches it on a connected
// machine. These specs never fetch it: without it they skip and print the reason.
const SKIP_REASON = existsSync(ELECTRON_DIST) ? null : `no Electron binary at ${ELECTRON_DIST}; run "npx install-electron --no" on a machine with network access to fetch it`;
if (SKIP_REASON) console.warn(`Skipping the Electron specs: ${SKIP_REASON}.`);

type NetcaseWindow = { netcase: NetcaseApi };

test.describe('desktop app on the vip-recovery capture', () => {
  test.skip(SKIP_REASON !== null, SKIP_REASON ?? '');

  let root: string;
  let app: ElectronApplication;
  let page: Page;

  test.beforeAll(async () => {
    if (!existsSync(MAIN_BUNDLE)) throw new Error(`${MAIN_BUNDLE} is missing; run "npm run build" first.`);
    root = mkdtempSync(join(tmpdir(), 'netcase-electron-'));
    // XDG_CONFIG_HOME keeps the recent-cases list of the test apart from the user's (Linux).
    app = await electron.launch({ args: [MAIN_BUNDLE], cwd: REPO_DIR, env: { ...process.env, XDG_CONFIG_HOME: join(root, 'config') } });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  test.afterAll(async () => {
    await app?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Makes the next native dialog return `path`, as if the analyst had picked it. */
  async function pickInNextDialog(path: string): Promise<void> {
    await app.evaluate(({ dialog }, chosen) => {
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [chosen] })) as typeof dialog.showOpenDialog;
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: chosen })) as typeof dialog.showSaveDialog;
    }, path);
  }

  async function choose(purpose: DialogPurpose, path: string): Promise<string> {
    await pickInNextDialog(path);
    return page.evaluate(async (p) => (await (window as unknown as NetcaseWindow).netcase.dialogs.choose({ purpose: p })).files[0]!.token, purpose);
  }

  test('window is isolated from Node', async () => {
    await expect(page.locator('h1')).toHaveText('Netcase');
    expect(page.url()).toBe('netcase://app/index.html');
    const globals = await page.evaluate(() => ({ require: typeof (window as unknown as { require?: unknown }).require, process: typeof (window as unknown as { process?: unknown }).process, api: typeof (window as unknown as NetcaseWindow).netcase }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', api: 'object' });
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
  });

  test('create case, analyse, graph, report', async () => {
    const caseDir = join(root, 'case');
    const folder = await choose('new-case-folder', caseDir);
    const created = await page.evaluate((token) => (window as unknown as NetcaseWindow).netcase.cases.create({ folder: token, name: 'VIP recovery', analyst: 'E2E Analyst' }), folder);
    expect(created.dir).toBe(caseDir);

    const capture = await choose('add-captures', CAPTURE);
    const intake = await page.evaluate((token) => (window as unknown as NetcaseWindow).netcase.evidence.add({ files: [token] }), capture);
    expect(intake.added).toHaveLength(1);

    const end = await page.evaluate(
      () =>
        new Promise<JobEvent>((resolveEnd, reject) => {
          const api = (window as unknown as NetcaseWindow).netcase;
          let jobId: string | undefined;
          const seen: JobEvent[] = [];
          api.jobs.onEvent((event) => {
            seen.push(event);
            if (['done', 'failed', 'cancelled'].includes(event.type) && event.jobId === jobId) resolveEnd(event);
          });
          api.jobs.start({ kind: 'analyze', engine: 'tshark' }).then((started) => {
            jobId = started.jobId;
            const early = seen.find((event) => event.jobId === jobId && ['done', 'failed', 'cancelled'].includes(event.type));
            if (early) resolveEnd(early);
          }, reject);
        }),
    );
    expect(end.type).toBe('done');

    const graph = await page.evaluate(() => (window as unknown as NetcaseWindow).netcase.graph.get({ kinds: ['host', 'domain'] }));
    expect(graph.nodes.map((node) => node.value)).toContain('10.1.9.101');
    expect(graph.nodes.map((node) => node.value)).toContain('checkip.dyndns.org');

    const pdfPath = join(root, 'report.pdf');
    const pdf = await choose('save-report', pdfPath);
    const report = await page.evaluate((token) => (window as unknown as NetcaseWindow).netcase.report.export({ pdf: token }), pdf);
    expect(report.pdf).toBe(pdfPath);
    expect(existsSync(pdfPath)).toBe(true);
    expect(report.pages).toBeGreaterThan(1);
  });

  test('malformed call rejected with its code', async () => {
    const error = await page.evaluate(() => (window as unknown as NetcaseWindow).netcase.cases.info({ unexpected: 1 } as never).then(() => null, (failure: unknown) => failure));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
