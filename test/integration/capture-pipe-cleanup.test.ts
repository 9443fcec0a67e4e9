import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CapturePipe } from '../../main/engines/tshark/capture-pipe.js';

/** Waits until the process sleeps in open() on a FIFO with no writer (Linux names that wait wait_for_partner). */
async function waitUntilBlockedOnFifo(pid: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (readFileSync(`/proc/${pid}/wchan`, 'utf8').includes('wait_for_partner')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`tshark (pid ${pid}) never reached the pipe's open()`);
}

/** Returns the id of a process that has already exited, so it owns nothing any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

describe('capture pipe cleanup', () => {
  it('ends a tshark left waiting on an abandoned pipe', async () => {
    // What a process killed between starting tshark and opening the pipe leaves behind.
    const dir = join(tmpdir(), `netcase-tshark-${deadPid()}-abandoned`);
    mkdirSync(dir);
    const fifo = join(dir, 'capture');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const waiting = spawn('tshark', ['-r', fifo, '-n', '-T', 'fields', '-e', 'frame.number'], { stdio: 'ignore' });
    const exited = once(waiting, 'exit');
    await waitUntilBlockedOnFifo(waiting.pid!);

    try {
      const pipe = await CapturePipe.create();
      await pipe.remove();

      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('tshark still waits on the abandoned pipe')), 30_000));
      await Promise.race([exited, timeout]);
      expect(waiting.exitCode).not.toBeNull();
      expect(existsSync(dir)).toBe(false);
    } finally {
      waiting.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
