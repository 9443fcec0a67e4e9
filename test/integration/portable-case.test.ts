import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit, type AuditEntry } from '../../main/case/audit.js';
import { openCase } from '../../main/case/case-folder.js';
import { TarWriter } from '../../main/case/portable/tar.js';
import { isNetcaseError } from '../../main/errors.js';
import { createServices } from '../../main/services.js';
import { runNetcase } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

const services = createServices('test');

interface ArchiveMember {
  name: string;
  headerOffset: number;
  dataOffset: number;
  size: number;
}

/** Lists the members of a tar archive with their offsets, reading ustar headers and pax `path` records. */
function archiveMembers(archive: Buffer): ArchiveMember[] {
  const members: ArchiveMember[] = [];
  let offset = 0;
  let paxPath: string | null = null;
  while (offset + 512 <= archive.length && !archive.subarray(offset, offset + 512).every((byte) => byte === 0)) {
    const header = archive.subarray(offset, offset + 512);
    const size = parseInt(header.toString('ascii', 124, 136).replace(/\0.*$/, ''), 8);
    const type = String.fromCharCode(header[156]!);
    const dataOffset = offset + 512;
    if (type === 'x') {
      const match = /\d+ path=(.*)\n/.exec(archive.toString('utf8', dataOffset, dataOffset + size));
      paxPath = match ? match[1]! : null;
    } else {
      const name = paxPath ?? header.toString('utf8', 0, 100).replace(/\0.*$/, '');
      members.push({ name, headerOffset: offset, dataOffset, size });
      paxPath = null;
    }
    offset = dataOffset + Math.ceil(size / 512) * 512;
  }
  return members;
}

/** Builds a ustar header with any name and type, for archives the writer would never produce. */
function rawHeader(name: string, size: number, type = '0', linkName = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000444\0', 100, 'ascii');
  header.write('0000000\0', 108, 'ascii');
  header.write('0000000\0', 116, 'ascii');
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  header.write('00000000000\0', 136, 'ascii');
  header.fill(0x20, 148, 156);
  header.write(type, 156, 'ascii');
  header.write(linkName, 157, 100, 'utf8');
  header.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return header;
}

