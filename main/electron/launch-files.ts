import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';

/** Extensions of files the operating system may open with Netcase. */
export const CAPTURE_EXTENSIONS: ReadonlySet<string> = new Set(['.pcap', '.pcapng', '.cap']);

/**
 * Returns the existing capture files named in a launch's arguments, resolved against that
 * launch's working folder. The first argument (the program) and switches are skipped.
 */
export function capturesInArguments(argv: readonly string[], workingDirectory: string): string[] {
  return argv
    .slice(1)
    .filter((arg) => !arg.startsWith('-') && CAPTURE_EXTENSIONS.has(extname(arg).toLowerCase()))
    .map((arg) => resolve(workingDirectory, arg))
    .filter((path) => existsSync(path) && statSync(path).isFile());
}
