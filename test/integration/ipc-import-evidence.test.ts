import { appendFileSync, chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeConnLog } from '../helpers/generate-logs.js';
import { IpcHarness } from '../helpers/ipc.js';
import { tempDir } from '../helpers/temp.js';

/** Creates a harness with an open case whose evidence is one dropped conn.log of `lines` records. */
async function caseWithDroppedLog(lines: number): Promise<{ harness: IpcHarness; evidenceId: number }> {
  const harness = new IpcHarness(tempDir('netcase-ipc-evidence-'));
  const folder = await harness.token('new-case-folder', join(harness.root, 'case'));
  await harness.call('cases.create', { folder, name: 'Dropped logs' });
  const log = join(harness.root, 'conn.log');
  await writeConnLog(log, lines);
  const intake = await harness.call('evidence.addDropped', { paths: [log] });
  expect(intake.added.map((item) => item.kind)).toEqual(['zeek-log']);
  return { harness, evidenceId: intake.added[0]!.id };
}

describe('jobs.start import-evidence', () => {
  it('imports a Zeek log kept as evidence', async () => {
    const { harness, evidenceId } = await caseWithDroppedLog(25);
    const { jobId } = await harness.call('jobs.start', { kind: 'import-evidence', evidence: [evidenceId] });
    const end = await harness.jobEnd(jobId);
    expect(end.type).toBe('done');
    const info = await harness.call('cases.info', {});
    expect(info.events.total).toBe(25);
    expect(info.evidence[0]!.status).toBe('verified');
  });

  it('second import adds nothing', async () => {
    const { harness, evidenceId } = await caseWithDroppedLog(10);
    for (let run = 0; run < 2; run++) {
      const { jobId } = await harness.call('jobs.start', { kind: 'import-evidence', evidence: [evidenceId] });
      expect((await harness.jobEnd(jobId)).type).toBe('done');
    }
    expect((await harness.call('cases.info', {})).events.total).toBe(10);
  });

  it('unknown evidence id rejected', async () => {
    const { harness, evidenceId } = await caseWithDroppedLog(1);
    const error = await harness.fail('jobs.start', { kind: 'import-evidence', evidence: [evidenceId + 1] });
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain(`Evidence ${evidenceId + 1} is not in the open case`);
    expect(harness.jobEvents).toEqual([]);
  });

  it('capture evidence rejected', async () => {
    const harness = new IpcHarness(tempDir('netcase-ipc-evidence-'));
    await harness.call('cases.create', { folder: await harness.token('new-case-folder', join(harness.root, 'case')), name: 'Capture' });
    const capture = join(import.meta.dirname, '../../resources/samples/vip-recovery.pcap');
    const intake = await harness.call('evidence.add', { files: [await harness.token('add-captures', capture)] });
    const error = await harness.fail('jobs.start', { kind: 'import-evidence', evidence: [intake.added[0]!.id] });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('is a capture, not a Zeek log');
  });
});

describe('cases.info without verification', () => {
  function verifications(harness: IpcHarness): number {
    const db = new Database(join(harness.root, 'case', 'case.sqlite'), { readonly: true });
    const count = (db.prepare(`SELECT count(*) AS n FROM audit WHERE action = 'evidence.verify'`).get() as { n: number }).n;
    db.close();
    return count;
  }

  it('shows the last verified statuses', async () => {
    const { harness } = await caseWithDroppedLog(5);
    const before = verifications(harness);
    const summary = await harness.call('cases.info', { verifyEvidence: false });
    expect(summary.evidence.map((check) => check.status)).toEqual(['verified']);
    expect(verifications(harness)).toBe(before);

    // A changed copy shows once a verification has seen it.
    const stored = join(harness.root, 'case', summary.evidence[0]!.item.stored_path);
    chmodSync(stored, 0o644);
    appendFileSync(stored, '# appended\n');
    expect((await harness.call('cases.info', { verifyEvidence: false })).evidence[0]!.status).toBe('verified');
    expect((await harness.call('cases.info', {})).evidence[0]!.status).toBe('changed');
    expect(verifications(harness)).toBe(before + 1);
    const after = await harness.call('cases.info', { verifyEvidence: false });
    expect(after.evidence[0]!.status).toBe('changed');
    expect(after.evidence[0]!.actualSha256).toMatch(/^[0-9a-f]{64}$/);

    // A missing copy shows at once.
    rmSync(stored);
    expect((await harness.call('cases.info', { verifyEvidence: false })).evidence[0]!.status).toBe('missing');
  });
});
