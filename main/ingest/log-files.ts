import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { NetcaseError } from '../errors.js';

/** File names that hold Zeek logs: .log, .json, .ndjson, zeek-cut .cut, any of them gzipped. */
const LOG_NAME = /\.(log|json|ndjson|jsonl|tsv|cut)(\.[a-z]+)?(\.gz)?$/i;

export interface LogFileList {
  files: string[];
  /** Files inside given folders that were passed over because of their names. */
  passedOver: string[];
}

/**
 * Expands files and folders (recursively) into the log files to import, in a stable order.
 * A file named explicitly is always taken; inside folders only log-like names are, so a
 * README next to the logs is not mistaken for one.
 */
export function findLogFiles(inputs: string[]): LogFileList {
  const result: LogFileList = { files: [], passedOver: [] };
  for (const input of inputs) {
    const path = resolve(input);
    let info;
    try {
      info = statSync(path);
    } catch {
      throw new NetcaseError('NOT_FOUND', `Log path ${input} not found. Check the path.`);
    }
    if (info.isDirectory()) walk(path, result);
    else result.files.push(path);
  }
  return result;
}

function walk(dir: string, result: LogFileList): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, result);
    else if (entry.isFile() && LOG_NAME.test(entry.name)) result.files.push(path);
    else result.passedOver.push(path);
  }
}

/**
 * Returns the log type a file name implies: `conn.log` → conn, `dns.json.gz` → dns,
 * `conn.00:00:00-01:00:00.log.gz` → conn (zeekctl's rotated names). `#path` and `_path`
 * inside the file take precedence.
 */
export function logTypeFromName(path: string): string {
  const name = basename(path);
  const stem = name.split('.')[0] ?? name;
  return stem === '' ? 'unknown' : stem;
}
