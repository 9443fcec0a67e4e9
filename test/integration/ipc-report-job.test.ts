import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../preload/api.js';
import { writeConnLog } from '../helpers/generate-logs.js';
import { IpcHarness } from '../helpers/ipc.js';

const PASSPHRASE = 'report job passphrase';

describe('jobs.start report-export', () => {
  let harness: IpcHarness;
  let caseDir: string;
  let certificate: string;

  beforeAll(async () => {
    // One case for every test here, so the folder outlives each test and goes in afterAll.
    harness = new IpcHarness(mkdtempSync(join(tmpdir(), 'netcase-ipc-report-job-')));
    caseDir = join(harness.root, 'case');
    await harness.call('cases.create', { folder: await harness.token('new-case-folder', caseDir), name: 'Report job' });
    const log = join(harness.root, 'conn.log');
    await writeConnLog(log, 200);
    const intake = await harness.call('evidence.addDropped', { paths: [log] });
    const { jobId } = await harness.call('jobs.start', { kind: 'import-evidence', evidence: [intake.added[0]!.id] });
    expect((await harness.jobEnd(jobId)).type).toBe('done');

    const out = await harness.token('save-certificate', join(harness.root, 'analyst.p12'));
    certificate = (await harness.call('certificates.create', { out, name: 'Job Analyst', passphrase: PASSPHRASE })).path;
  });

  afterAll(() => rmSync(harness.root, { recursive: true, force: true }));

  function reportExports(): number {
    const db = new Database(join(caseDir, 'case.sqlite'), { readonly: true });
    const count = (db.prepare(`SELECT count(*) AS n FROM audit WHERE action = 'report.export'`).get() as { n: number }).n;
    db.close();
    return count;
  }

  it('reports progress and ends with the signed result', async () => {
    const pdf = join(harness.root, 'job.pdf');
    const { jobId } = await harness.call('jobs.start', {
      kind: 'report-export',
      report: { pdf: await harness.token('save-report', pdf), sign: { certificate: await harness.token('choose-certificate', certificate), passphrase: PASSPHRASE } },
    });
    const end = await harness.jobEnd(jobId);

    expect(end.type).toBe('done');
    const result = (end as Extract<JobEvent, { type: 'done' }>).result as { pdf: string; signature?: { valid: boolean } };
    expect(result.pdf).toBe(pdf);
    expect(result.signature?.valid).toBe(true);
    expect(existsSync(pdf)).toBe(true);

    const progress = harness.jobEvents.filter((event): event is Extract<JobEvent, { type: 'progress' }> => event.jobId === jobId && event.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)?.message).toBe('Writing the files');
    const ratios = progress.map((event) => event.ratio ?? 0);
    expect(ratios).toEqual([...ratios].sort((a, b) => a - b));
  });

  it('cancel writes no report', async () => {
    const before = reportExports();
    const pdf = join(harness.root, 'cancelled.pdf');
    const { jobId } = await harness.call('jobs.start', { kind: 'report-export', report: { pdf: await harness.token('save-report', pdf) } });
    await harness.call('jobs.cancel', { jobId });

    expect((await harness.jobEnd(jobId)).type).toBe('cancelled');
    expect(existsSync(pdf)).toBe(false);
    expect(existsSync(`${pdf}.sha256`)).toBe(false);
    expect(reportExports()).toBe(before);
  });

  it('a cancelled export can run again', async () => {
    const pdf = join(harness.root, 'again.pdf');
    const { jobId } = await harness.call('jobs.start', { kind: 'report-export', report: { pdf: await harness.token('save-report', pdf) } });

    expect((await harness.jobEnd(jobId)).type).toBe('done');
    expect(existsSync(pdf)).toBe(true);
  });
});
