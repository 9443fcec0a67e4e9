import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, type Channel, type ChosenFile } from '../../preload/api.js';
import { REPO_DIR } from '../helpers/cli.js';
import { IpcHarness, snapshotState } from '../helpers/ipc.js';

const CAPTURE = resolve(REPO_DIR, 'resources/samples/vip-recovery.pcap');
const PASSPHRASE = 'correct horse battery';
const UNKNOWN_TOKEN = 'f'.repeat(32);

describe('IPC handlers on the vip-recovery capture', () => {
  let harness: IpcHarness;
  let caseDir: string;
  let outputs: string;
  /** A Zeek log the engine wrote, copied out of the case: a real log outside it. */
  let dnsLog: string;
  let certificate: ChosenFile;
  /** Valid input of every method, from which the malformed inputs are derived. */
  let valid: Record<Channel, Record<string, unknown>>;

  beforeAll(async () => {
    harness = new IpcHarness();
    caseDir = join(harness.root, 'case');
    outputs = join(harness.root, 'outputs');
    mkdirSync(outputs);

    const folder = await harness.token('new-case-folder', caseDir);
    await harness.call('cases.create', { folder, name: 'VIP recovery', analyst: 'Test Analyst' });
    const capture = await harness.token('add-captures', CAPTURE);
    await harness.call('evidence.add', { files: [capture] });
    const { jobId } = await harness.call('jobs.start', { kind: 'analyze', engine: 'tshark' });
    const end = await harness.jobEnd(jobId);
    if (end.type !== 'done') throw new Error(`analysis ended with ${JSON.stringify(end)}`);

    const runDir = readdirSync(join(caseDir, 'engine'))[0]!;
    dnsLog = join(harness.root, 'dns.log');
    copyFileSync(join(caseDir, 'engine', runDir, 'dns.log'), dnsLog);
    certificate = (await harness.choose('save-certificate', [join(outputs, 'analyst.p12')]))[0]!;
    await harness.call('certificates.create', { out: certificate.token, name: 'Test Analyst', passphrase: PASSPHRASE });
    const connection = (await harness.call('events.search', { log: 'conn', limit: 1 })).events[0]!;

    valid = {
      'app.version': {},
      'dialogs.choose': { purpose: 'add-captures' },
      'cases.listRecent': {},
      'cases.create': { folder: await harness.token('new-case-folder', join(harness.root, 'unused-case')), name: 'Second case' },
      'cases.open': { folder: await harness.token('open-case-folder', caseDir) },
      'cases.close': {},
      'cases.info': {},
      'cases.exportArchive': { out: await harness.token('save-case-archive', join(outputs, 'case.netcase')) },
      'cases.importArchive': { file: await harness.token('open-case-archive', join(outputs, 'case.netcase')), to: await harness.token('new-case-folder', join(harness.root, 'imported')) },
      'packets.carve': { uid: connection.uid! },
      'evidence.add': { files: [capture] },
      'evidence.addDropped': { paths: [dnsLog] },
      'jobs.start': { kind: 'analyze', engine: 'tshark' },
      'jobs.cancel': { jobId: 'no-such-job' },
      'events.search': { log: 'dns', limit: 10 },
      'graph.get': { minCount: 1, kinds: ['host', 'domain'] },
      'timeline.get': { buckets: 20 },
      'findings.list': { minSeverity: 'low' },
      'iocs.tag': { value: 'checkip.dyndns.org', verdict: 'suspicious', tags: ['ip-check'] },
      'iocs.untag': { value: 'checkip.dyndns.org', tags: ['ip-check'] },
      'iocs.acceptSuggestion': { value: 'reallyfreegeoip.org', type: 'domain' },
      'iocs.list': {},
      'iocs.import': { file: await harness.token('open-watchlist', writeWatchlist(harness.root)) },
      'iocs.export': { format: 'csv', out: await harness.token('save-ioc-export', join(outputs, 'iocs.csv')) },
      'report.drafts': {},
      'report.editDraft': { field: 'scope', text: 'One workstation, one capture.' },
      'report.export': { pdf: await harness.token('save-report', join(outputs, 'report.pdf')) },
      'report.verify': { casePath: 'reports/none.pdf' },
      'exports.saveImage': { out: await harness.token('save-image', join(outputs, 'graph.png')), png: 'iVBORw0KGgo=' },
      'certificates.choose': {},
      'certificates.create': { out: await harness.token('save-certificate', join(outputs, 'second.p12')), name: 'Second Analyst', passphrase: PASSPHRASE },
    };
  }, 180_000);

  afterAll(() => {
    if (harness) rmSync(harness.root, { recursive: true, force: true });
  });

  it('valid input covers every method', () => {
    expect(Object.keys(valid).sort()).toEqual([...CHANNELS].sort());
  });

  describe('malformed input', () => {
    const NOT_OBJECTS: unknown[] = [undefined, null, 'text', 42, true, [], [{}]];

    it('non-object arguments rejected without effect', async () => {
      const before = snapshotState(harness, caseDir, [caseDir, outputs]);
      for (const channel of CHANNELS) {
        for (const input of NOT_OBJECTS) {
          const error = await harness.fail(channel, input);
          expect(error.code, `${channel} ${JSON.stringify(input)}`).toBe('INVALID_ARGUMENT');
          expect(error.message).toContain(channel);
        }
      }
      expect(snapshotState(harness, caseDir, [caseDir, outputs])).toBe(before);
    });

    it('extra fields rejected without effect', async () => {
      const before = snapshotState(harness, caseDir, [caseDir, outputs]);
      for (const channel of CHANNELS) {
        const error = await harness.fail(channel, { ...valid[channel], unexpectedField: 1 });
        expect(error.code, channel).toBe('INVALID_ARGUMENT');
        expect(error.message, channel).toMatch(/unexpectedField|Unrecognized|Invalid input/);
      }
      expect(snapshotState(harness, caseDir, [caseDir, outputs])).toBe(before);
    });

    it('fields of the wrong type rejected without effect', async () => {
      const before = snapshotState(harness, caseDir, [caseDir, outputs]);
      for (const channel of CHANNELS) {
        for (const key of Object.keys(valid[channel])) {
          for (const wrong of [[[]], { nested: true }, -1.5]) {
            const error = await harness.fail(channel, { ...valid[channel], [key]: wrong });
            expect(error.code, `${channel}.${key} = ${JSON.stringify(wrong)}`).toBe('INVALID_ARGUMENT');
          }
        }
      }
      expect(snapshotState(harness, caseDir, [caseDir, outputs])).toBe(before);
    });

    const REQUIRED: Partial<Record<Channel, string[]>> = {
      'dialogs.choose': ['purpose'],
      'cases.create': ['folder', 'name'],
      'cases.open': ['folder'],
      'evidence.add': ['files'],
      'evidence.addDropped': ['paths'],
      'jobs.start': ['kind'],
      'jobs.cancel': ['jobId'],
      'iocs.tag': ['value', 'verdict'],
      'iocs.untag': ['value'],
      'iocs.acceptSuggestion': ['value', 'type'],
      'iocs.import': ['file'],
      'iocs.export': ['format'],
      'report.editDraft': ['field', 'text'],
      'report.verify': ['casePath'],
      'certificates.create': ['out', 'name', 'passphrase'],
      'exports.saveImage': ['out', 'png'],
    };

    it('missing fields rejected without effect', async () => {
      const before = snapshotState(harness, caseDir, [caseDir, outputs]);
      for (const [channel, keys] of Object.entries(REQUIRED) as [Channel, string[]][]) {
        for (const key of keys) {
          const { [key]: _removed, ...rest } = valid[channel];
          const error = await harness.fail(channel, rest);
          expect(error.code, `${channel} without ${key}`).toBe('INVALID_ARGUMENT');
        }
      }
      expect(snapshotState(harness, caseDir, [caseDir, outputs])).toBe(before);
    });

    it('out-of-range values rejected without effect', async () => {
      const before = snapshotState(harness, caseDir, [caseDir, outputs]);
      const cases: [Channel, Record<string, unknown>][] = [
        ['events.search', { limit: 0 }],
        ['events.search', { limit: 10_001 }],
        ['events.search', { from: 1.5 }],
        ['graph.get', { kinds: ['planet'] }],
        ['timeline.get', { buckets: 5000 }],
        ['findings.list', { minSeverity: 'dire' }],
        ['iocs.tag', { value: 'a.example', verdict: 'evil' }],
        ['iocs.tag', { value: 'a.example', verdict: 'malicious', confidence: 101 }],
        ['iocs.export', { format: 'xml' }],
        ['report.editDraft', { field: 'title', text: 'x' }],
        ['report.editDraft', { field: 'scope', text: 'x'.repeat(20_001) }],
        ['certificates.create', { ...valid['certificates.create'], passphrase: 'short' }],
        ['certificates.create', { ...valid['certificates.create'], email: 'not an address' }],
        ['dialogs.choose', { purpose: 'read-anything' }],
        ['cases.create', { ...valid['cases.create'], name: '   ' }],
        ['evidence.add', { files: [] }],
        ['evidence.add', { files: ['/etc/passwd'] }],
      ];
      for (const [channel, input] of cases) {
        const error = await harness.fail(channel, input);
        expect(error.code, `${channel} ${JSON.stringify(input).slice(0, 80)}`).toBe('INVALID_ARGUMENT');
      }
      expect(snapshotState(harness, caseDir, [caseDir, outputs])).toBe(before);
    });
  });

  describe('file paths', () => {
    it('tokens never issued rejected', async () => {
      const before = snapshotState(harness, caseDir, [caseDir, outputs]);
      const uses: [Channel, Record<string, unknown>][] = [
        ['cases.create', { folder: UNKNOWN_TOKEN, name: 'x' }],
        ['cases.open', { folder: UNKNOWN_TOKEN }],
        ['evidence.add', { files: [UNKNOWN_TOKEN] }],
        ['jobs.start', { kind: 'import-logs', files: [UNKNOWN_TOKEN] }],
        ['iocs.import', { file: UNKNOWN_TOKEN }],
        ['iocs.export', { format: 'csv', out: UNKNOWN_TOKEN }],
        ['report.export', { pdf: UNKNOWN_TOKEN }],
        ['report.export', { sign: { certificate: UNKNOWN_TOKEN, passphrase: PASSPHRASE } }],
        ['report.verify', { file: UNKNOWN_TOKEN }],
        ['certificates.create', { out: UNKNOWN_TOKEN, name: 'x', passphrase: PASSPHRASE }],
      ];
      for (const [channel, input] of uses) {
        const error = await harness.fail(channel, input);
        expect(error.code, channel).toBe('INVALID_ARGUMENT');
        expect(error.message, channel).toContain('was not issued in this session');
      }
      expect(snapshotState(harness, caseDir, [caseDir, outputs])).toBe(before);
    });

    it('token of another purpose rejected', async () => {
      const before = snapshotState(harness, caseDir, [caseDir, outputs]);
      const reportToken = await harness.token('save-report', join(outputs, 'other.pdf'));
      const error = await harness.fail('evidence.add', { files: [reportToken] });
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain('chosen to save report');
      const certificateError = await harness.fail('report.export', { pdf: certificate.token });
      expect(certificateError.message).toContain('chosen to save certificate');
      expect(snapshotState(harness, caseDir, [caseDir, outputs])).toBe(before);
    });

    it('case paths outside the case rejected', async () => {
      const outside = join(harness.root, 'outside.pdf');
      writeFileSync(outside, '%PDF-1.7\n');
      symlinkSync(outside, join(caseDir, 'exports', 'link.pdf'));
      const before = snapshotState(harness, caseDir, [caseDir, outputs]);

      const parent = await harness.fail('report.verify', { casePath: '../outside.pdf' });
      expect(parent.message).toContain('outside the case folder');
      const absolute = await harness.fail('report.verify', { casePath: outside });
      expect(absolute.message).toContain('is absolute');
      const link = await harness.fail('report.verify', { casePath: 'exports/link.pdf' });
      expect(link.message).toContain('outside the case folder');
      const missing = await harness.fail('report.verify', { casePath: 'reports/none.pdf' });
      expect(missing.code).toBe('NOT_FOUND');

      expect(snapshotState(harness, caseDir, [caseDir, outputs])).toBe(before);
      rmSync(join(caseDir, 'exports', 'link.pdf'));
    });

    it('folder without a case rejected', async () => {
      const empty = join(harness.root, 'empty');
      mkdirSync(empty);
      const before = snapshotState(harness, caseDir, [caseDir, outputs, empty]);
      const error = await harness.fail('cases.open', { folder: await harness.token('open-case-folder', empty) });
      expect(error.code).toBe('CASE_INVALID');
      expect(harness.session.caseDir).toBe(caseDir);
      expect(snapshotState(harness, caseDir, [caseDir, outputs, empty])).toBe(before);
    });

    it('recent path not in the list rejected', async () => {
      const before = snapshotState(harness, caseDir, [caseDir, outputs]);
      const error = await harness.fail('cases.open', { recent: harness.root });
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain('not in the recent cases list');
      expect(harness.session.caseDir).toBe(caseDir);
      expect(snapshotState(harness, caseDir, [caseDir, outputs])).toBe(before);
    });

    it('bad dropped files rejected', async () => {
      const text = join(harness.root, 'notes.txt');
      writeFileSync(text, 'meeting notes\n');
      const before = snapshotState(harness, caseDir, [caseDir, outputs]);

      expect((await harness.fail('evidence.addDropped', { paths: ['relative/dns.log'] })).message).toContain('is not absolute');
      expect((await harness.fail('evidence.addDropped', { paths: [join(harness.root, 'missing.pcap')] })).code).toBe('NOT_FOUND');
      expect((await harness.fail('evidence.addDropped', { paths: [outputs] })).message).toContain('is not a regular file');
      expect((await harness.fail('evidence.addDropped', { paths: [text] })).code).toBe('UNSUPPORTED_FILE');
      expect((await harness.fail('evidence.addDropped', { paths: [dnsLog, text] })).code).toBe('UNSUPPORTED_FILE');

      expect(snapshotState(harness, caseDir, [caseDir, outputs])).toBe(before);
    });
  });

  describe('valid input', () => {
    it('app.version and dialogs.choose', async () => {
      expect(await harness.call('app.version', {})).toEqual({ version: '0.1.0-test' });
      expect(await harness.call('dialogs.choose', { purpose: 'add-captures' })).toEqual({ files: [] });
      const [file] = await harness.choose('open-report', [join(outputs, 'a.pdf'), join(outputs, 'b.pdf')]);
      expect(file?.token).toMatch(/^[0-9a-f]{32}$/);
      expect(file?.name).toBe('a.pdf');
    });

    it('cases.listRecent lists the case', async () => {
      const { cases } = await harness.call('cases.listRecent', {});
      expect(cases.map((entry) => entry.dir)).toContain(caseDir);
      expect(cases.find((entry) => entry.dir === caseDir)?.name).toBe('VIP recovery');
    });

    it('cases.info describes the open case', async () => {
      const info = await harness.call('cases.info', {});
      expect(info.case.name).toBe('VIP recovery');
      expect(info.evidenceOk).toBe(true);
      expect(info.evidence[0]?.item.kind).toBe('capture');
      expect(info.events.total).toBeGreaterThan(0);
      expect(info.audit.ok).toBe(true);
    });

    it('events.search finds DNS events', async () => {
      const page = await harness.call('events.search', { log: 'dns', limit: 5 });
      expect(page.events.length).toBeGreaterThan(0);
      expect(page.events.every((event) => event.log === 'dns')).toBe(true);
      expect(page.total).toBeGreaterThanOrEqual(page.events.length);
      const text = await harness.call('events.search', { text: 'checkip' });
      expect(text.total).toBeGreaterThan(0);
    });

    it('graph.get returns hosts and domains', async () => {
      const graph = await harness.call('graph.get', { kinds: ['host', 'domain'] });
      expect(graph.nodes.map((node) => node.value)).toContain('10.1.9.101');
      expect(graph.nodes.map((node) => node.value)).toContain('checkip.dyndns.org');
      expect(graph.edges.length).toBeGreaterThan(0);
    });

    it('timeline.get returns buckets', async () => {
      const timeline = await harness.call('timeline.get', { buckets: 20 });
      expect(timeline.total).toBeGreaterThan(0);
      expect(timeline.buckets.length).toBeGreaterThan(0);
    });

    it('findings.list finds the IP check', async () => {
      const result = await harness.call('findings.list', {});
      expect(result.findings.length).toBeGreaterThan(0);
      expect(result.suggestedIocs.map((ioc) => ioc.value)).toContain('checkip.dyndns.org');
    });

    it('iocs tag, untag, accept and list', async () => {
      const tagged = await harness.call('iocs.tag', { value: 'checkip.dyndns.org', verdict: 'suspicious', tags: ['ip-check', 'recon'] });
      expect(tagged.type).toBe('domain');
      expect(tagged.tags).toEqual(['ip-check', 'recon']);
      const untagged = await harness.call('iocs.untag', { value: 'checkip.dyndns.org', tags: ['recon'] });
      expect(untagged.removed?.tags).toEqual(['ip-check']);
      const accepted = await harness.call('iocs.acceptSuggestion', { value: 'reallyfreegeoip.org', type: 'domain' });
      expect(accepted.source).toBe('suggestion');
      const { iocs } = await harness.call('iocs.list', {});
      expect(iocs.map((ioc) => ioc.value).sort()).toEqual(['checkip.dyndns.org', 'reallyfreegeoip.org']);
      expect(iocs.find((ioc) => ioc.value === 'checkip.dyndns.org')?.sighting.events).toBeGreaterThan(0);
    });

    it('iocs.import and iocs.export', async () => {
      const imported = await harness.call('iocs.import', { file: await harness.token('open-watchlist', writeWatchlist(harness.root)) });
      expect(imported.entries).toBe(2);
      expect(imported.matches.map((match) => match.value)).toContain('api.telegram.org');
      const out = join(outputs, 'export.csv');
      const exported = await harness.call('iocs.export', { format: 'csv', out: await harness.token('save-ioc-export', out) });
      expect(exported.out).toBe(out);
      expect(existsSync(out)).toBe(true);
      const inline = await harness.call('iocs.export', { format: 'stix' });
      expect(inline.out).toBeUndefined();
      expect(JSON.parse(inline.text).type).toBe('bundle');
    });

    it('report edit, signed export and verify', async () => {
      expect(await harness.call('report.editDraft', { field: 'scope', text: 'One workstation, one capture.' })).toEqual({ field: 'scope', saved: true });
      const pdf = join(outputs, 'signed.pdf');
      const result = await harness.call('report.export', {
        pdf: await harness.token('save-report', pdf),
        markdown: await harness.token('save-markdown', join(outputs, 'signed.md')),
        sign: { certificate: certificate.token, passphrase: PASSPHRASE },
      });
      expect(result.pdf).toBe(pdf);
      expect(result.signature?.valid).toBe(true);
      expect(existsSync(join(outputs, 'signed.md'))).toBe(true);
      const verified = await harness.call('report.verify', { file: await harness.token('open-report', pdf) });
      expect(verified.valid).toBe(true);
      expect(verified.signer).toContain('Test Analyst');
    });

    it('report.export defaults to the case', async () => {
      const result = await harness.call('report.export', {});
      expect(result.pdf.startsWith(join(caseDir, 'reports'))).toBe(true);
      const relativePath = result.pdf.slice(caseDir.length + 1);
      const verified = await harness.call('report.verify', { casePath: relativePath });
      expect(verified.valid).toBe(false);
      expect(verified.problems.length).toBeGreaterThan(0);
      const second = await harness.call('report.export', {});
      expect(second.pdf).not.toBe(result.pdf);
      expect(existsSync(result.pdf)).toBe(true);
    });

    it('certificates choose and create', async () => {
      harness.dialogs.next.set('choose-certificate', [certificate.path]);
      const { certificate: chosen } = await harness.call('certificates.choose', {});
      expect(chosen?.path).toBe(certificate.path);
      const cancelled = await harness.call('certificates.choose', {});
      expect(cancelled.certificate).toBeNull();
      const created = await harness.call('certificates.create', { out: await harness.token('save-certificate', join(outputs, 'third.p12')), name: 'Third Analyst', passphrase: PASSPHRASE, days: 30 });
      expect(created.subject).toContain('Third Analyst');
      expect(existsSync(join(outputs, 'third.p12'))).toBe(true);
    });

    it('evidence.addDropped adds a Zeek log', async () => {
      const result = await harness.call('evidence.addDropped', { paths: [dnsLog] });
      expect(result.added.map((item) => item.kind)).toEqual(['zeek-log']);
    });

    it('import-logs job ends once', async () => {
      const other = join(harness.root, 'import');
      mkdirSync(other);
      copyFileSync(dnsLog, join(other, 'dns.log'));
      const { jobId } = await harness.call('jobs.start', { kind: 'import-logs', files: [await harness.token('import-logs', other)] });
      const end = await harness.jobEnd(jobId);
      expect(end.type).toBe('done');
      expect(harness.jobEvents.filter((event) => event.jobId === jobId && ['done', 'failed', 'cancelled'].includes(event.type))).toHaveLength(1);
      expect(await harness.call('jobs.cancel', { jobId })).toEqual({ cancelled: false });
    });

    it('analysis job with nothing new succeeds', async () => {
      const { jobId } = await harness.call('jobs.start', { kind: 'analyze' });
      const end = await harness.jobEnd(jobId);
      expect(end.type).toBe('done');
      expect((end as { result: { alreadyAnalysed: number } }).result.alreadyAnalysed).toBe(1);
    });

    it('cases close, open by token and by recent', async () => {
      expect(await harness.call('cases.close', {})).toEqual({ closed: true });
      expect((await harness.fail('graph.get', {})).code).toBe('NOT_FOUND');
      const info = await harness.call('cases.open', { folder: await harness.token('open-case-folder', caseDir) });
      expect(info.dir).toBe(caseDir);
      await harness.call('cases.close', {});
      const again = await harness.call('cases.open', { recent: caseDir });
      expect(again.case.name).toBe('VIP recovery');
    });

    it('cases.create makes a second case', async () => {
      const dir = join(harness.root, 'second');
      const summary = await harness.call('cases.create', { folder: await harness.token('new-case-folder', dir), name: 'Second case' });
      expect(summary.dir).toBe(dir);
      expect(harness.session.caseDir).toBe(dir);
      expect(existsSync(join(dir, 'case.json'))).toBe(true);
      expect((await harness.call('cases.listRecent', {})).cases[0]?.dir).toBe(dir);
    });

    it('cancelled analysis leaves no run', async () => {
      await harness.call('evidence.add', { files: [await harness.token('add-captures', CAPTURE)] });
      const { jobId } = await harness.call('jobs.start', { kind: 'analyze', engine: 'tshark' });
      expect((await harness.fail('jobs.start', { kind: 'analyze' })).code).toBe('CASE_LOCKED');
      expect(await harness.call('jobs.cancel', { jobId })).toEqual({ cancelled: true });
      expect((await harness.jobEnd(jobId)).type).toBe('cancelled');
      expect(harness.jobEvents.filter((event) => event.jobId === jobId && ['done', 'failed', 'cancelled'].includes(event.type))).toHaveLength(1);
      const info = await harness.call('cases.info', {});
      expect(info.events.total).toBe(0);
      expect(readdirSync(join(info.dir, 'engine'))).toEqual([]);
    });
  });
});

describe('IPC handlers without a case', () => {
  it('case methods fail with NOT_FOUND', async () => {
    const harness = new IpcHarness();
    try {
      for (const channel of ['cases.info', 'graph.get', 'timeline.get', 'findings.list', 'iocs.list'] as const) {
        const error = await harness.fail(channel, {});
        expect(error.code, channel).toBe('NOT_FOUND');
        expect(error.message, channel).toContain('No case is open');
      }
    } finally {
      rmSync(harness.root, { recursive: true, force: true });
    }
  });
});

function writeWatchlist(root: string): string {
  const path = join(root, 'watchlist.csv');
  writeFileSync(path, 'type,value\ndomain,api.telegram.org\ndomain,firebasestorage.googleapis.com\n');
  return path;
}
