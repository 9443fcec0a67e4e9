import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Engine, EngineRunOptions, EngineRunResult } from './engine.js';
import { NetcaseError } from '../errors.js';
import { fieldArguments, PacketRow } from './tshark/fields.js';
import { CAPTURE_PIPE_ARGUMENT, DEFAULT_CAPTURE_INPUT, runTsharkProcess, type CaptureInput } from './tshark/process.js';
import { PacketConverter } from './tshark/converter.js';
import { CaptureOffsetEstimator } from './tshark/capture-offset.js';

const execFileAsync = promisify(execFile);

export interface TsharkEngineOptions {
  /** Path or command name of tshark; `tshark` on PATH when omitted. */
  executable?: string;
  /**
   * Capture input: `file` (the default) lets tshark open the path and estimates progress from
   * packet sizes, and `fifo` copies the file through a named pipe and counts the bytes copied.
   */
  captureInput?: CaptureInput;
}

/**
 * Creates the tshark engine. It runs one tshark pass over the capture and converts the packet
 * fields into Zeek-format conn, dns, http, ssl, smtp, ftp and files records written as Zeek JSON
 * logs.
 */
export function createTsharkEngine(options: TsharkEngineOptions = {}): Engine {
  const executable = options.executable ?? 'tshark';
  const input = options.captureInput ?? DEFAULT_CAPTURE_INPUT;
  return {
    name: 'tshark',
    executable,
    version: () => tsharkVersion(executable),
    run: (runOptions) => runTshark(executable, input, runOptions),
  };
}

async function tsharkVersion(executable: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(executable, ['--version'], { timeout: 30_000 });
    const match = /TShark \(Wireshark\) (\S+)/.exec(stdout);
    return match?.[1] ? `tshark ${match[1].replace(/\.$/, '')}` : (stdout.split('\n')[0] ?? '').trim();
  } catch (error) {
    throw new NetcaseError('ENGINE', `Could not run ${executable} --version: ${(error as Error).message}. Install Wireshark's tshark or set its path.`, { cause: error });
  }
}

async function runTshark(executable: string, input: CaptureInput, options: EngineRunOptions): Promise<EngineRunResult> {
  const fileBytes = checkCaptureFile(options.capturePath);
  const args = tsharkArguments(options);
  const converter = new PacketConverter(options.allowBadChecksums);
  const offset = input === 'file' ? await CaptureOffsetEstimator.forFile(options.capturePath, fileBytes) : null;
  let unreadLines = 0;

  const { commandLine, exitCode, stderr } = await runTsharkProcess({
    executable,
    args,
    inputPath: options.capturePath,
    input,
    bytesRead: offset ? () => offset.bytesRead() : undefined,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    onProgress: options.onProgress,
    onLine: (line) => {
      const row = PacketRow.parse(line);
      if (row) {
        converter.addPacket(row);
        offset?.notePacket(row.firstNumber('frame.cap_len') ?? 0);
      } else {
        unreadLines += 1;
      }
    },
  });

  const warnings = [...warningsFromStderr(stderr), ...converter.warnings()];
  if (unreadLines > 0) warnings.push(`${unreadLines} lines of tshark output could not be read and were left out.`);
  if (exitCode !== 0) {
    if (converter.packetCount === 0) throw rejection(options.capturePath, exitCode, stderr);
    warnings.push(`tshark exited with code ${exitCode} after ${converter.packetCount} packets; the logs cover those packets only.`);
  }
  if (converter.badChecksumPackets > 0) {
    warnings.push(`${converter.badChecksumPackets} packets have wrong checksums and were left out of the application logs; allow bad checksums for captures from NICs that offload checksumming.`);
  }
  if (converter.packetCount === 0) warnings.push(`${options.capturePath} contains no packets; the logs are empty.`);

  const logFiles = await converter.writeLogs(options.outputDir);
  return { commandLine, exitCode, stderr, warnings, logFiles, partial: exitCode !== 0 };
}

/**
 * tshark arguments: the capture (placeholder for the pipe or file path), no name resolution (no DNS lookups from an
 * air-gapped laptop), and checksums never verified when bad ones are allowed.
 */
function tsharkArguments(options: EngineRunOptions): string[] {
  const args = ['-r', CAPTURE_PIPE_ARGUMENT, '-n'];
  if (!options.allowBadChecksums) {
    args.push('-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE');
  }
  args.push(...fieldArguments());
  return args;
}

/**
 * Rejects what cannot be a capture before tshark starts: a missing path, a folder, an empty file.
 * Returns the file's size in bytes.
 */
function checkCaptureFile(capturePath: string): number {
  let stats;
  try {
    stats = statSync(capturePath);
  } catch (error) {
    throw new NetcaseError('NOT_FOUND', `The capture ${capturePath} was not found: ${(error as Error).message}. Check the path.`, { cause: error });
  }
  if (!stats.isFile()) throw new NetcaseError('UNSUPPORTED_FILE', `${capturePath} is not a file; choose a pcap or pcapng capture.`);
  if (stats.size === 0) throw new NetcaseError('UNSUPPORTED_FILE', `${capturePath} is empty (0 bytes), so it is not a capture; choose a pcap or pcapng file.`);
  return stats.size;
}

function warningsFromStderr(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => line.trim().replace(/^tshark: /, ''))
    .filter((line) => line !== '' && !line.startsWith('Running as user'));
}

function rejection(capturePath: string, exitCode: number, stderr: string): NetcaseError {
  const reason = warningsFromStderr(stderr).join(' ') || `tshark exited with code ${exitCode}`;
  const unsupported = /isn't a capture file|unknown file format|not a capture|unsupported|cut short|damaged|corrupt/i.test(reason);
  return new NetcaseError(
    unsupported ? 'UNSUPPORTED_FILE' : 'ENGINE',
    `tshark could not read ${capturePath}: ${reason}`,
    { details: { exitCode, stderr } },
  );
}
