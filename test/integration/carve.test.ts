import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices } from '../../main/services.js';
import { isNetcaseError } from '../../main/errors.js';
import { openCase } from '../../main/case/case-folder.js';
import { listAudit } from '../../main/case/audit.js';
import { runNetcase } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

const services = createServices('test');
const VIP_PCAP = () => sharedPath('scenarios/vip-recovery/vip-recovery.pcap');
const TLS_PCAP = () => sharedPath('corpus/zeek-traces/tls-google-duplicate/trace.pcap');
/** Ends before the TLS connection closes, so its flow has a handshake but no FIN. */
const TLS_CUT_PCAP = () => sharedPath('corpus/zeek-traces/tls-sni-gstatic/trace.pcap');

interface RawFrame {
  time: string;
  raw: string;
  flags: number | null;
  src: string;
  srcPort: string;
}

/** Reads every frame's raw bytes and TCP facts through tshark's JSON output, independently of the carving code. */
function rawFrames(path: string): RawFrame[] {
  const output = execFileSync('tshark', ['-r', path, '-n', '-T', 'json', '-x', '-o', 'tcp.desegment_tcp_streams:FALSE'], { maxBuffer: 512 * 1024 * 1024, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const packets = JSON.parse(output) as { _source: { layers: Record<string, unknown> } }[];
  return packets.map(({ _source: { layers } }) => {
    const frame = layers.frame as Record<string, string>;
    const tcp = layers.tcp as Record<string, string> | undefined;
    const ip = (layers.ip ?? layers.ipv6) as Record<string, string> | undefined;
    return {
      time: frame['frame.time_epoch']!,
      raw: (layers.frame_raw as [string])[0],
      flags: tcp ? Number(tcp['tcp.flags']) : null,
      src: ip?.['ip.src'] ?? ip?.['ipv6.src'] ?? '',
      srcPort: tcp?.['tcp.srcport'] ?? '',
    };
  });
}

/** Frames of one TCP connection in the source, selected by tshark's own stream tracking. */
function streamFrameCount(path: string, origHost: string, origPort: number): number {
  const output = execFileSync('tshark', ['-r', path, '-n', '-Y', `ip.addr == ${origHost} && tcp.port == ${origPort}`, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return output.trim().split('\n').filter(Boolean).length;
}

function expectByteIdentical(carved: RawFrame[], source: RawFrame[]): void {
  const sourceKeys = new Set(source.map((frame) => `${frame.time}|${frame.raw}`));
  for (const frame of carved) expect(sourceKeys.has(`${frame.time}|${frame.raw}`), `carved frame at ${frame.time} differs from every source frame`).toBe(true);
}

const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;

function expectCompleteTcpFlow(frames: RawFrame[], origHost: string): void {
  const first = frames[0]!;
  expect(first.flags! & (SYN | ACK)).toBe(SYN);
  expect(first.src).toBe(origHost);
  expect(frames.some((frame) => (frame.flags! & (SYN | ACK)) === (SYN | ACK))).toBe(true);
  const fins = frames.filter((frame) => (frame.flags! & FIN) !== 0);
  expect(new Set(fins.map((frame) => frame.src)).size).toBe(2);
}

async function analysedCase(capture: string, parent = tempDir('netcase-carve-')): Promise<{ dir: string; evidencePath: string }> {
  const dir = join(parent, 'case');
  services.createCase(dir, { name: 'carve test', analyst: 'Test Analyst' });
  const intake = await services.addEvidence(dir, [capture]);
  await services.analyze(dir, { engine: 'tshark' });
  return { dir, evidencePath: join(dir, intake.added[0]!.stored_path) };
}

function connOf(dir: string, uid: string): { orig_h: string; orig_p: number } {
  const row = [...services.events(dir, { uid, log: 'conn' })][0]!;
  return { orig_h: row.orig_h!, orig_p: row.orig_p! };
}

describeWithShared('carve packets of a connection', () => {
  let vip: { dir: string; evidencePath: string };
  let vipSource: RawFrame[];
  // tempDir() folders are removed after each test, so the shared case lives in its own folder.
  const sharedCaseDir = mkdtempSync(join(tmpdir(), 'netcase-carve-shared-'));
  afterAll(() => rmSync(sharedCaseDir, { recursive: true, force: true }));

  beforeAll(async () => {
    vip = await analysedCase(VIP_PCAP(), sharedCaseDir);
    vipSource = rawFrames(VIP_PCAP());
  }, 120_000);

  it('carves both vip-recovery SMTP connections', async () => {
    const uids = [...services.events(vip.dir, { log: 'smtp' })].map((row) => row.uid!);
    expect(uids).toHaveLength(2);

    for (const uid of uids) {
      const out = join(tempDir(), `${uid}.pcap`);
      const result = await services.carve(vip.dir, { uid, out });
      const carved = rawFrames(out);
      const conn = connOf(vip.dir, uid);

      expect(result.packets).toBe(carved.length);
      expect(result.format).toBe('pcap');
      expect(result.linkTypes).toEqual([1]);
      expect(carved.length).toBe(streamFrameCount(VIP_PCAP(), conn.orig_h, conn.orig_p));
      expectByteIdentical(carved, vipSource);
      expectCompleteTcpFlow(carved, conn.orig_h);
    }
  });

  it('carves both TLS flows of a corpus trace', async () => {
    const tls = await analysedCase(TLS_PCAP());
    const uids = [...services.events(tls.dir, { log: 'ssl' })].map((row) => row.uid!);
    const source = rawFrames(TLS_PCAP());
    expect(uids).toHaveLength(2);

    for (const uid of uids) {
      const out = join(tempDir(), `${uid}.pcap`);
      const result = await services.carve(tls.dir, { uid, out });
      const carved = rawFrames(out);
      const conn = connOf(tls.dir, uid);

      expect(result.packets).toBe(carved.length);
      expect(carved.length).toBe(streamFrameCount(TLS_PCAP(), conn.orig_h, conn.orig_p));
      expectByteIdentical(carved, source);
      expectCompleteTcpFlow(carved, conn.orig_h);
    }
  }, 60_000);

  it('carves a TLS flow cut off by the trace', async () => {
    const tls = await analysedCase(TLS_CUT_PCAP());
    const uid = [...services.events(tls.dir, { log: 'ssl' })][0]!.uid!;
    const out = join(tempDir(), 'cut.pcap');

    await services.carve(tls.dir, { uid, out });
    const carved = rawFrames(out);
    const conn = connOf(tls.dir, uid);

    expect(carved.length).toBe(streamFrameCount(TLS_CUT_PCAP(), conn.orig_h, conn.orig_p));
    expect(carved[0]!.flags! & (SYN | ACK)).toBe(SYN);
    expectByteIdentical(carved, rawFrames(TLS_CUT_PCAP()));
  }, 60_000);

  it('keeps the file header of the source', async () => {
    const uid = [...services.events(vip.dir, { log: 'smtp' })][0]!.uid!;
    const out = join(tempDir(), 'header.pcap');
    await services.carve(vip.dir, { uid, out });
    expect(readFileSync(out).subarray(0, 24)).toEqual(readFileSync(VIP_PCAP()).subarray(0, 24));
  });

  it('carves a host within a time window', async () => {
    const out = join(tempDir(), 'host.pcap');
    const from = 1767981901_000_000;
    const to = 1767981903_000_000;
    const result = await services.carve(vip.dir, { host: '10.1.9.101', from, to, out });
    const carved = rawFrames(out);

    expect(carved.length).toBe(result.packets);
    expect(carved.length).toBeGreaterThan(0);
    for (const frame of carved) {
      expect(Number(frame.time)).toBeGreaterThanOrEqual(from / 1e6);
      expect(Number(frame.time)).toBeLessThanOrEqual(to / 1e6);
    }
    const expected = vipSource.filter((frame) => Number(frame.time) >= from / 1e6 && Number(frame.time) <= to / 1e6 && frame.raw.includes('0a010965'));
    expect(carved.length).toBe(expected.length);
    expectByteIdentical(carved, vipSource);
  });

  it('rejects an unknown uid', async () => {
    const out = join(tempDir(), 'none.pcap');
    await expect(services.carve(vip.dir, { uid: 'Cdoesnotexist', out })).rejects.toThrow(/Cdoesnotexist not found/);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects an existing output file', async () => {
    const uid = [...services.events(vip.dir, { log: 'smtp' })][0]!.uid!;
    const out = join(tempDir(), 'exists.pcap');
    writeFileSync(out, 'keep me');
    await expect(services.carve(vip.dir, { uid, out })).rejects.toThrow(/already exists/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
  });

  it('audits each carve', async () => {
    const uid = [...services.events(vip.dir, { log: 'smtp' })][1]!.uid!;
    const out = join(tempDir(), 'audited.pcap');
    const result = runNetcase(['carve', vip.dir, '--uid', uid, '--out', out, '--json']);
    expect(result.status, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as { packets: number; sha256: string };

    const verify = runNetcase(['audit', 'verify', vip.dir]);
    expect(verify.status, verify.stderr).toBe(0);
    const opened = openCase(vip.dir, { write: false });
    const entries = listAudit(opened.db).filter((entry) => entry.action === 'packets.carve');
    opened.close();
    const last = JSON.parse(entries.at(-1)!.details) as { out: string; sha256: string };
    expect(last.out).toBe(out);
    expect(last.sha256).toBe(printed.sha256);
    expect(printed.packets).toBe(rawFrames(out).length);
  });
});

describeWithShared('carve refusals and capture formats', () => {
  it('rejects a capture changed since intake', async () => {
    const { dir, evidencePath } = await analysedCase(VIP_PCAP());
    const uid = [...services.events(dir, { log: 'smtp' })][0]!.uid!;
    chmodSync(evidencePath, 0o644);
    const handle = openSync(evidencePath, 'r+');
    writeSync(handle, Buffer.from([0xff]), 0, 1, 5000);
    closeSync(handle);

    const out = join(tempDir(), 'changed.pcap');
    const error = await services.carve(dir, { uid, out }).catch((caught: unknown) => caught);
    expect(isNetcaseError(error)).toBe(true);
    expect((error as { code?: string }).code).toBe('INTEGRITY');
    expect((error as Error).message).toMatch(/changed since intake/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('keeps two pcapng interfaces exact', async () => {
    const work = tempDir();
    const first = join(work, 'first.pcapng');
    const second = join(work, 'second.pcapng');
    const merged = join(work, 'merged.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', VIP_PCAP(), first]);
    execFileSync('editcap', ['-F', 'pcapng', TLS_PCAP(), second]);
    execFileSync('mergecap', ['-I', 'none', '-w', merged, first, second]);

    const dir = join(tempDir(), 'case');
    services.createCase(dir, { name: 'pcapng', analyst: 'Test Analyst' });
    await services.addEvidence(dir, [merged]);
    const out = join(work, 'carved.pcapng');
    const result = await services.carve(dir, { host: '10.1.9.101', out });

    expect(result.format).toBe('pcapng');
    expect(result.linkTypes).toEqual([1, 1]);
    const info = execFileSync('capinfos', [out], { encoding: 'utf8' });
    expect(info).toMatch(/Number of interfaces in file: 2/);
    const carved = rawFrames(out);
    expect(carved.length).toBe(result.packets);
    expect(carved.length).toBe(rawFrames(VIP_PCAP()).filter((frame) => frame.raw.includes('0a010965')).length);
    expectByteIdentical(carved, rawFrames(merged));

    // Packets of the second interface keep interface id 1, so its description must come along.
    const secondOut = join(work, 'second-interface.pcapng');
    const secondResult = await services.carve(dir, { host: '192.168.4.149', out: secondOut });
    const carvedSecond = rawFrames(secondOut);
    expect(carvedSecond.length).toBe(secondResult.packets);
    expect(carvedSecond.length).toBe(rawFrames(TLS_PCAP()).length);
    expectByteIdentical(carvedSecond, rawFrames(TLS_PCAP()));
    expect(execFileSync('tshark', ['-r', secondOut, '-T', 'fields', '-e', 'frame.interface_id'], { encoding: 'utf8' }).trim().split('\n')).toEqual(carvedSecond.map(() => '1'));
  }, 60_000);

  it('keeps nanosecond pcap timestamps', async () => {
    const work = tempDir();
    const nano = join(work, 'nano.pcap');
    execFileSync('editcap', ['-F', 'nsecpcap', TLS_PCAP(), nano]);
    const { dir } = await analysedCase(nano);
    const uid = [...services.events(dir, { log: 'ssl' })][0]!.uid!;
    const out = join(work, 'carved.pcap');
    await services.carve(dir, { uid, out });

    expect(readFileSync(out).subarray(0, 24)).toEqual(readFileSync(nano).subarray(0, 24));
    expect(execFileSync('capinfos', [out], { encoding: 'utf8' })).toMatch(/nanoseconds/);
    expectByteIdentical(rawFrames(out), rawFrames(nano));
  }, 60_000);

  it('carves from a capture cut short', async () => {
    const work = tempDir();
    const cut = join(work, 'cut.pcap');
    writeFileSync(cut, readFileSync(VIP_PCAP()).subarray(0, 95_000));
    const dir = join(work, 'case');
    services.createCase(dir, { name: 'cut short', analyst: 'Test Analyst' });
    await services.addEvidence(dir, [cut]);
    const out = join(work, 'carved.pcap');

    const result = await services.carve(dir, { host: '10.1.9.101', out });
    // tshark exits with 2 on a capture cut short, after listing every complete packet.
    const listed = spawnSync('tshark', ['-r', cut, '-n', '-Y', 'ip.addr == 10.1.9.101', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
    const complete = listed.stdout.trim().split('\n').length;

    expect(listed.status).toBe(2);
    expect(result.sourceTruncated).toBe(true);
    expect(result.packets).toBe(complete);
    expect(complete).toBeLessThan(rawFrames(VIP_PCAP()).length);
    expectByteIdentical(rawFrames(out), rawFrames(VIP_PCAP()));
  }, 60_000);

  it('reads gzip-compressed evidence', async () => {
    const work = tempDir();
    const gz = join(work, 'trace.pcap.gz');
    copyFileSync(TLS_PCAP(), join(work, 'trace.pcap'));
    execFileSync('gzip', ['-k', join(work, 'trace.pcap')]);
    const { dir } = await analysedCase(gz);
    const uid = [...services.events(dir, { log: 'ssl' })][0]!.uid!;
    const out = join(work, 'carved.pcap');
    const result = await services.carve(dir, { uid, out });

    expect(result.packets).toBeGreaterThan(0);
    expectByteIdentical(rawFrames(out), rawFrames(TLS_PCAP()));
  }, 60_000);
});
