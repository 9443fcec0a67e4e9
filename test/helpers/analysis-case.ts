import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createCase, openCase, type OpenCase } from '../../main/case/case-folder.js';
import { importLogs } from '../../main/ingest/importer.js';
import { tempDir } from './temp.js';

/** Text the Zeek test suite writes in place of each record's first timestamp. */
const MASKED_TS = 'XXXXXXXXXX.XXXXXX';

/**
 * Writes a Zeek btest baseline as a log that imports: the banner line is dropped and the
 * masked timestamps become `startSeconds`, `startSeconds + stepSeconds`, ... in file order.
 */
export function unmaskBaseline(source: string, targetDir: string, startSeconds: number, stepSeconds = 1): string {
  let index = 0;
  const lines = readFileSync(source, 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('### BTest'))
    .map((line) => (line.includes(MASKED_TS) ? line.replace(MASKED_TS, (startSeconds + stepSeconds * index++).toFixed(6)) : line));
  mkdirSync(targetDir, { recursive: true });
  const target = join(targetDir, basename(source));
  writeFileSync(target, lines.join('\n'));
  return target;
}

/** Creates a case in a temporary folder, imports the log files in-thread and returns it open for writing. */
export async function caseWithLogs(paths: string[]): Promise<OpenCase> {
  const dir = join(tempDir('netcase-analysis-'), 'case');
  createCase(dir, { name: 'analysis test', analyst: 'Test Analyst', tool: 'test' });
  const opened = openCase(dir, { write: true, tool: 'test' });
  if (paths.length > 0) await importLogs(opened.db, paths, { actor: 'Test Analyst' });
  return opened;
}
