import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { sqliteFailureError } from '../../main/errors.js';
import { importLogs } from '../../main/ingest/importer.js';
import { runNetcase, startNetcase } from '../helpers/cli.js';
import { writeConnLog } from '../helpers/generate-logs.js';
import { tempDir } from '../helpers/temp.js';
import { expectCaseSound, expectCliSound, fingerprintFolder, suiteDir } from './case-health.js';

/** Runs mount or umount and returns the error text, or null when it worked. */
function mountCommand(program: 'mount' | 'umount', args: string[]): string | null {
  const result = spawnSync(program, args, { encoding: 'utf8' });
  if (result.error) return result.error.message;
  return result.status === 0 ? null : (result.stderr.trim() || `${program} exited with status ${result.status}`);
}

const mounted: string[] = [];

/** Mounts a tmpfs of `size` (mount syntax, such as 8m) on a new folder, or returns why it cannot. */
function mountTmpfs(size: string): { dir: string } | { reason: string } {
  const dir = tempDir('netcase-tmpfs-');
  const refused = mountCommand('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (refused) {
    const reason = `mount -t tmpfs was refused (${refused}); run the tests as root to cover a full disk and a read-only folder`;
    console.warn(`Skipping a storage fault test: ${reason}.`);
    return { reason };
  }
  mounted.push(dir);
  return { dir };
}

afterEach(() => {
  for (const dir of mounted.splice(0)) {
    mountCommand('umount', [dir]);
    if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  }
});

const CONN_HEADER = '#separator \\x09\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\n';

