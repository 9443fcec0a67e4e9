import { execFile } from 'node:child_process';
import { closeSync, constants, createReadStream, openSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Start of the temporary folder names, followed by the owning process id and a dash. */
const DIR_PREFIX = 'netcase-tshark-';

/** How often to retry opening the pipe while tshark has not opened its end yet. */
const OPEN_RETRY_MS = 10;

/**
 * A named pipe (FIFO) that carries the capture into tshark. tshark 4.0 rejects `-r -` when stdin
 * is a socket, and Node connects a child's stdin through a socket pair on Linux. tshark reads
 * pcap, pcapng and gzip from a FIFO, so the capture goes through one instead. Windows has no
 * mkfifo, so there tshark opens the file itself (the `file` capture input in process.ts).
 */
export class CapturePipe {
  private constructor(
    private readonly dir: string,
    readonly path: string,
  ) {}

  /**
   * Creates the FIFO in a fresh temporary folder with the `mkfifo` program. The folder name
   * carries this process's id, so that folders left behind by a killed process can be removed.
   */
  static async create(): Promise<CapturePipe> {
    await removeAbandonedPipes();
    const dir = await mkdtemp(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
    const path = join(dir, 'capture');
    try {
      await execFileAsync('mkfifo', ['-m', '600', path]);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return new CapturePipe(dir, path);
  }

  /**
   * Copies the capture file into the pipe once tshark opened it, reporting bytes copied.
   * Gives up quietly when `readerGone()` becomes true first: tshark then exited without reading,
   * and its exit code and stderr explain why.
   */
  async feed(capturePath: string, onBytes: (bytesRead: number) => void, readerGone: () => boolean): Promise<void> {
    const fd = await this.openWhenReaderArrives(readerGone);
    if (fd === null) return;
    // The socket owns the descriptor from here on and closes it when the copy ends.
    const socket = new Socket({ fd, readable: false, writable: true });
    let bytesRead = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytesRead += chunk.length;
        onBytes(bytesRead);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(createReadStream(capturePath), counter, socket);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EPIPE' && code !== 'ERR_STREAM_PREMATURE_CLOSE' && code !== 'ECONNRESET') throw error;
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Opens the write end without blocking, which fails with ENXIO until a reader has opened it. */
  private async openWhenReaderArrives(readerGone: () => boolean): Promise<number | null> {
    for (;;) {
      try {
        return openSync(this.path, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
      }
      if (readerGone()) return null;
      await new Promise((resolve) => setTimeout(resolve, OPEN_RETRY_MS));
    }
  }
}

/**
 * Removes pipe folders whose owning process no longer exists. A run ended by SIGKILL (a killed
 * CLI or app) cannot remove its own folder, because its cleanup code never runs.
 */
async function removeAbandonedPipes(): Promise<void> {
  let names: string[];
  try {
    names = await readdir(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const owner = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name);
    if (!owner || isAlive(Number(owner[1]))) continue;
    releaseWaitingReader(join(tmpdir(), name, 'capture'));
    await rm(join(tmpdir(), name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Ends a tshark left waiting on an abandoned pipe. A process killed after starting tshark but
 * before opening the pipe's write end leaves tshark blocked in open() for ever. Opening and
 * closing the write end lets it read end-of-file and exit. The open fails (ENXIO) when no
 * reader waits, which is the usual case and is ignored.
 */
function releaseWaitingReader(path: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // No reader waits on this pipe, or the pipe is already gone.
  }
}

/** Returns whether a process exists; signal 0 only checks and delivers nothing. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
