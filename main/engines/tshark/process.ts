import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { NetcaseError } from '../../errors.js';
import { CapturePipe } from './capture-pipe.js';

export interface TsharkProcessOptions {
  executable: string;
  args: string[];
  /** Capture fed to tshark through a named pipe; progress counts its bytes. */
  inputPath: string;
  signal: AbortSignal;
  timeoutMs?: number;
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
  /** Receives each stdout line as it arrives. */
  onLine: (line: string) => void;
}

export interface TsharkProcessResult {
  /** Program and arguments as started, with the pipe's path in place of the placeholder. */
  commandLine: string[];
  exitCode: number;
  stderr: string;
}

/** Stands for the capture in TsharkProcessOptions.args. */
export const CAPTURE_PIPE_ARGUMENT = '\0capture';

/** Minimum time between progress calls while capture bytes flow. */
const PROGRESS_INTERVAL_MS = 250;

/** Maximum time between progress calls, also while tshark works through data it has buffered. */
const PROGRESS_HEARTBEAT_MS = 1000;

/** Stderr kept for the run record; tshark repeats some warnings per packet. */
const MAX_STDERR_CHARS = 64 * 1024;

/**
 * Runs tshark once on the capture, streaming stdout lines to `onLine`. `args` names the capture
 * with the placeholder CAPTURE_PIPE_ARGUMENT, which is replaced by the pipe's path. The process
 * runs in its own process group, so an abort or timeout ends tshark and anything it started.
 * Resolves with the exit code and stderr whatever the code is. Rejects with CANCELLED on abort,
 * and with ENGINE on timeout or when the program cannot start.
 */
export async function runTsharkProcess(options: TsharkProcessOptions): Promise<TsharkProcessResult> {
  options.signal.throwIfAborted();
  const bytesTotal = statSync(options.inputPath).size;

  const pipe = await CapturePipe.create();
  const args = options.args.map((arg) => (arg === CAPTURE_PIPE_ARGUMENT ? pipe.path : arg));
  const child = spawn(options.executable, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' },
  });

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.slice(0, MAX_STDERR_CHARS - stderr.length);
  });

  let stopReason: 'aborted' | 'timeout' | null = null;
  const stop = (reason: 'aborted' | 'timeout') => {
    if (stopReason) return;
    stopReason = reason;
    killProcessGroup(child.pid);
  };
  const onAbort = () => stop('aborted');
  options.signal.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;

  let childGone = false;
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (error) => {
      childGone = true;
      reject(error);
    });
    child.once('exit', () => {
      childGone = true;
    });
    child.once('close', (code, signalName) => resolve(code ?? (signalName ? 128 : 1)));
  });

  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  lines.on('line', options.onLine);
  const linesDone = new Promise<void>((resolve) => lines.once('close', resolve));

  let lastReport = 0;
  let bytesSoFar = 0;
  const onBytes = (bytesRead: number) => {
    bytesSoFar = bytesRead;
    const now = Date.now();
    if (now - lastReport < PROGRESS_INTERVAL_MS) return;
    lastReport = now;
    options.onProgress?.(bytesRead, bytesTotal);
  };
  const heartbeat = setInterval(() => {
    if (Date.now() - lastReport < PROGRESS_HEARTBEAT_MS) return;
    lastReport = Date.now();
    options.onProgress?.(bytesSoFar, bytesTotal);
  }, PROGRESS_HEARTBEAT_MS / 4);
  const feeding = pipe.feed(options.inputPath, onBytes, () => childGone || stopReason !== null);

  try {
    const [exitCode] = await Promise.all([exited, linesDone, feeding]);
    if (stopReason === 'aborted') throw new NetcaseError('CANCELLED', 'The tshark run was cancelled.');
    if (stopReason === 'timeout') {
      throw new NetcaseError('ENGINE', `tshark did not finish within ${options.timeoutMs} ms on ${options.inputPath} and was stopped; raise the timeout for large captures.`, {
        details: { stderr },
      });
    }
    options.onProgress?.(bytesTotal, bytesTotal);
    // tshark names the pipe in its messages; the capture's own path means more to the analyst.
    const namedStderr = stderr.split(pipe.path).join(options.inputPath);
    return { commandLine: [options.executable, ...args], exitCode, stderr: namedStderr };
  } catch (error) {
    killProcessGroup(child.pid);
    if (error instanceof NetcaseError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new NetcaseError('ENGINE', `tshark was not found at ${options.executable}; install Wireshark's tshark or set its path.`, { cause: error });
    }
    throw new NetcaseError('ENGINE', `tshark failed on ${options.inputPath}: ${(error as Error).message}`, { cause: error, details: { stderr } });
  } finally {
    await pipe.remove();
    clearTimeout(timer);
    clearInterval(heartbeat);
    options.signal.removeEventListener('abort', onAbort);
  }
}

function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}