describe('storage faults', () => {
  const inputs = suiteDir('netcase-storage-');
  beforeAll(async () => {
    await writeConnLog(join(inputs, 'conn.log'), 60_000);
    writeFileSync(join(inputs, 'small.log'), `${CONN_HEADER}1767981600.000000\tC1\t10.0.0.1\t1000\t192.0.2.80\t80\ttcp\n`);
  });

  it('disk full during intake', async (context) => {
    const tmpfs = mountTmpfs('6m');
    if ('reason' in tmpfs) return context.skip(tmpfs.reason);
    const caseDir = join(tmpfs.dir, 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'full disk']).status).toBe(0);

    // The conn log is about 7 MB, more than the tmpfs can store.
    const add = runNetcase(['add', caseDir, join(inputs, 'conn.log')]);
    expect(add.stderr).toMatch(/Cannot copy .*conn\.log into the case: ENOSPC: no space left on device/);
    expect(add.status).toBe(1);
    const counts = await expectCaseSound(caseDir);
    expect(counts.evidence).toBe(0);

    expect(mountCommand('mount', ['-o', 'remount,size=64m', tmpfs.dir])).toBeNull();
    expect(runNetcase(['add', caseDir, join(inputs, 'conn.log')]).status).toBe(0);
    expect((await expectCaseSound(caseDir)).evidence).toBe(1);
  });

  it('disk full during import', async (context) => {
    const tmpfs = mountTmpfs('4m');
    if ('reason' in tmpfs) return context.skip(tmpfs.reason);
    const caseDir = join(tmpfs.dir, 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'full disk']).status).toBe(0);

    const imported = runNetcase(['import-logs', caseDir, join(inputs, 'small.log'), join(inputs, 'conn.log')]);
    expect(imported.stderr).toMatch(/disk .*full|no space left/i);
    expect(imported.stderr).not.toContain('internal error');
    expect(imported.status).not.toBe(0);
    const counts = await expectCaseSound(caseDir);
    // The small log committed before the disk filled, and nothing of the large one is kept.
    expect(counts.imports).toBe(1);
    expect(counts.events).toBe(1);

    expect(mountCommand('mount', ['-o', 'remount,size=128m', tmpfs.dir])).toBeNull();
    expect(runNetcase(['import-logs', caseDir, join(inputs, 'small.log'), join(inputs, 'conn.log')]).status).toBe(0);
    const after = await expectCaseSound(caseDir);
    expect(after.imports).toBe(2);
    expect(after.events).toBe(60_001);
  });

  it('database full without root', async () => {
    // SQLite's max_page_count makes the database file unable to grow, as a full disk does,
    // where mounting a small tmpfs is not allowed.
    const caseDir = join(tempDir(), 'case');
    createCase(caseDir, { name: 'simulated full disk' });
    const opened = openCase(caseDir, { write: true });
    let error: unknown;
    try {
      opened.db.pragma(`max_page_count = ${(opened.db.pragma('page_count', { simple: true }) as number) + 40}`);
      error = await importLogs(opened.db, [join(inputs, 'small.log'), join(inputs, 'conn.log')], { actor: 'tester' }).catch((caught: unknown) => caught);
    } finally {
      opened.close();
    }
    expect((error as { code?: string }).code).toBe('SQLITE_FULL');
    expect(sqliteFailureError(error)?.message).toMatch(/^The disk is full \(database or disk is full\), so the case database could not grow; the change in progress was rolled back\. Free space/);
    const counts = await expectCaseSound(caseDir);
    expect(counts.imports).toBe(1);
    expect(counts.events).toBe(1);

    expect(runNetcase(['import-logs', caseDir, join(inputs, 'small.log'), join(inputs, 'conn.log')]).status).toBe(0);
    expect((await expectCaseSound(caseDir)).events).toBe(60_001);
  });

  it('disk full during report export', async (context) => {
    const tmpfs = mountTmpfs('16k');
    if ('reason' in tmpfs) return context.skip(tmpfs.reason);
    const caseDir = join(tempDir(), 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'full disk']).status).toBe(0);
    expect(runNetcase(['import-logs', caseDir, join(inputs, 'small.log')]).status).toBe(0);
    const before = await expectCaseSound(caseDir);

    const out = join(tmpfs.dir, 'report.pdf');
    const report = runNetcase(['report', caseDir, '--out', out]);
    expect(report.stderr).toContain(`Cannot write ${out}: ENOSPC: no space left on device`);
    expect(report.status).toBe(1);
    expect(readdirSync(tmpfs.dir)).toEqual([]);
    expect(await expectCaseSound(caseDir)).toEqual(before);
  });

  it('read-only case folder', async (context) => {
    const tmpfs = mountTmpfs('16m');
    if ('reason' in tmpfs) return context.skip(tmpfs.reason);
    const caseDir = join(tmpfs.dir, 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'read-only']).status).toBe(0);
    expect(runNetcase(['add', caseDir, join(inputs, 'small.log')]).status).toBe(0);
    expect(runNetcase(['import-logs', caseDir, join(inputs, 'small.log')]).status).toBe(0);
    const refused = mountCommand('mount', ['-o', 'remount,ro', tmpfs.dir]);
    if (refused) return context.skip(`remounting the tmpfs read-only was refused (${refused})`);
    const before = fingerprintFolder(caseDir);

    const info = runNetcase(['case', 'info', caseDir]);
    expect(info.stdout).toContain('[verified] evidence/');
    expect(info.stderr).toContain('this verification was not added to the audit log');
    expect(info.status).toBe(0);
    const events = runNetcase(['events', caseDir, '--json']);
    expect(events.stdout).toContain('"uid":"C1"');
    expect(events.status).toBe(0);
    expect(runNetcase(['audit', 'verify', caseDir]).status).toBe(0);

    const readOnly = `The case folder ${caseDir} is read-only (EROFS), so Netcase can read the case but not change it. Copy the folder to writable storage`;
    for (const args of [['add', caseDir, join(inputs, 'conn.log')], ['import-logs', caseDir, join(inputs, 'conn.log')], ['ioc', 'tag', caseDir, '192.0.2.80', '--verdict', 'malicious'], ['report', caseDir, '--out', join(tempDir(), 'r.pdf')]]) {
      const result = runNetcase(args);
      expect(result.stderr, args[0]).toContain(readOnly);
      expect(result.status).toBe(1);
    }

    expect(mountCommand('mount', ['-o', 'remount,rw', tmpfs.dir])).toBeNull();
    expect(fingerprintFolder(caseDir)).toEqual(before);
    expectCliSound(caseDir);
  });

  it('read-only folder with a damaged database', async (context) => {
    const tmpfs = mountTmpfs('16m');
    if ('reason' in tmpfs) return context.skip(tmpfs.reason);
    const caseDir = join(tmpfs.dir, 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'read-only damaged']).status).toBe(0);
    writeFileSync(join(caseDir, 'case.sqlite'), 'not a database');
    const refused = mountCommand('mount', ['-o', 'remount,ro', tmpfs.dir]);
    if (refused) return context.skip(`remounting the tmpfs read-only was refused (${refused})`);

    // Readers open a temporary copy, but the message names the file to restore.
    const events = runNetcase(['events', caseDir]);
    expect(events.stderr).toContain(`The case database ${join(caseDir, 'case.sqlite')} is damaged or not an SQLite file`);
    expect(events.status).toBe(1);
  });
});