function rawArchive(entries: { name: string; data?: string; type?: string; linkName?: string }[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? '', 'utf8');
    parts.push(rawHeader(entry.name, data.length, entry.type, entry.linkName));
    parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function flipByte(archive: Buffer, offset: number): Buffer {
  const copy = Buffer.from(archive);
  copy[offset] = copy[offset]! ^ 0x01;
  return copy;
}

/** Imports `archive` into `parent/imported` and returns the error, checking that nothing was left in `parent`. */
async function expectImportRejected(archive: Buffer, pattern: RegExp): Promise<void> {
  const parent = tempDir('netcase-import-');
  const file = join(parent, 'case.netcase');
  writeFileSync(file, archive);
  const error = await services.importCase(file, { to: join(parent, 'imported') }).catch((caught: unknown) => caught);
  expect(isNetcaseError(error), String(error)).toBe(true);
  expect((error as Error).message).toMatch(pattern);
  expect(readdirSync(parent)).toEqual(['case.netcase']);
}

function auditEntries(dir: string): AuditEntry[] {
  const opened = openCase(dir, { write: false });
  try {
    return listAudit(opened.db);
  } finally {
    opened.close();
  }
}

function comparableFindings(dir: string): unknown {
  const { ruleSources: _ruleSources, ...rest } = services.findings(dir, {});
  return rest;
}

describeWithShared('portable case round trip', () => {
  const work = mkdtempSync(join(tmpdir(), 'netcase-portable-'));
  const sourceDir = join(work, 'source');
  const archivePath = join(work, 'case.netcase');
  let archive: Buffer;
  let auditBeforeExport: AuditEntry[];
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    services.createCase(sourceDir, { name: 'VIP recovery', analyst: 'Test Analyst' });
    await services.addEvidence(sourceDir, [sharedPath('scenarios/vip-recovery/vip-recovery.pcap')]);
    await services.analyze(sourceDir, { engine: 'tshark' });
    await services.tagIoc(sourceDir, { value: 'eraqron.shop', verdict: 'malicious', note: 'SMTP sender domain' });
    await services.tagIoc(sourceDir, { value: '198.51.100.25', verdict: 'suspicious' });
    const uid = [...services.events(sourceDir, { log: 'smtp' })][0]!.uid!;
    await services.carve(sourceDir, { uid, out: join(sourceDir, 'exports', 'smtp.pcap') });
    auditBeforeExport = auditEntries(sourceDir);

    await services.exportCase(sourceDir, { out: archivePath });
    archive = readFileSync(archivePath);
  }, 120_000);

  it('exports every case part with a manifest', () => {
    const names = archiveMembers(archive).map((member) => member.name);
    expect(names.slice(0, 2)).toEqual(['case.json', 'case.sqlite']);
    expect(names).toContain('exports/smtp.pcap');
    expect(names.some((name) => name.startsWith('evidence/'))).toBe(true);
    expect(names.some((name) => name.startsWith('engine/') && name.endsWith('conn.log'))).toBe(true);
    expect(names.slice(-2)).toEqual(['manifest.json', 'manifest.sha256']);
    expect(auditEntries(sourceDir).at(-1)!.action).toBe('case.export');
  });

  it('imports the same events, IOCs and findings', async () => {
    const target = join(tempDir(), 'imported');
    const result = await services.importCase(archivePath, { to: target });
    expect(result.auditEntries).toBe(auditBeforeExport.length + 1);

    expect([...services.events(target, {})]).toEqual([...services.events(sourceDir, {})]);
    expect(await services.listIocs(target)).toEqual(await services.listIocs(sourceDir));
    expect(comparableFindings(target)).toEqual(comparableFindings(sourceDir));
    expect((await services.listIocs(target)).length).toBe(2);
    expect(services.findings(target, {}).findings.length).toBeGreaterThan(0);

    const imported = auditEntries(target);
    expect(imported.slice(0, auditBeforeExport.length)).toEqual(auditBeforeExport);
    expect(imported[auditBeforeExport.length]!.action).toBe('case.import');
    expect(services.verifyAudit(target).ok).toBe(true);

    const info = await services.caseInfo(target);
    expect(info.evidenceOk).toBe(true);
    expect(info.evidence).toHaveLength(1);
  });

  it('leaves evidence out but keeps its hashes', async () => {
    const lean = join(tempDir(), 'lean.netcase');
    await services.exportCase(sourceDir, { out: lean, withoutEvidence: true });
    const names = archiveMembers(readFileSync(lean)).map((member) => member.name);
    expect(names.some((name) => name.startsWith('evidence/'))).toBe(false);
    const manifestMember = archiveMembers(readFileSync(lean)).find((member) => member.name === 'manifest.json')!;
    const manifest = JSON.parse(readFileSync(lean).toString('utf8', manifestMember.dataOffset, manifestMember.dataOffset + manifestMember.size)) as { withoutEvidence: boolean; evidence: { sha256: string; included: boolean }[] };
    expect(manifest.withoutEvidence).toBe(true);
    expect(manifest.evidence[0]!.sha256).toBe('11d055385e970893ca082f53939217864284369515cc119cecda103421c09849');
    expect(manifest.evidence[0]!.included).toBe(false);

    const target = join(tempDir(), 'lean-case');
    const result = await services.importCase(lean, { to: target });
    expect(result.withoutEvidence).toBe(true);
    expect(readdirSync(join(target, 'evidence'))).toEqual([]);
    expect([...services.events(target, {})].length).toBe([...services.events(sourceDir, {})].length);
  });

  it('rejects a flipped byte anywhere', async () => {
    const members = archiveMembers(archive);
    const member = (name: string): ArchiveMember => members.find((entry) => entry.name === name || entry.name.startsWith(name))!;
    const positions: [string, number][] = [
      ['first header name', member('case.json').headerOffset + 2],
      ['first header size', member('case.json').headerOffset + 130],
      ['header checksum', member('case.sqlite').headerOffset + 150],
      ['header owner name', member('case.sqlite').headerOffset + 270],
      ['case.json data', member('case.json').dataOffset + 5],
      ['database data', member('case.sqlite').dataOffset + 40_000],
      ['evidence data', member('evidence/').dataOffset + 1000],
      ['engine log data', member('engine/').dataOffset + 10],
      ['padding after case.json', member('case.json').dataOffset + member('case.json').size + 3],
      ['manifest data', member('manifest.json').dataOffset + 100],
      ['manifest last byte', member('manifest.json').dataOffset + member('manifest.json').size - 2],
      ['manifest hash data', member('manifest.sha256').dataOffset + 3],
      ['end-of-archive marker', member('manifest.sha256').dataOffset + 512 + 100],
      ['record padding', archive.length - 1],
    ];
    for (const [where, offset] of positions) {
      expect(offset, where).toBeLessThan(archive.length);
      await expectImportRejected(flipByte(archive, offset), /invalid|damaged|altered/);
    }
  }, 120_000);

  it('lists the bad member of an altered archive', async () => {
    const evidence = archiveMembers(archive).find((entry) => entry.name.startsWith('evidence/'))!;
    const parent = tempDir();
    const file = join(parent, 'altered.netcase');
    writeFileSync(file, flipByte(archive, evidence.dataOffset + 2000));

    const result = runNetcase(['case', 'import', file, '--to', join(parent, 'imported')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(evidence.name);
    expect(result.stderr).toMatch(/nothing was imported/);
    expect(existsSync(join(parent, 'imported'))).toBe(false);
  });

  it('rejects truncated archives', async () => {
    const members = archiveMembers(archive);
    const manifest = members.find((entry) => entry.name === 'manifest.json')!;
    const last = members[members.length - 1]!;
    const endMarker = last.dataOffset + Math.ceil(last.size / 512) * 512;
    for (const length of [100, 512, manifest.dataOffset + 10, manifest.headerOffset, endMarker + 600]) {
      await expectImportRejected(archive.subarray(0, length), /truncated|invalid/);
    }
    await expectImportRejected(archive.subarray(0, manifest.dataOffset + 10), new RegExp(`truncated inside member "manifest.json", which lacks ${manifest.size - 10} of its ${manifest.size} bytes`));
  });

  it('rejects a listed member outside the case layout', async () => {
    const parent = tempDir();
    const file = join(parent, 'extra.netcase');
    const members = archiveMembers(archive);
    const handle = await open(file, 'wx');
    const tar = new TarWriter(handle);
    const listed: { path: string; size: number; sha256: string }[] = [];
    const add = async (name: string, data: Buffer): Promise<void> => {
      listed.push({ path: name, size: data.length, sha256: await tar.addFile(name, data.length, 0, [data]) });
    };
    for (const name of ['case.json', 'case.sqlite']) {
      const member = members.find((entry) => entry.name === name)!;
      await add(name, archive.subarray(member.dataOffset, member.dataOffset + member.size));
    }
    await add('notes/extra.txt', Buffer.from('not a case file'));
    const manifestMember = members.find((entry) => entry.name === 'manifest.json')!;
    const manifest = JSON.parse(archive.toString('utf8', manifestMember.dataOffset, manifestMember.dataOffset + manifestMember.size)) as { members: unknown; withoutEvidence: boolean };
    const manifestBytes = Buffer.from(JSON.stringify({ ...manifest, members: listed, withoutEvidence: true }));
    const manifestSha256 = await tar.addFile('manifest.json', manifestBytes.length, 0, [manifestBytes]);
    const hashBytes = Buffer.from(`${manifestSha256}  manifest.json\n`);
    await tar.addFile('manifest.sha256', hashBytes.length, 0, [hashBytes]);
    await tar.finish();
    await handle.close();

    const error = await services.importCase(file, { to: join(parent, 'imported') }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/notes\/extra\.txt: not part of a case folder/);
    expect(readdirSync(parent)).toEqual(['extra.netcase']);
  });

  it('rejects an existing target folder', async () => {
    const target = tempDir();
    writeFileSync(join(target, 'keep.txt'), 'keep');
    await expect(services.importCase(archivePath, { to: target })).rejects.toThrow(/not an empty folder/);
    expect(readdirSync(target)).toEqual(['keep.txt']);
  });

  it('exports and imports through the CLI', () => {
    const parent = tempDir();
    const out = join(parent, 'cli.netcase');
    const exported = runNetcase(['case', 'export', sourceDir, '--out', out]);
    expect(exported.status, exported.stderr).toBe(0);
    const again = runNetcase(['case', 'export', sourceDir, '--out', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);

    const target = join(parent, 'new', 'folders', 'case');
    const imported = runNetcase(['case', 'import', out, '--to', target]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(runNetcase(['audit', 'verify', target]).status).toBe(0);
  });
});

describe('portable case archive safety', () => {
  it('rejects a member outside the root', async () => {
    const parent = tempDir('netcase-escape-');
    const target = join(parent, 'nested', 'imported');
    mkdirSync(join(parent, 'nested'));
    const file = join(parent, 'evil.netcase');
    writeFileSync(file, rawArchive([{ name: 'case.json', data: '{}' }, { name: '../../escaped.txt', data: 'outside' }]));

    await expect(services.importCase(file, { to: target })).rejects.toThrow(/climbs out of the archive root/);
    expect(readdirSync(parent).sort()).toEqual(['evil.netcase', 'nested']);
    expect(readdirSync(join(parent, 'nested'))).toEqual([]);
  });

  it('rejects absolute member names', async () => {
    await expectImportRejected(rawArchive([{ name: '/tmp/netcase-absolute.txt', data: 'x' }]), /absolute path/);
    expect(existsSync('/tmp/netcase-absolute.txt')).toBe(false);
  });

  it('rejects duplicate member names', async () => {
    await expectImportRejected(rawArchive([{ name: 'case.json', data: '{}' }, { name: 'case.json', data: '{"x":1}' }]), /appears more than once/);
    await expectImportRejected(rawArchive([{ name: 'reports/a.pdf', data: '1' }, { name: 'reports/A.pdf', data: '2' }]), /appears more than once/);
  });

  it('rejects symbolic links', async () => {
    await expectImportRejected(rawArchive([{ name: 'evidence', type: '2', linkName: '/etc' }]), /symbolic link/);
  });

  it('rejects an archive without a manifest', async () => {
    await expectImportRejected(rawArchive([{ name: 'case.json', data: '{}' }]), /manifest\.json: missing/);
  });
});
