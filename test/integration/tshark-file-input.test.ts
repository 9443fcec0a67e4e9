import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { createTsharkEngine } from '../../main/engines/tshark.js';
import { CaptureOffsetEstimator } from '../../main/engines/tshark/capture-offset.js';
import type { CaptureInput } from '../../main/engines/tshark/process.js';
import { NetcaseError } from '../../main/errors.js';
import { REPO_DIR } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

/** A program that starts like tshark and then hangs (not tshark; see its header). */
const STALLED_TSHARK = resolve(REPO_DIR, 'test/fixtures/stalled-tshark/stalled-tshark.mjs');

const PCAP_HEADER_BYTES = 24;

/** Captures of every container the engine accepts: pcap, nanosecond pcap, pcapng, gzip. */
const CAPTURES = [
  'scenarios/vip-recovery/vip-recovery.pcap',
  'corpus/zeek-traces/wikipedia-mixed/trace.pcap',
  'corpus/zeek-traces/smtp/trace.pcap',
  'corpus/zeek-traces/ftp-ipv4/trace.pcap',
  'corpus/edge/tcpdump-tests/tcp-handshake-nano.pcap',
  'corpus/edge/zeek-pcapng-multi-interface/pcapng-multi-interface.pcapng',
  'corpus/edge/zeek-gzip-pcap/iso-download.pcap.gz',
];

async function runLogs(capture: string, input: CaptureInput): Promise<Map<string, string>> {
  const outputDir = tempDir();
  const result = await createTsharkEngine({ captureInput: input }).run({
    capturePath: capture,
    outputDir,
    signal: new AbortController().signal,
    allowBadChecksums: true,
  });
  return new Map(result.logFiles.map((file) => [basename(file), readFileSync(file, 'utf8')]));
}

function largeCapture(copies: number): string {
  const source = readFileSync(sharedPath('scenarios/vip-recovery/vip-recovery.pcap'));
  const packets = source.subarray(PCAP_HEADER_BYTES);
  const path = join(tempDir(), 'large.pcap');
  writeFileSync(path, Buffer.concat([source.subarray(0, PCAP_HEADER_BYTES), ...Array<Buffer>(copies).fill(packets)]));
  return path;
}

describeWithShared('tshark engine reading the capture file itself', () => {
  for (const capture of CAPTURES) {
    it(`file and fifo agree: ${capture.split('/').at(-2)}`, async () => {
      const path = sharedPath(capture);
      const fromFifo = await runLogs(path, 'fifo');
      const fromFile = await runLogs(path, 'file');
      expect(fromFifo.size).toBeGreaterThan(0);
      expect([...fromFile.keys()].sort()).toEqual([...fromFifo.keys()].sort());
      for (const [name, text] of fromFifo) expect(fromFile.get(name), name).toBe(text);
    }, 60_000);
  }

  it('passes the path to tshark', async () => {
    const capture = sharedPath('scenarios/vip-recovery/vip-recovery.pcap');
    const result = await createTsharkEngine({ captureInput: 'file' }).run({
      capturePath: capture,
      outputDir: tempDir(),
      signal: new AbortController().signal,
      allowBadChecksums: true,
    });
    expect(result.commandLine.slice(1, 3)).toEqual(['-r', capture]);
  });

  it('names the file in tshark messages', async () => {
    const notCapture = join(tempDir(), 'notes.pcap');
    writeFileSync(notCapture, 'plain text, not a capture\n');
    const error = await createTsharkEngine({ captureInput: 'file' })
      .run({ capturePath: notCapture, outputDir: tempDir(), signal: new AbortController().signal, allowBadChecksums: true })
      .catch((caught: unknown) => caught);
    expect((error as NetcaseError).code).toBe('UNSUPPORTED_FILE');
    expect((error as NetcaseError).message).toContain(notCapture);
  });

  it('estimates a pcap offset exactly', async () => {
    const capture = largeCapture(3);
    const bytes = readFileSync(capture);
    const estimator = await CaptureOffsetEstimator.forFile(capture, bytes.length);
    let offset = PCAP_HEADER_BYTES;
    let packets = 0;
    while (offset < bytes.length) {
      const capturedBytes = bytes.readUInt32LE(offset + 8);
      estimator.notePacket(capturedBytes);
      offset += 16 + capturedBytes;
      packets += 1;
      if (packets === 10) expect(estimator.bytesRead()).toBe(offset);
    }
    expect(estimator.bytesRead()).toBe(bytes.length);
  });

  it('estimates pcapng and gzip offsets within the size', async () => {
    for (const capture of ['corpus/edge/zeek-pcapng-multi-interface/pcapng-multi-interface.pcapng', 'corpus/edge/zeek-gzip-pcap/iso-download.pcap.gz']) {
      const path = sharedPath(capture);
      const size = statSync(path).size;
      const estimator = await CaptureOffsetEstimator.forFile(path, size);
      expect(estimator.bytesRead(), capture).toBe(0);
      estimator.notePacket(60);
      expect(estimator.bytesRead(), capture).toBeGreaterThan(0);
      for (let i = 0; i < 10_000; i++) estimator.notePacket(1500);
      expect(estimator.bytesRead(), capture).toBe(size);
    }
  });

  it('reports rising progress up to the size', async () => {
    const capture = largeCapture(40);
    const size = statSync(capture).size;
    const calls: Array<[number, number]> = [];
    await createTsharkEngine({ captureInput: 'file' }).run({
      capturePath: capture,
      outputDir: tempDir(),
      signal: new AbortController().signal,
      allowBadChecksums: true,
      onProgress: (bytesRead, bytesTotal) => calls.push([bytesRead, bytesTotal]),
    });
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.at(-1)).toEqual([size, size]);
    expect(calls.some(([bytesRead]) => bytesRead > 0 && bytesRead < size)).toBe(true);
    for (const [bytesRead, total] of calls) {
      expect(total).toBe(size);
      expect(bytesRead).toBeLessThanOrEqual(size);
    }
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
  }, 60_000);

  it('stops tshark on cancel', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const error = await createTsharkEngine({ captureInput: 'file' })
      .run({
        capturePath: largeCapture(300),
        outputDir: tempDir(),
        signal: controller.signal,
        allowBadChecksums: true,
        onProgress: () => controller.abort(),
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetcaseError);
    expect((error as NetcaseError).code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('ends a hung run at the timeout', async () => {
    const error = await createTsharkEngine({ executable: STALLED_TSHARK, captureInput: 'file' })
      .run({
        capturePath: sharedPath('scenarios/vip-recovery/vip-recovery.pcap'),
        outputDir: tempDir(),
        signal: new AbortController().signal,
        allowBadChecksums: true,
        timeoutMs: 3_000,
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetcaseError);
    expect((error as NetcaseError).code).toBe('ENGINE');
    expect((error as NetcaseError).message).toContain('did not finish within 3000 ms');
  }, 30_000);

  it('makes no pipe folder', async () => {
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith(`netcase-tshark-${process.pid}-`));
    let during: string[] = [];
    await createTsharkEngine({ captureInput: 'file' }).run({
      capturePath: sharedPath('scenarios/vip-recovery/vip-recovery.pcap'),
      outputDir: tempDir(),
      signal: new AbortController().signal,
      allowBadChecksums: true,
      onProgress: () => {
        during = readdirSync(tmpdir()).filter((name) => name.startsWith(`netcase-tshark-${process.pid}-`));
      },
    });
    expect(during).toEqual(before);
  });
});

