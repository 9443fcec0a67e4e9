import { appendFileSync, chmodSync, copyFileSync, createReadStream, createWriteStream, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { expect, it } from 'vitest';
import { createServices } from '../../main/services.js';
import { openCase } from '../../main/case/case-folder.js';
import { listAudit } from '../../main/case/audit.js';
import { runImport } from '../../main/ingest/run-import.js';
import { runNetcase, startNetcase } from '../helpers/cli.js';
import { FAKE_ZEEK, FAKE_ZEEK_LOG_NAMES, fakeZeekRecordCount, prepareFakeZeekLogs, readFakeZeekRecord, waitForExit, waitForFile } from '../helpers/fake-zeek.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

const VIP_PCAP = sharedPath('scenarios/vip-recovery/vip-recovery.pcap');
const services = createServices('netcase-test');

interface Setup {
  caseDir: string;
  record: string;
  env: Record<string, string>;
}

/** Creates a case with one capture, and an environment in which Zeek is the test double. */
function setUp(capture = VIP_PCAP): Setup {
  const work = tempDir();
  const caseDir = join(work, 'case');
  const record = join(work, 'record.json');
  expect(runNetcase(['case', 'create', caseDir, '--name', 'Analyze test']).status).toBe(0);
  expect(runNetcase(['add', caseDir, capture]).status).toBe(0);
  const env = { NETCASE_ZEEK: FAKE_ZEEK, FAKE_ZEEK_LOGS: prepareFakeZeekLogs(join(work, 'logs')), FAKE_ZEEK_RECORD: record, PATH: process.env.PATH ?? '' };
  return { caseDir, record, env };
}

function countEvents(caseDir: string): Record<string, number> {
  const opened = openCase(caseDir, { write: false });
  try {
    const rows = opened.db.prepare('SELECT log, COUNT(*) AS n FROM events GROUP BY log').all() as { log: string; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.log, row.n]));
  } finally {
    opened.close();
  }
}

