import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { createTsharkEngine } from '../../main/engines/tshark.js';
import { FileHasher } from '../../main/engines/tshark/file-hash.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';
import { copyBaselineAsLog } from '../helpers/zeek-fixtures.js';
import { readZeekLog, type LoggedRecord } from '../helpers/zeek-observables.js';

const FTP_PE_CAPTURE = 'corpus/zeek-traces/ftp-pe-transfer/trace.pcap';

async function filesLog(capturePath: string): Promise<LoggedRecord[]> {
  const result = await createTsharkEngine().run({
    capturePath,
    outputDir: tempDir(),
    signal: new AbortController().signal,
    allowBadChecksums: true,
  });
  const log = result.logFiles.find((file) => file.endsWith('files.log'));
  if (!log) return [];
  return readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as LoggedRecord);
}

function zeekBaseline(path: string): LoggedRecord[] {
  const copy = join(tempDir(), 'files.log');
  copyBaselineAsLog(sharedPath(path), copy);
  return readZeekLog(copy);
}

function hex(algorithm: string, data: Buffer): string {
  return createHash(algorithm).update(data).digest('hex');
}

/** Exports the FTP data files with tshark's own export, independent of the engine, by name. */
function exportFtpObjects(capturePath: string): Map<string, Buffer> {
  const dir = tempDir();
  const run = spawnSync('tshark', ['-r', capturePath, '-n', '-q', '--export-objects', `ftp-data,${dir}`]);
  expect(run.status).toBe(0);
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
}

/** Reads the TimeDateStamp of a PE file's COFF header. */
function peCompileTime(file: Buffer): number {
  const header = file.readUInt32LE(0x3c);
  return file.readUInt32LE(header + 8);
}

