import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRow } from '../../preload/api.js';
import { REPO_DIR } from '../helpers/cli.js';
import { IpcHarness } from '../helpers/ipc.js';

const CAPTURE = resolve(REPO_DIR, 'resources/samples/vip-recovery.pcap');

/** Counts the packets tshark reads from a capture. */
function tsharkPacketCount(path: string): number {
  return execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
}

function listExports(caseDir: string): string[] {
  return readdirSync(join(caseDir, 'exports')).sort();
}

describe('packets and case archives through IPC', () => {
  let harness: IpcHarness;
  let caseDir: string;
  let outputs: string;
  let smtp: EventRow[];

  beforeAll(async () => {
    harness = new IpcHarness();
    caseDir = join(harness.root, 'case');
    outputs = join(harness.root, 'outputs');
    mkdirSync(outputs);

    await harness.call('cases.create', { folder: await harness.token('new-case-folder', caseDir), name: 'VIP recovery', analyst: 'Test Analyst' });
    await harness.call('evidence.add', { files: [await harness.token('add-captures', CAPTURE)] });
    const { jobId } = await harness.call('jobs.start', { kind: 'analyze', engine: 'tshark' });
    const end = await harness.jobEnd(jobId);
    if (end.type !== 'done') throw new Error(`analysis ended with ${JSON.stringify(end)}`);

    smtp = (await harness.call('events.search', { log: 'smtp', limit: 10 })).events;
  }, 180_000);

  afterAll(() => {
    if (harness) rmSync(harness.root, { recursive: true, force: true });
  });

  describe('packets.carve', () => {
    it('writes an SMTP connection into exports', async () => {
      expect(smtp.length).toBeGreaterThanOrEqual(2);
      const uid = smtp[0]!.uid!;

      const result = await harness.call('packets.carve', { uid });

      expect(result.path.startsWith(join(caseDir, 'exports', `packets-${uid}-`))).toBe(true);
      expect(result.path.endsWith('.pcap')).toBe(true);
      expect(result.packets).toBeGreaterThan(3);
      expect(tsharkPacketCount(result.path)).toBe(result.packets);
      expect(result.target).toContain(uid);
      expect(result.opened).toBe(true);
      expect(result.openError).toBeUndefined();
      expect(harness.opener.paths).toEqual([result.path]);
    });

    it('reports a file nothing opened', async () => {
      harness.opener.reply = 'No application is registered for .pcap files';
      try {
        const result = await harness.call('packets.carve', { uid: smtp[1]!.uid! });
        expect(result.opened).toBe(false);
        expect(result.openError).toBe('No application is registered for .pcap files');
        expect(existsSync(result.path)).toBe(true);
      } finally {
        harness.opener.reply = '';
      }
    });

    it('second carve gets a new file', async () => {
      const uid = smtp[0]!.uid!;
      const before = listExports(caseDir);
      const result = await harness.call('packets.carve', { uid });
      expect(before).not.toContain(result.path.slice(join(caseDir, 'exports').length + 1));
      expect(listExports(caseDir)).toHaveLength(before.length + 1);
    });

    it('unknown uid rejected', async () => {
      const before = listExports(caseDir);
      const opened = harness.opener.paths.length;
      const error = await harness.fail('packets.carve', { uid: 'CNoSuchConnection1' });
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain('CNoSuchConnection1');
      expect(listExports(caseDir)).toEqual(before);
      expect(harness.opener.paths).toHaveLength(opened);
    });

    it('changed evidence rejected', async () => {
      const info = await harness.call('cases.info', {});
      const stored = join(caseDir, info.evidence[0]!.item.stored_path);
      const original = readFileSync(stored);
      const mode = statSync(stored).mode;
      const before = listExports(caseDir);
      chmodSync(stored, 0o644);
      const altered = Buffer.from(original);
      altered[altered.length - 1] = altered[altered.length - 1]! ^ 0xff;
      writeFileSync(stored, altered);
      try {
        const error = await harness.fail('packets.carve', { uid: smtp[0]!.uid! });
        expect(error.code).toBe('INTEGRITY');
        expect(error.message).toContain('changed since intake');
        expect(listExports(caseDir)).toEqual(before);
      } finally {
        writeFileSync(stored, original);
        chmodSync(stored, mode);
      }
    });

    it('needs an open case', async () => {
      const other = new IpcHarness(join(harness.root, 'closed'));
      const error = await other.fail('packets.carve', { uid: smtp[0]!.uid! });
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain('No case is open');
    });
  });

  describe('report.drafts', () => {
    it('shows generated and saved text', async () => {
      const generated = (await harness.call('report.drafts', {})).drafts;
      expect(Object.keys(generated).sort()).toEqual(['executive-summary', 'recommended-actions', 'scope']);
      expect(generated.scope.source).toBe('draft');
      expect(generated.scope.text.length).toBeGreaterThan(0);

      await harness.call('report.editDraft', { field: 'scope', text: 'One workstation, one capture.' });
      const saved = (await harness.call('report.drafts', {})).drafts;
      expect(saved.scope).toEqual({ text: 'One workstation, one capture.', source: 'analyst' });
      expect(saved['executive-summary']).toEqual(generated['executive-summary']);

      await harness.call('report.editDraft', { field: 'scope', text: null });
      expect((await harness.call('report.drafts', {})).drafts.scope).toEqual(generated.scope);
    });
  });

  describe('case archives', () => {
    let archive: string;

    it('exportArchive writes the case', async () => {
      archive = join(outputs, 'vip.netcase');
      const result = await harness.call('cases.exportArchive', { out: await harness.token('save-case-archive', archive) });
      expect(result.out).toBe(archive);
      expect(result.withoutEvidence).toBe(false);
      expect(result.members).toBeGreaterThan(3);
      expect(statSync(archive).size).toBe(result.size);
    });

    it('existing archive path rejected', async () => {
      const size = statSync(archive).size;
      const error = await harness.fail('cases.exportArchive', { out: await harness.token('save-case-archive', archive) });
      expect(error.code).toBe('ALREADY_EXISTS');
      expect(statSync(archive).size).toBe(size);
    });

    it('exportArchive can leave evidence out', async () => {
      const out = join(outputs, 'findings-only.netcase');
      const result = await harness.call('cases.exportArchive', { out: await harness.token('save-case-archive', out), withoutEvidence: true });
      expect(result.withoutEvidence).toBe(true);
      expect(result.size).toBeLessThan(statSync(archive).size);
    });

    it('importArchive opens as the same case', async () => {
      const original = await harness.call('cases.info', {});
      const target = join(harness.root, 'imported');
      const imported = await harness.call('cases.importArchive', {
        file: await harness.token('open-case-archive', archive),
        to: await harness.token('new-case-folder', target),
      });
      expect(imported.dir).toBe(target);
      expect(imported.caseName).toBe('VIP recovery');
      expect(imported.caseId).toBe(original.case.id);

      const { cases } = await harness.call('cases.listRecent', {});
      expect(cases.map((entry) => entry.dir)).toContain(target);
      const reopened = await harness.call('cases.open', { recent: target });
      expect(reopened.events.total).toBe(original.events.total);
      expect(reopened.evidenceOk).toBe(true);
      expect(reopened.audit.ok).toBe(true);
      expect(reopened.audit.entries).toBeGreaterThanOrEqual(imported.auditEntries);

      await harness.call('cases.open', { recent: caseDir });
    });

    it('altered archive rejected with its member', async () => {
      const bytes = readFileSync(archive);
      const offset = bytes.indexOf('"analyst": "Test Analyst"');
      expect(offset).toBeGreaterThan(0);
      bytes[offset + 13] = 'B'.charCodeAt(0);
      const altered = join(outputs, 'altered.netcase');
      writeFileSync(altered, bytes);
      const target = join(harness.root, 'altered-import');

      const error = await harness.fail('cases.importArchive', {
        file: await harness.token('open-case-archive', altered),
        to: await harness.token('new-case-folder', target),
      });
      expect(error.code).toBe('INTEGRITY');
      expect(error.message).toContain('case.json');
      expect(existsSync(target)).toBe(false);
      expect(readdirSync(harness.root).filter((name) => name.includes('importing'))).toEqual([]);
    });

    it('token of another purpose rejected', async () => {
      const report = await harness.token('save-report', join(outputs, 'report.pdf'));
      const folder = await harness.token('new-case-folder', join(harness.root, 'unused'));
      const error = await harness.fail('cases.importArchive', { file: report, to: folder });
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain('chosen to save report');
      const exported = await harness.fail('cases.exportArchive', { out: folder });
      expect(exported.message).toContain('chosen to new case folder');
    });
  });
});
