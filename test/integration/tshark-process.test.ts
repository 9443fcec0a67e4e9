import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { createTsharkEngine } from '../../main/engines/tshark.js';
import { NetcaseError } from '../../main/errors.js';
import { REPO_DIR } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

/** A program that starts like tshark and then hangs (not tshark; see its header). */
const STALLED_TSHARK = resolve(REPO_DIR, 'test/fixtures/stalled-tshark/stalled-tshark.mjs');

const PCAP_HEADER_BYTES = 24;

/** Writes a capture of `copies` back-to-back copies of the vip-recovery packets, big enough to cancel. */
function largeCapture(copies: number): string {
  const source = readFileSync(sharedPath('scenarios/vip-recovery/vip-recovery.pcap'));
  const packets = source.subarray(PCAP_HEADER_BYTES);
  const path = join(tempDir(), 'large.pcap');
  writeFileSync(path, Buffer.concat([source.subarray(0, PCAP_HEADER_BYTES), ...Array<Buffer>(copies).fill(packets)]));
  return path;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
}

describeWithShared('tshark engine process handling', () => {
  it('reports version', async () => {
    expect(await createTsharkEngine().version()).toMatch(/^tshark \d+\.\d+\.\d+$/);
  });

  it('reports progress up to the file size', async () => {
    const capture = largeCapture(20);
    const calls: Array<[number, number]> = [];
    await createTsharkEngine().run({
      capturePath: capture,
      outputDir: tempDir(),
      signal: new AbortController().signal,
      allowBadChecksums: true,
      onProgress: (bytesRead, bytesTotal) => calls.push([bytesRead, bytesTotal]),
    });
    const size = readFileSync(capture).length;
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.at(-1)).toEqual([size, size]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
    for (const [, total] of calls) expect(total).toBe(size);
  }, 60_000);

  it('stops tshark on cancel', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = createTsharkEngine().run({
      capturePath: largeCapture(300),
      outputDir: tempDir(),
      signal: controller.signal,
      allowBadChecksums: true,
      onProgress: () => controller.abort(),
    });
    const error = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetcaseError);
    expect((error as NetcaseError).code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('kills the process tree on cancel', async () => {
    const pidsFile = join(tempDir(), 'pids.json');
    process.env.STALLED_TSHARK_PIDS = pidsFile;
    try {
      const controller = new AbortController();
      const run = createTsharkEngine({ executable: STALLED_TSHARK }).run({
        capturePath: sharedPath('scenarios/vip-recovery/vip-recovery.pcap'),
        outputDir: tempDir(),
        signal: controller.signal,
        allowBadChecksums: true,
      });
      await waitFor(() => existsSync(pidsFile), 10_000);
      const { pid, childPid } = JSON.parse(readFileSync(pidsFile, 'utf8')) as { pid: number; childPid: number };
      controller.abort();

      const error = await run.catch((caught: unknown) => caught);
      expect((error as NetcaseError).code).toBe('CANCELLED');
      await waitFor(() => !isRunning(pid) && !isRunning(childPid), 5_000);
      expect(isRunning(pid)).toBe(false);
      expect(isRunning(childPid)).toBe(false);
    } finally {
      delete process.env.STALLED_TSHARK_PIDS;
    }
  }, 30_000);

  it('ends a hung run at the timeout', async () => {
    const error = await createTsharkEngine({ executable: STALLED_TSHARK })
      .run({
        capturePath: sharedPath('scenarios/vip-recovery/vip-recovery.pcap'),
        outputDir: tempDir(),
        signal: new AbortController().signal,
        allowBadChecksums: true,
        // Long enough for the stand-in to start and write its stderr line on a busy machine.
        timeoutMs: 4_000,
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetcaseError);
    expect((error as NetcaseError).code).toBe('ENGINE');
    expect((error as NetcaseError).message).toContain('did not finish within 4000 ms');
    expect((error as NetcaseError).details).toEqual({ stderr: 'stalled-tshark: waiting\n' });
  }, 30_000);

  it('reports progress once a second while stalled', async () => {
    const capture = sharedPath('scenarios/vip-recovery/vip-recovery.pcap');
    const size = readFileSync(capture).length;
    const calls: number[] = [];
    const started = Date.now();
    await createTsharkEngine({ executable: STALLED_TSHARK })
      .run({
        capturePath: capture,
        outputDir: tempDir(),
        signal: new AbortController().signal,
        allowBadChecksums: true,
        timeoutMs: 3_200,
        onProgress: (bytesRead, bytesTotal) => {
          expect(bytesTotal).toBe(size);
          calls.push(Date.now() - started);
        },
      })
      .catch(() => undefined);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < calls.length; i++) expect(calls[i]! - calls[i - 1]!).toBeLessThan(1_500);
  }, 30_000);

  it('removes pipes of dead processes', async () => {
    const finished = spawnSync(process.execPath, ['-e', '']);
    const abandoned = join(tmpdir(), `netcase-tshark-${finished.pid}-test`);
    const ours = join(tmpdir(), `netcase-tshark-${process.pid}-test`);
    mkdirSync(abandoned, { recursive: true });
    mkdirSync(ours, { recursive: true });
    try {
      // Creating a pipe is what clears abandoned ones, so this run uses the pipe input.
      await createTsharkEngine({ captureInput: 'fifo' }).run({
        capturePath: sharedPath('scenarios/vip-recovery/vip-recovery.pcap'),
        outputDir: tempDir(),
        signal: new AbortController().signal,
        allowBadChecksums: true,
      });
      expect(existsSync(abandoned)).toBe(false);
      expect(existsSync(ours)).toBe(true);
    } finally {
      rmSync(abandoned, { recursive: true, force: true });
      rmSync(ours, { recursive: true, force: true });
    }
  });

  it('names a missing program', async () => {
    const missing = join(tempDir(), 'no-tshark-here');
    const error = await createTsharkEngine({ executable: missing })
      .run({ capturePath: sharedPath('scenarios/vip-recovery/vip-recovery.pcap'), outputDir: tempDir(), signal: new AbortController().signal, allowBadChecksums: true })
      .catch((caught: unknown) => caught);
    expect((error as NetcaseError).code).toBe('ENGINE');
    expect((error as NetcaseError).message).toContain(`tshark was not found at ${missing}`);
  });

  it('records the command line', async () => {
    const result = await createTsharkEngine().run({
      capturePath: sharedPath('scenarios/vip-recovery/vip-recovery.pcap'),
      outputDir: tempDir(),
      signal: new AbortController().signal,
      allowBadChecksums: false,
    });
    expect(result.commandLine[0]).toBe('tshark');
    expect(result.commandLine).toContain('-n');
    expect(result.commandLine).toContain('tcp.check_checksum:TRUE');
    expect(result.commandLine.slice(1, 3)).toEqual(['-r', sharedPath('scenarios/vip-recovery/vip-recovery.pcap')]);
  });
});