describe('two processes on one case', () => {
  let conn: string;
  beforeAll(async () => {
    conn = join(suiteDir('netcase-lock-'), 'conn.log');
    await writeConnLog(conn, 80_000);
  });

  it('second writer refused, readers served', async () => {
    const caseDir = join(tempDir(), 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'two processes']).status).toBe(0);
    const other = join(tempDir(), 'small.log');
    writeFileSync(other, `${CONN_HEADER}1767981600.000000\tC1\t10.0.0.1\t1000\t192.0.2.80\t80\ttcp\n`);

    const writer = startNetcase(['import-logs', caseDir, conn]);
    writer.stdout!.resume();
    writer.stderr!.resume();
    const ended = once(writer, 'exit');
    while (!existsSync(join(caseDir, 'case.lock'))) await new Promise((resolve) => setTimeout(resolve, 20));

    const second = runNetcase(['import-logs', caseDir, other]);
    expect(second.stderr).toMatch(new RegExp(`The case is open for writing by netcase-cli \\(pid ${writer.pid} on .+, since .+\\)\\. Close it there, or wait for that job to finish\\.`));
    expect(second.status).toBe(1);
    const info = runNetcase(['case', 'info', caseDir]);
    expect(info.stderr).toContain(`the case is open for writing elsewhere (pid ${writer.pid}`);
    expect(info.status).toBe(0);
    expect(runNetcase(['events', caseDir, '--limit', '1']).status).toBe(0);

    const [code] = await ended;
    expect(code).toBe(0);
    expect(runNetcase(['import-logs', caseDir, other]).status).toBe(0);
    const counts = await expectCaseSound(caseDir);
    expect(counts.imports).toBe(2);
    expect(counts.events).toBe(80_001);
  });

  it('damaged lock file is taken over', async () => {
    const caseDir = join(tempDir(), 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'damaged lock']).status).toBe(0);
    writeFileSync(join(caseDir, 'case.lock'), 'garbage{');
    const small = join(tempDir(), 'small.log');
    writeFileSync(small, `${CONN_HEADER}1767981600.000000\tC1\t10.0.0.1\t1000\t192.0.2.80\t80\ttcp\n`);

    expect(runNetcase(['import-logs', caseDir, small]).status).toBe(0);
    expect(existsSync(join(caseDir, 'case.lock'))).toBe(false);
    expect((await expectCaseSound(caseDir)).events).toBe(1);
  });

  it('lock from another host is kept', () => {
    const caseDir = join(tempDir(), 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'other host']).status).toBe(0);
    const lock = JSON.stringify({ pid: 4242, host: 'analyst-laptop-2', since: '2026-01-09T18:00:00.000Z', tool: 'netcase-app' });
    writeFileSync(join(caseDir, 'case.lock'), lock);

    const result = runNetcase(['add', caseDir, join(caseDir, 'case.json')]);
    expect(result.stderr).toContain(`The case is open for writing by netcase-app (pid 4242 on analyst-laptop-2, since 2026-01-09T18:00:00.000Z). It cannot be checked from`);
    expect(result.stderr).toContain(`if that process is gone, delete ${join(caseDir, 'case.lock')}.`);
    expect(result.status).toBe(1);
    expect(readFileSync(join(caseDir, 'case.lock'), 'utf8')).toBe(lock);
  });

  it('two writers started together', async () => {
    const caseDir = join(tempDir(), 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'race']).status).toBe(0);
    const logs = tempDir();
    mkdirSync(join(logs, 'a'));
    mkdirSync(join(logs, 'b'));
    await writeConnLog(join(logs, 'a', 'conn.log'), 20_000);
    await writeConnLog(join(logs, 'b', 'conn.log'), 20_000, 1767990000);

    const children = ['a', 'b'].map((name) => {
      const child = startNetcase(['import-logs', caseDir, join(logs, name)]);
      let stderr = '';
      child.stdout!.resume();
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return once(child, 'exit').then(([code]) => ({ name, code: code as number, stderr: () => stderr }));
    });
    const results = await Promise.all(children);
    const winners = results.filter((result) => result.code === 0);
    const losers = results.filter((result) => result.code !== 0);
    // Both may finish when the first ends before the second starts, but never do both write at once.
    for (const loser of losers) expect(loser.stderr()).toMatch(/The case is open for writing by netcase-cli \(pid \d+/);
    expect(winners.length).toBeGreaterThanOrEqual(1);
    for (const loser of losers) expect(runNetcase(['import-logs', caseDir, join(logs, loser.name)]).status).toBe(0);

    const counts = await expectCaseSound(caseDir);
    expect(counts.imports).toBe(2);
    expect(counts.events).toBe(40_000);
  });
});
