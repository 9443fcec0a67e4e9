import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants } from 'node:os';
import { createGunzip } from 'node:zlib';
import { NetcaseError } from '../errors.js';
import { log } from '../log.js';

const logger = log.scope('engine');

export interface EngineProcessOptions {
  executable: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Capture streamed into the program's stdin; gzip-compressed captures are decompressed on the way. */
  stdinCapture?: string;
  signal: AbortSignal;
  /** Bytes of the capture file read so far and its size, reported every `progressIntervalMs`. */
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
  progressIntervalMs?: number;
  timeoutMs?: number;
}

export interface EngineProcessResult {
  exitCode: number;
  stderr: string;
  /** True when stderr was longer than the kept part. */
  stderrTruncated: boolean;
}

/** Stderr kept per run; a program that floods stderr must not fill the case database. */
const MAX_STDERR_CHARS = 256 * 1024;

/** Time a program gets to exit after SIGTERM before its process group is killed. */
const KILL_GRACE_MS = 2000;

/**
 * Runs an engine program (never through a shell) and waits for it to exit. The capture is
 * piped into stdin through a byte counter, so progress is the share of the capture file read.
 * On abort or timeout the whole process tree is stopped: on POSIX the program leads its own
 * process group, which receives SIGTERM and, after a grace period, SIGKILL. Throws CANCELLED on
 * abort, ENGINE on timeout, NOT_FOUND when the program is missing.
 */
export async function runEngineProcess(options: EngineProcessOptions): Promise<EngineProcessResult> {
  options.signal.throwIfAborted();
  const bytesTotal = options.stdinCapture ? (await stat(options.stdinCapture)).size : 0;
  let bytesRead = 0;

  const child = spawn(options.executable, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: [options.stdinCapture ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });

  const stderr = collectStderr(child);
  let stopReason: 'cancelled' | 'timeout' | undefined;
  const stop = (reason: 'cancelled' | 'timeout'): void => {
    if (stopReason) return;
    stopReason = reason;
    logger.info({ pid: child.pid, reason }, 'stopping engine process tree');
    killProcessTree(child);
  };
  const onAbort = (): void => stop('cancelled');
  options.signal.addEventListener('abort', onAbort, { once: true });
  const timeout = options.timeoutMs ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;

  const report = (): void => options.onProgress?.(bytesRead, bytesTotal);
  const progressTimer = options.onProgress ? setInterval(report, options.progressIntervalMs ?? 500) : undefined;

  if (options.stdinCapture && child.stdin) {
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytesRead += chunk.length;
        callback(null, chunk);
      },
    });
    void pumpCapture(options.stdinCapture, counter, child.stdin).catch((error: NodeJS.ErrnoException) => {
      // A program that closes stdin early (it failed, or was stopped) breaks the pipe. Its exit
      // status reports that case, so only other errors are logged here.
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_PREMATURE_CLOSE' && error.code !== 'ERR_STREAM_DESTROYED') {
        logger.warn({ err: error, capture: options.stdinCapture }, 'streaming the capture to the engine failed');
      }
    });
  }

  try {
    const exit = await waitForExit(child);
    if (stopReason === undefined && bytesTotal > 0) report();

    if (exit.spawnError) {
      const code = (exit.spawnError as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new NetcaseError('NOT_FOUND', `Engine program ${options.executable} not found. Check the path, or choose another engine with --engine.`);
      if (code === 'EACCES') throw new NetcaseError('ENGINE', `Engine program ${options.executable} is not executable. Make it executable (chmod +x) or choose another engine.`);
      throw new NetcaseError('ENGINE', `Cannot start ${options.executable}: ${exit.spawnError.message}.`, { cause: exit.spawnError });
    }
    if (stopReason === 'cancelled') throw new NetcaseError('CANCELLED', `Engine run cancelled; ${options.executable} was stopped.`);
    if (stopReason === 'timeout') {
      throw new NetcaseError('ENGINE', `${options.executable} did not finish within ${formatSeconds(options.timeoutMs!)} and was stopped. Raise the limit with --timeout SECONDS if the capture is large.`, {
        details: { stderr: stderr.text(), commandLine: [options.executable, ...options.args] },
      });
    }
    return { exitCode: exit.code ?? 128, stderr: stderr.text(), stderrTruncated: stderr.truncated() };
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    if (timeout) clearTimeout(timeout);
    if (progressTimer) clearInterval(progressTimer);
  }
}

async function pumpCapture(path: string, counter: Transform, stdin: Writable): Promise<void> {
  const gzip = await isGzip(path);
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  if (gzip) await pipeline(source, counter, createGunzip(), stdin);
  else await pipeline(source, counter, stdin);
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function collectStderr(child: ChildProcess): { text(): string; truncated(): boolean } {
  let text = '';
  let truncated = false;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (text.length >= MAX_STDERR_CHARS) {
      truncated = true;
      return;
    }
    text += chunk.slice(0, MAX_STDERR_CHARS - text.length);
    if (text.length >= MAX_STDERR_CHARS && chunk.length > 0) truncated = true;
  });
  return { text: () => text, truncated: () => truncated };
}

function waitForExit(child: ChildProcess): Promise<{ code: number | null; spawnError?: Error }> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, spawnError: error }));
    // 'close' waits for stderr to end too, so the collected text is complete.
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 + signalNumber(signal) : null) }));
  });
}

/** Stops the program and every process it started. */
export function killProcessTree(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  const pid = child.pid;
  if (process.platform === 'win32') {
    // NOTE: this branch has not been run; the tests run on Linux only.
    spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true });
    return;
  }
  signalGroup(pid, 'SIGTERM');
  const killer = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
  killer.unref();
  child.once('close', () => {
    // Processes the program started may outlive it in its group; they get no grace period.
    clearTimeout(killer);
    signalGroup(pid, 'SIGKILL');
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') logger.warn({ err: error, pid, signal }, 'signalling the engine process group failed');
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
