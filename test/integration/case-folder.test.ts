import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { addEvidence, listEvidence, verifyEvidence } from '../../main/case/evidence.js';
import { listAudit, verifyAudit } from '../../main/case/audit.js';
import { describeCase } from '../../main/case/case-info.js';
import { folderNameFor } from '../../main/case/case-file.js';
import { NetcaseError } from '../../main/errors.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

function caseDir(): string {
  return join(tempDir(), 'case');
}

describe('case folders', () => {
  it('creates case.json, folders and a database', () => {
    const dir = caseDir();
    const meta = createCase(dir, { name: 'Acme phishing', analyst: 'Dana' });
    expect(readdirSync(dir).sort()).toEqual(['case.json', 'case.sqlite', 'engine', 'evidence', 'exports', 'reports']);
    const stored = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
    expect(stored).toMatchObject({ format: 'netcase-case', version: 1, id: meta.id, name: 'Acme phishing', analyst: 'Dana', timeZone: expect.any(String) });
    expect(stored.created).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('keeps a name with ../ as text inside the case', () => {
    const root = tempDir();
    const dir = join(root, 'inner', 'case');
    const meta = createCase(dir, { name: '../../escape/attempt', analyst: 'x' });
    expect(meta.name).toBe('../../escape/attempt');
    expect(readdirSync(root)).toEqual(['inner']);
    expect(readdirSync(join(root, 'inner'))).toEqual(['case']);
    expect(folderNameFor('../../escape/attempt')).toBe('escape-attempt');
    expect(folderNameFor('..')).toBe('case');
  });

  it('rejects control characters in names', () => {
    expect(() => createCase(caseDir(), { name: 'bad\u0007name' })).toThrow(/control characters/);
    expect(() => createCase(caseDir(), { name: '   ' })).toThrow(/empty/);
  });

  it('refuses a folder that is not empty', () => {
    const dir = caseDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(() => createCase(dir, { name: 'x' })).toThrow(/is not empty/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('refuses a second writer and names the holder', () => {
    const dir = caseDir();
    createCase(dir, { name: 'x' });
    const first = openCase(dir, { write: true, tool: 'first' });
    try {
      const lock = JSON.parse(readFileSync(join(dir, 'case.lock'), 'utf8'));
      lock.pid = process.ppid;
      writeFileSync(join(dir, 'case.lock'), JSON.stringify(lock));
      let error: unknown;
      try {
        openCase(dir, { write: true, tool: 'second' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(NetcaseError);
      expect((error as NetcaseError).code).toBe('CASE_LOCKED');
      expect((error as NetcaseError).message).toContain(`pid ${process.ppid} on ${hostname()}`);
      expect((error as NetcaseError).message).toContain(lock.since);
    } finally {
      first.close();
    }
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = caseDir();
    createCase(dir, { name: 'x' });
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    writeFileSync(join(dir, 'case.lock'), JSON.stringify({ pid: deadPid, host: hostname(), since: '2026-01-01T00:00:00.000Z', tool: 'crashed' }));
    const opened = openCase(dir, { write: true });
    expect(JSON.parse(readFileSync(join(dir, 'case.lock'), 'utf8')).pid).toBe(process.pid);
    opened.close();
    expect(existsSync(join(dir, 'case.lock'))).toBe(false);
  });

  it('explains a missing or corrupted case.json without touching it', () => {
    const dir = caseDir();
    createCase(dir, { name: 'x' });
    writeFileSync(join(dir, 'case.json'), '{ not json');
    expect(() => openCase(dir, { write: true })).toThrow(/case.json is not valid JSON/);
    expect(readFileSync(join(dir, 'case.json'), 'utf8')).toBe('{ not json');
    expect(() => openCase(tempDir(), { write: false })).toThrow(/case.json is missing/);
  });

  it('advises by what a folder without case.json holds', () => {
    const empty = tempDir();
    const other = tempDir();
    writeFileSync(join(other, 'notes.txt'), 'not a case');

    expect(() => openCase(empty, { write: false })).toThrow(`Create one with "netcase case create ${empty} --name NAME".`);
    expect(() => openCase(other, { write: false })).toThrow('To start a case, run "netcase case create FOLDER --name NAME" with a new or empty folder.');
  });

  it('explains a corrupted case.sqlite without touching it', () => {
    const dir = caseDir();
    createCase(dir, { name: 'x' });
    writeFileSync(join(dir, 'case.sqlite'), 'this is not a database at all, just text '.repeat(200));
    expect(() => openCase(dir, { write: true })).toThrow(/damaged or not an SQLite file/);
    expect(readFileSync(join(dir, 'case.sqlite'), 'utf8')).toContain('this is not a database');
    expect(existsSync(join(dir, 'case.lock'))).toBe(false);
  });
});

describeWithShared('evidence intake', () => {
  const capture = sharedPath('scenarios/vip-recovery/vip-recovery.pcap');

  it('copies a capture read-only with its SHA-256 and audits it', async () => {
    const dir = caseDir();
    createCase(dir, { name: 'x', analyst: 'Dana' });
    const opened = openCase(dir, { write: true });
    try {
      const result = await addEvidence(opened, [capture]);
      expect(result.added).toHaveLength(1);
      const item = result.added[0]!;
      expect(item).toMatchObject({ kind: 'capture', sha256: '11d055385e970893ca082f53939217864284369515cc119cecda103421c09849', size: 95097, original_path: capture });
      expect(readFileSync(join(dir, item.stored_path))).toEqual(readFileSync(capture));
      expect(statSync(join(dir, item.stored_path)).mode & 0o222).toBe(0);
      expect(listAudit(opened.db).map((entry) => entry.action)).toEqual(['case.create', 'evidence.add']);
      expect(verifyAudit(opened.db).ok).toBe(true);
    } finally {
      opened.close();
    }
  });

  it('refuses a duplicate by hash', async () => {
    const dir = caseDir();
    createCase(dir, { name: 'x' });
    const copy = join(tempDir(), 'same content.pcap');
    writeFileSync(copy, readFileSync(capture));
    const opened = openCase(dir, { write: true });
    try {
      await addEvidence(opened, [capture]);
      const second = await addEvidence(opened, [copy]);
      expect(second.added).toHaveLength(0);
      expect(second.skipped[0]!.reason).toContain('already evidence');
      expect(listEvidence(opened)).toHaveLength(1);
    } finally {
      opened.close();
    }
  });

  it('adds Zeek log folders and skips other files', async () => {
    const dir = caseDir();
    createCase(dir, { name: 'x' });
    const opened = openCase(dir, { write: true });
    try {
      const result = await addEvidence(opened, [sharedPath('corpus/zeek-logs/stratosphere-security-datasets-for-testing')]);
      expect(result.added.map((item) => item.kind)).toEqual(Array(5).fill('zeek-log'));
      expect(result.skipped.map((skipped) => skipped.reason)).toContain('not a packet capture (pcap, pcapng) or a Zeek log (its first bytes match no capture or log format)');
    } finally {
      opened.close();
    }
  });

  it('refuses a file that is neither capture nor log', async () => {
    const dir = caseDir();
    createCase(dir, { name: 'x' });
    const opened = openCase(dir, { write: true });
    try {
      await expect(addEvidence(opened, [sharedPath('corpus/MANIFEST.md')])).rejects.toThrow(/not a packet capture/);
      expect(listEvidence(opened)).toHaveLength(0);
      expect(readdirSync(join(dir, 'evidence'))).toEqual([]);
    } finally {
      opened.close();
    }
  });

  it('reports changed evidence loudly and audits the check', async () => {
    const dir = caseDir();
    createCase(dir, { name: 'x' });
    const opened = openCase(dir, { write: true });
    try {
      const item = (await addEvidence(opened, [capture])).added[0]!;
      const stored = join(dir, item.stored_path);
      chmodSync(stored, 0o644);
      const bytes = readFileSync(stored);
      bytes[1000] = bytes[1000]! ^ 0xff;
      writeFileSync(stored, bytes);

      const checks = await verifyEvidence(opened);
      expect(checks[0]).toMatchObject({ status: 'changed' });
      expect(checks[0]!.actualSha256).not.toBe(item.sha256);
      const info = await describeCase(opened);
      expect(info.evidenceOk).toBe(false);
      const last = listAudit(opened.db).at(-1)!;
      expect(last.action).toBe('evidence.verify');
      expect(JSON.parse(last.details).items[0].status).toBe('changed');
    } finally {
      opened.close();
    }
  });
});
