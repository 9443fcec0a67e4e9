import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { basename, dirname, join, relative } from 'node:path';

/** Marker the Zeek test suite writes over timestamps in its baselines. */
const MASKED_TS = 'XXXXXXXXXX.XXXXXX';

/**
 * Copies a Zeek btest baseline into `targetDir` as a real log would look: the btest banner
 * line is dropped and each masked timestamp gets a distinct epoch value (one second apart
 * from 2020-09-13T12:26:40Z), so the copy imports completely.
 */
export function copyBaselineAsLog(source: string, target: string): void {
  const lines = readFileSync(source, 'utf8').split('\n');
  let counter = 0;
  const kept = lines
    .filter((line) => !line.startsWith('### BTest'))
    .map((line) => (line.includes(MASKED_TS) ? line.replace(MASKED_TS, `${1600000000 + counter++}.000000`) : line));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, kept.join('\n'));
}

/** Lists every file below `dir`, recursively. */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...listFiles(path));
    else files.push(path);
  }
  return files.sort();
}

export interface IndependentRecord {
  uid?: string;
  ts?: string;
  orig_h?: string;
  resp_p?: string;
}

export interface IndependentView {
  format: 'tsv' | 'json' | 'cut';
  count: number;
  first?: IndependentRecord;
  last?: IndependentRecord;
}

/**
 * Reads a Zeek log the simplest possible way, independently of the importer, to check the
 * importer against: counts data lines and picks a few raw values of the first and last one.
 */
export function readIndependently(path: string): IndependentView {
  const raw = readFileSync(path);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.split('\n').filter((line) => line.trim() !== '');

  if (lines[0]?.startsWith('{')) {
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const pick = (record: Record<string, unknown> | undefined): IndependentRecord | undefined =>
      record && {
        uid: record.uid as string | undefined,
        ts: record.ts === undefined ? undefined : String(record.ts),
        orig_h: record['id.orig_h'] as string | undefined,
        resp_p: record['id.resp_p'] === undefined ? undefined : String(record['id.resp_p']),
      };
    return { format: 'json', count: records.length, first: pick(records[0]), last: pick(records[records.length - 1]) };
  }

  const isTsv = lines[0]?.startsWith('#separator');
  const fieldsLine = isTsv ? lines.find((line) => line.startsWith('#fields\t'))?.slice('#fields\t'.length) : lines[0];
  const fields = (fieldsLine ?? '').split('\t');
  const data = lines.filter((line) => !line.startsWith('#')).slice(isTsv ? 0 : 1);
  const pick = (line: string | undefined): IndependentRecord | undefined => {
    if (line === undefined) return undefined;
    const values = line.split('\t');
    const value = (name: string): string | undefined => {
      const index = fields.indexOf(name);
      return index < 0 || values[index] === '-' ? undefined : values[index];
    };
    return { uid: value('uid'), ts: value('ts'), orig_h: value('id.orig_h'), resp_p: value('id.resp_p') };
  };
  return { format: isTsv ? 'tsv' : 'cut', count: data.length, first: pick(data[0]), last: pick(data[data.length - 1]) };
}

export function relativeName(root: string, path: string): string {
  return relative(root, path).replaceAll('/', '__') || basename(path);
}