function countRows(caseDir: string, table: string): number {
  const opened = openCase(caseDir, { write: false });
  try {
    return (opened.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    opened.close();
  }
}

function auditActions(caseDir: string): string[] {
  const opened = openCase(caseDir, { write: false });
  try {
    return listAudit(opened.db).map((entry) => entry.action);
  } finally {
    opened.close();
  }
}

function engineFolders(caseDir: string): string[] {
  return readdirSync(join(caseDir, 'engine'));
}

describeWithShared('netcase analyze with the Zeek double', () => {
  it('imports the Zeek logs and records the run', () => {
    const { caseDir, env } = setUp();

    const result = runNetcase(['analyze', caseDir, '--engine', 'zeek'], { env });

    expect(result.stderr).not.toContain('netcase:');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Engine: fake-zeek version 6.2.1-test-double. Zeek was requested; using the configured Zeek');
    const runs = services.engineRuns(caseDir);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.status).toBe('done');
    expect(run.engine).toBe('zeek');
    expect(run.engineVersion).toBe('fake-zeek version 6.2.1-test-double');
    expect(run.requestedEngine).toBe('zeek');
    expect(run.exitCode).toBe(0);
    expect(run.options.allowBadChecksums).toBe(true);
    expect(run.commandLine).toContain('-C');
    expect(run.commandLine.slice(0, 3)).toEqual([FAKE_ZEEK, '-r', '-']);
    expect(run.outputDir).toBe(`engine/${run.id}`);
    expect(readdirSync(join(caseDir, run.outputDir!)).sort()).toEqual(FAKE_ZEEK_LOG_NAMES.map((name) => `${name}.log`).sort());

    const events = countEvents(caseDir);
    for (const name of FAKE_ZEEK_LOG_NAMES) expect(events[name], name).toBe(fakeZeekRecordCount(name));
    expect(run.records).toBe(Object.values(events).reduce((sum, n) => sum + n, 0));
    expect(auditActions(caseDir)).toContain('engine.run');
    expect(services.verifyAudit(caseDir).ok).toBe(true);
  });

  it('second analyze has nothing to do', () => {
    const { caseDir, env } = setUp();
    expect(runNetcase(['analyze', caseDir], { env }).status).toBe(0);

    const again = runNetcase(['analyze', caseDir], { env });

    expect(again.status).toBe(0);
    expect(again.stdout).toContain('Nothing to analyse: all 1 captures have been analysed.');
    expect(services.engineRuns(caseDir)).toHaveLength(1);
  });

  it('auto choice is printed and stored', () => {
    const { caseDir, env } = setUp();

    const result = runNetcase(['analyze', caseDir], { env });

    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Using the configured Zeek (${FAKE_ZEEK}).`);
    expect(services.engineRuns(caseDir)[0]!.choiceReason).toBe(`Using the configured Zeek (${FAKE_ZEEK}).`);
    expect(services.engineRuns(caseDir)[0]!.requestedEngine).toBe('auto');
  });

  it('json progress lines', () => {
    const { caseDir, env } = setUp();

    const result = runNetcase(['analyze', caseDir, '--json-progress'], { env });
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(result.status).toBe(0);
    expect(lines[0]).toMatchObject({ type: 'engine', engine: 'zeek', requested: 'auto' });
    const progress = lines.filter((line) => line.type === 'progress' && line.phase === 'engine');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toMatchObject({ bytesRead: statSync(VIP_PCAP).size, bytesTotal: statSync(VIP_PCAP).size });
    const run = lines.find((line) => line.type === 'run');
    expect(run).toMatchObject({ status: 'done' });
    const logFiles = run!.logFiles as string[];
    expect(logFiles.length).toBeGreaterThan(0);
    for (const file of logFiles) expect(file).toMatch(/^engine\/[^/]+\/[\w-]+\.log$/);
    for (const file of logFiles) expect(existsSync(join(caseDir, file)), file).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'summary' });
  });

  it('reject-bad-checksums drops -C', () => {
    const { caseDir, env, record } = setUp();

    expect(runNetcase(['analyze', caseDir, '--reject-bad-checksums'], { env }).status).toBe(0);

    expect(readFakeZeekRecord(record).args).not.toContain('-C');
    expect(services.engineRuns(caseDir)[0]!.options.allowBadChecksums).toBe(false);
  });

  it('gzipped capture with an awkward name', async () => {
    const capture = join(tempDir(), 'capture "vip" é.pcap.gz');
    await pipeline(createReadStream(VIP_PCAP), createGzip(), createWriteStream(capture));
    const { caseDir, env, record } = setUp(capture);

    const result = runNetcase(['analyze', caseDir], { env });

    expect(result.status).toBe(0);
    expect(readFakeZeekRecord(record).stdinBytes).toBe(statSync(VIP_PCAP).size);
    expect(countEvents(caseDir).conn).toBe(fakeZeekRecordCount('conn'));
  });

  it('engine failure is recorded with stderr', () => {
    const { caseDir, env } = setUp();

    const result = runNetcase(['analyze', caseDir], { env: { ...env, FAKE_ZEEK_MODE: 'fail' } });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('zeek exited with status 1');
    expect(result.stderr).toContain('failed to read a packet from the trace');
    const [run] = services.engineRuns(caseDir);
    expect(run?.status).toBe('failed');
    expect(run?.exitCode).toBe(1);
    expect(run?.stderr).toContain('fatal error');
    expect(run?.outputDir).toBeNull();
    expect(countRows(caseDir, 'events')).toBe(0);
    expect(engineFolders(caseDir)).toEqual([]);
  });

  it('failed capture is retried', () => {
    const { caseDir, env } = setUp();
    expect(runNetcase(['analyze', caseDir], { env: { ...env, FAKE_ZEEK_MODE: 'exit-code', FAKE_ZEEK_EXIT_CODE: '2' } }).status).toBe(1);

    const retry = runNetcase(['analyze', caseDir], { env });

    expect(retry.status).toBe(0);
    expect(services.engineRuns(caseDir).map((run) => run.status)).toEqual(['failed', 'done']);
    expect(countEvents(caseDir).dns).toBe(fakeZeekRecordCount('dns'));
  });

  it('timeout ends a hung engine', async () => {
    const { caseDir, env, record } = setUp();

    // The limit leaves the double time to start and write its record, also on a loaded machine.
    const result = runNetcase(['analyze', caseDir, '--timeout', '4'], { env: { ...env, FAKE_ZEEK_MODE: 'hang' } });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('did not finish within 4 s and was stopped');
    expect(services.engineRuns(caseDir)[0]?.status).toBe('failed');
    expect(services.engineRuns(caseDir)[0]?.error).toContain('--timeout');
    const invocation = readFakeZeekRecord(record);
    expect(await waitForExit(invocation.pid)).toBe(true);
    expect(await waitForExit(invocation.childPid!)).toBe(true);
  });

  it('changed evidence is not analysed', () => {
    const { caseDir, env } = setUp();
    const [item] = readdirSync(join(caseDir, 'evidence'));
    const stored = join(caseDir, 'evidence', item!);
    chmodSync(stored, 0o644);
    appendFileSync(stored, Buffer.from([0]));

    const result = runNetcase(['analyze', caseDir], { env });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('has changed since intake');
    expect(services.engineRuns(caseDir)[0]?.status).toBe('failed');
    expect(countRows(caseDir, 'events')).toBe(0);
  });

  it('one failed capture of two exits 3', async () => {
    const second = join(tempDir(), 'second.pcap.gz');
    await pipeline(createReadStream(VIP_PCAP), createGzip(), createWriteStream(second));
    const { caseDir, env } = setUp();
    expect(runNetcase(['add', caseDir, second]).status).toBe(0);
    const removed = readdirSync(join(caseDir, 'evidence')).find((name) => name.endsWith('vip-recovery.pcap'))!;
    rmSync(join(caseDir, 'evidence', removed));

    const result = runNetcase(['analyze', caseDir], { env });

    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`evidence/${removed} is missing from the case folder`);
    expect(services.engineRuns(caseDir).map((run) => run.status).sort()).toEqual(['done', 'failed']);
    expect(result.stdout).toContain('Total: 1 of 2 captures analysed');
  });

  it('missing Zeek is reported', () => {
    const { caseDir, env } = setUp();

    const result = runNetcase(['analyze', caseDir, '--engine', 'zeek'], { env: { ...env, NETCASE_ZEEK: join(tempDir(), 'no-zeek-here') } });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Zeek not found');
    expect(result.stderr).toContain('no-zeek-here (missing)');
    expect(services.engineRuns(caseDir)).toEqual([]);
  });

  it('interrupt leaves the case unchanged', async () => {
    const { caseDir, env, record } = setUp();
    const auditBefore = auditActions(caseDir);

    const child = startNetcase(['analyze', caseDir], { env: { ...env, FAKE_ZEEK_MODE: 'hang' } });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitForFile(record);
    const invocation = readFakeZeekRecord(record);
    expect(engineFolders(caseDir)).toHaveLength(1);
    child.kill('SIGINT');

    expect(await exited).toBe(1);
    expect(stderr).toContain('Analysis cancelled');
    expect(await waitForExit(invocation.pid)).toBe(true);
    expect(await waitForExit(invocation.childPid!)).toBe(true);
    expect(services.engineRuns(caseDir)).toEqual([]);
    expect(countRows(caseDir, 'events')).toBe(0);
    expect(engineFolders(caseDir)).toEqual([]);
    expect(auditActions(caseDir)).toEqual(auditBefore);

    const rerun = runNetcase(['analyze', caseDir], { env });
    expect(rerun.status).toBe(0);
    expect(services.engineRuns(caseDir).map((run) => run.status)).toEqual(['done']);
  });

  it('killed run is cleaned up on rerun', async () => {
    const { caseDir, env, record } = setUp();
    const child = startNetcase(['analyze', caseDir], { env: { ...env, FAKE_ZEEK_MODE: 'hang' } });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await waitForFile(record);
    const invocation = readFakeZeekRecord(record);
    const [leftover] = engineFolders(caseDir);

    child.kill('SIGKILL');
    await exited;
    // The engine leads its own process group, so killing netcase leaves it running; a killed
    // netcase cannot stop it, so the test does.
    process.kill(-invocation.pid, 'SIGKILL');
    expect(await waitForExit(invocation.pid)).toBe(true);
    expect(engineFolders(caseDir)).toEqual([leftover]);

    const rerun = runNetcase(['analyze', caseDir], { env });

    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain(`Removed the leftovers of 1 earlier runs that did not finish: ${leftover}`);
    const runs = services.engineRuns(caseDir);
    expect(runs.map((run) => run.status)).toEqual(['done']);
    expect(engineFolders(caseDir)).toEqual([runs[0]!.id]);
  });

  it('partly imported run is rolled back', async () => {
    const { caseDir, env } = setUp();
    // What a run killed during its import leaves: logs committed under a run id with no run row.
    const opened = openCase(caseDir, { write: true });
    const partial = join(tempDir(), 'partial');
    prepareFakeZeekLogs(partial);
    const logsDir = tempDir();
    for (const name of ['dns', 'http']) copyFileSync(join(partial, `${name}.ndjson`), join(logsDir, `${name}.log`));
    try {
      await runImport(opened, [logsDir], { runId: '20260101T000000Z-abcdef' });
    } finally {
      opened.close();
    }
    expect(countEvents(caseDir).dns).toBe(fakeZeekRecordCount('dns'));

    const rerun = runNetcase(['analyze', caseDir], { env });

    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain('20260101T000000Z-abcdef');
    const events = countEvents(caseDir);
    for (const name of FAKE_ZEEK_LOG_NAMES) expect(events[name], name).toBe(fakeZeekRecordCount(name));
    expect(eventSecondsMatchEvents(caseDir)).toBe(true);
    expect(auditActions(caseDir)).toContain('engine.run.rollback');
    expect(services.verifyAudit(caseDir).ok).toBe(true);
  });
});

/** Checks that event_seconds contains exactly the per-second counts of the events table. */
function eventSecondsMatchEvents(caseDir: string): boolean {
  const opened = openCase(caseDir, { write: false });
  try {
    const stored = opened.db.prepare('SELECT log, second, count FROM event_seconds ORDER BY log, second').all();
    const computed = opened.db
      .prepare(`SELECT log, CASE WHEN ts >= 0 THEN ts / 1000000 ELSE -((-ts + 999999) / 1000000) END AS second, COUNT(*) AS count
                FROM events WHERE ts IS NOT NULL GROUP BY log, second ORDER BY log, second`)
      .all();
    return JSON.stringify(stored) === JSON.stringify(computed);
  } finally {
    opened.close();
  }
}
