import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { logTypeFromName } from '../../main/ingest/log-files.js';
import { isProblem, type LineResult } from '../../main/ingest/parsed-record.js';
import { ZeekJsonParser } from '../../main/ingest/zeek-json-parser.js';
import { ZeekCutParser, ZeekTsvParser } from '../../main/ingest/zeek-tsv-parser.js';

export type ZeekRecordValue = string | number | boolean | Array<string | number> | null;
export type LoggedRecord = Record<string, ZeekRecordValue | undefined>;

/**
 * Reads a Zeek log (TSV with header, zeek-cut output or JSON) with the project's own parsers and
 * returns each record as an object with Zeek's flat dotted keys.
 */
export function readZeekLog(path: string): LoggedRecord[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const firstData = lines.find((line) => line.trim() !== '') ?? '';
  const log = logTypeFromName(path);
  const parser = firstData.startsWith('{')
    ? new ZeekJsonParser(log)
    : firstData.startsWith('#')
      ? new ZeekTsvParser(basename(path), log)
      : new ZeekCutParser(basename(path), log);

  const records: LoggedRecord[] = [];
  lines.forEach((line, index) => {
    const result: LineResult = parser.parseLine(line, index + 1);
    if (result === null) return;
    if (isProblem(result)) throw new Error(`${path}:${result.line}: ${result.reason}`);
    records.push(JSON.parse(result.record) as LoggedRecord);
  });
  return records;
}

/** The fields of each log that the tshark engine is compared on, joined into one text key. */
export const OBSERVABLE_FIELDS: Record<string, string[]> = {
  conn: ['id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto'],
  dns: ['query', 'qtype_name', 'rcode_name', 'answers'],
  http: ['method', 'host', 'uri', 'status_code'],
  ssl: ['server_name'],
  smtp: ['mailfrom', 'rcptto', 'subject'],
  ftp: ['command', 'arg'],
};

/**
 * Returns whether a baseline can be compared: a log type with observables, and for conn.log
 * the connection tuple, which zeek-cut output may have left out.
 */
export function hasObservableFields(log: string, records: LoggedRecord[]): boolean {
  if (!OBSERVABLE_FIELDS[log] || records.length === 0) return false;
  return log !== 'conn' || records.every((record) => 'id.orig_h' in record);
}

/** Joins one record's observables into text such as "GET example.com / 200", with "-" for unset fields. */
export function observableKey(log: string, record: LoggedRecord): string {
  return (OBSERVABLE_FIELDS[log] ?? [])
    .map((field) => {
      const value = record[field];
      if (value === undefined || value === null) return '-';
      if (Array.isArray(value)) return `[${(field === 'rcptto' ? [...value].sort() : value).join(',')}]`;
      return String(value);
    })
    .join(' ');
}

/** Keys in `expected` missing from `actual`, and keys in `actual` absent from `expected`, as multisets. */
export function compareKeys(expected: string[], actual: string[]): { missing: string[]; extra: string[] } {
  const remaining = new Map<string, number>();
  for (const key of actual) remaining.set(key, (remaining.get(key) ?? 0) + 1);
  const missing: string[] = [];
  for (const key of expected) {
    const count = remaining.get(key) ?? 0;
    if (count > 0) remaining.set(key, count - 1);
    else missing.push(key);
  }
  const extra = [...remaining.entries()].flatMap(([key, count]) => Array<string>(count).fill(key));
  return { missing: missing.sort(), extra: extra.sort() };
}