/** Writes a copy of a capture through editcap with extra arguments, such as packets to delete. */
function editcap(capturePath: string, args: string[]): string {
  const output = join(tempDir(), 'edited.pcap');
  const run = spawnSync('editcap', [...args.slice(0, -1), capturePath, output, ...args.slice(-1)]);
  expect(run.status).toBe(0);
  return output;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describeWithShared('tshark engine file hashes', () => {
  it('HTTP body hashes match Zeek', async () => {
    const [zeek] = zeekBaseline('corpus/zeek-traces/http-get/baseline/scripts.base.frameworks.file-analysis.logging/files.log');
    const ours = await filesLog(sharedPath('corpus/zeek-traces/http-get/trace.pcap'));
    expect(ours).toHaveLength(1);
    expect(ours[0]?.md5).toBe(zeek?.md5);
    expect(ours[0]?.sha1).toBe(zeek?.sha1);
    expect(ours[0]?.sha256).toBe(zeek?.sha256);
    expect(ours[0]?.seen_bytes).toBe(zeek?.seen_bytes);
  });

  it('binary POST bodies match tshark bytes', async () => {
    const capture = sharedPath('corpus/malware/networkforensics-book/lokibot-2017-04-27.pcap');
    // tshark hands an application/octet-stream body to its data dissector, whose data.data field is raw bytes.
    const fields = spawnSync('tshark', ['-r', capture, '-n', '-Y', 'http.request.method == "POST"', '-T', 'fields', '-e', 'data.data'], { encoding: 'utf8' });
    const bodies = fields.stdout.trim().split('\n').map((line) => Buffer.from(line, 'hex'));
    const ours = await filesLog(capture);
    expect(bodies).toHaveLength(4);
    expect(ours.map((record) => record.sha256)).toEqual(bodies.map((body) => hex('sha256', body)));
    expect(ours.map((record) => record.seen_bytes)).toEqual(bodies.map((body) => body.length));
  });

  it('SMTP entities match Zeek sizes and depths', async () => {
    const zeek = zeekBaseline('corpus/zeek-traces/smtp/baseline/scripts.base.protocols.smtp.attachment/files.log');
    const ours = await filesLog(sharedPath('corpus/zeek-traces/smtp/trace.pcap'));
    expect(ours.map((record) => [record.depth, record.seen_bytes, record.filename ?? null])).toEqual(
      zeek.map((record) => [record.depth, record.seen_bytes, record.filename ?? null]),
    );
    for (const record of ours) expect(record.md5, `depth ${record.depth}`).toMatch(/^[0-9a-f]{32}$/);
  });

  // Zeek's mime_content_hash event gives the md5 of all entity content of one message, in order.
  it('SMTP content md5 matches Zeek', async () => {
    const received = new Map<FileHasher, Buffer[]>();
    const update = FileHasher.prototype.update;
    vi.spyOn(FileHasher.prototype, 'update').mockImplementation(function (this: FileHasher, chunk: Buffer) {
      received.set(this, [...(received.get(this) ?? []), Buffer.from(chunk)]);
      update.call(this, chunk);
    });
    const ours = await filesLog(sharedPath('corpus/zeek-traces/smtp/trace.pcap'));
    const contentOf = (record: LoggedRecord) => Buffer.concat([...received.values()].find((chunks) => hex('md5', Buffer.concat(chunks)) === record.md5) ?? []);

    const baseline = readFileSync(sharedPath('corpus/zeek-traces/smtp/baseline/scripts.base.files.mime.mime-content-hash/out'), 'utf8');
    const zeekHashes = [...baseline.matchAll(/^mime_content_hash, \S+, (\d+), ([0-9a-f]{32})$/gm)].map((match) => [Number(match[1]), match[2]]);
    const connections = [...new Set(ours.map((record) => record.uid))];
    const messages = connections.map((uid) => Buffer.concat(ours.filter((record) => record.uid === uid).map(contentOf)));
    expect(messages.map((content) => [content.length, hex('md5', content)])).toEqual(zeekHashes);
  });

  it('FTP hashes match the transferred files', async () => {
    const capture = sharedPath(FTP_PE_CAPTURE);
    const exported = exportFtpObjects(capture);
    const ours = await filesLog(capture);
    const ourHashes = ours.map((record) => record.sha256).sort();
    const exportedHashes = [...exported.values()].map((file) => hex('sha256', file)).sort();
    expect(ourHashes).toEqual(exportedHashes);
    for (const record of ours) {
      const file = [...exported.values()].find((candidate) => hex('md5', candidate) === record.md5)!;
      expect(record.sha1).toBe(hex('sha1', file));
      expect(record.seen_bytes).toBe(file.length);
    }

    // Zeek's pe.log for this capture lists these compile times, so the bytes are the ones Zeek saw.
    const peLog = readFileSync(sharedPath('corpus/zeek-traces/ftp-pe-transfer/baseline/scripts.base.files.pe.basic/pe.log'), 'utf8');
    const zeekTimes = [...peLog.matchAll(/\t(?:I386|unknown-\d+)\t(\d+)\.000000\t/g)].map((match) => Number(match[1])).sort();
    expect([...exported.values()].map(peCompileTime).sort()).toEqual(zeekTimes);
  });

  it('lost packet leaves no hashes', async () => {
    // Frame 150 is a data segment in the middle of the MSVIDEO.DLL download.
    const capture = editcap(sharedPath(FTP_PE_CAPTURE), ['150']);
    const exported = exportFtpObjects(sharedPath(FTP_PE_CAPTURE));
    const ours = await filesLog(capture);
    const damaged = ours.filter((record) => record.md5 === undefined);
    expect(damaged).toHaveLength(1);
    expect(damaged[0]?.missing_bytes).toBeGreaterThan(0);
    expect(damaged[0]?.total_bytes).toBe(exported.get('MSVIDEO.DLL')?.length);
    expect(ours.filter((record) => record.md5 !== undefined)).toHaveLength(3);
  });

  it('FTP file cut short hashes what arrived', async () => {
    // Keeping frames 1-150 ends the capture in the middle of the MSVIDEO.DLL download.
    const capture = editcap(sharedPath(FTP_PE_CAPTURE), ['-r', '1-150']);
    const whole = exportFtpObjects(sharedPath(FTP_PE_CAPTURE)).get('MSVIDEO.DLL')!;
    const ours = await filesLog(capture);
    expect(ours).toHaveLength(1);
    const seen = ours[0]!.seen_bytes as number;
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(whole.length);
    expect(ours[0]?.missing_bytes).toBe(0);
    expect(ours[0]?.md5).toBe(hex('md5', whole.subarray(0, seen)));
    expect(ours[0]?.sha256).toBe(hex('sha256', whole.subarray(0, seen)));
  });

  it('HTTP body cut short hashes what arrived', async () => {
    // Keeping frames 1-7 ends the capture after two of the reply's four data segments.
    const capture = editcap(sharedPath('corpus/zeek-traces/http-get/trace.pcap'), ['-r', '1-7']);
    const exportDir = tempDir();
    expect(spawnSync('tshark', ['-r', sharedPath('corpus/zeek-traces/http-get/trace.pcap'), '-q', '--export-objects', `http,${exportDir}`]).status).toBe(0);
    const whole = readFileSync(join(exportDir, readdirSync(exportDir)[0]!));

    const ours = await filesLog(capture);
    expect(ours).toHaveLength(1);
    const seen = ours[0]!.seen_bytes as number;
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(whole.length);
    expect(ours[0]?.total_bytes).toBe(whole.length);
    expect(ours[0]?.md5).toBe(hex('md5', whole.subarray(0, seen)));
  });

  it('mail cut short keeps parts seen', async () => {
    const whole = await filesLog(sharedPath('corpus/zeek-traces/smtp/trace.pcap'));
    const cut = await filesLog(sharedPath('corpus/edge/derived-file-truncated/smtp-first20000bytes.pcap'));
    expect(cut.map((record) => record.depth)).toEqual([3, 4, 5]);
    expect(cut[0]?.sha256).toBe(whole[0]?.sha256);
    expect(cut[1]?.sha256).toBe(whole[1]?.sha256);
    expect(cut[2]?.filename).toBe('NEWS.txt');
    expect(cut[2]?.seen_bytes).toBeGreaterThan(0);
    expect(cut[2]?.seen_bytes).toBeLessThan(whole[2]?.seen_bytes as number);
    expect(cut[2]?.md5).toMatch(/^[0-9a-f]{32}$/);
  });

  it('HTTP/0.9 reply body counted', async () => {
    const capture = sharedPath('corpus/edge/zeek-mixed-vlan-mpls/mixed-vlan-mpls.pcap');
    const zeek = zeekBaseline('corpus/edge/zeek-mixed-vlan-mpls/baseline/core.vlan-mpls/http.log');
    const simple = zeek.find((record) => record.version === '0.9');
    const ours = await filesLog(capture);
    const body = ours.find((record) => record['id.orig_p'] === simple?.['id.orig_p']);
    expect(simple?.response_body_len).toBe(3429);
    expect(body?.seen_bytes).toBe(simple?.response_body_len);
    expect(body?.md5).toMatch(/^[0-9a-f]{32}$/);
  });

  it('multipart upload parts hashed', async () => {
    const ours = await filesLog(sharedPath('corpus/zeek-traces/http-ctu-62604-c2sock/trace.pcap'));
    const upload = ours.filter((record) => record.is_orig === true);
    expect(upload).toHaveLength(4);
    expect(upload[1]?.md5).toBe(hex('md5', Buffer.from('2')));
    expect(upload[2]?.md5).toBe(hex('md5', Buffer.from('gaA7aF')));
    expect(upload[0]?.md5).toBe(hex('md5', Buffer.from('{1f777390-0b42-11e3-80ad-806e6f6e6963}')));
    expect(upload[3]?.seen_bytes).toBe(22);
  });

  it('vip-recovery files have hashes', async () => {
    const expected = JSON.parse(readFileSync(sharedPath('scenarios/vip-recovery/expected.json'), 'utf8')) as {
      http_requests: Array<{ responses: Array<{ body: string }> }>;
      smtp_sessions: Array<{ attachments: Array<{ filename: string; size: number }> }>;
    };
    const ours = await filesLog(sharedPath('scenarios/vip-recovery/vip-recovery.pcap'));
    const bodies = ours.filter((record) => record.source === 'HTTP');
    expect(bodies).toHaveLength(4);
    for (const record of bodies) expect(record.md5).toBe(hex('md5', Buffer.from(expected.http_requests[0]!.responses[0]!.body)));

    const attachments = expected.smtp_sessions.flatMap((session) => session.attachments);
    for (const attachment of attachments) {
      const record = ours.find((candidate) => candidate.filename === attachment.filename);
      expect(record?.seen_bytes, attachment.filename).toBe(attachment.size);
      expect(record?.sha256, attachment.filename).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
