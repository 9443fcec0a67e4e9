import { commonColumns, tsToMicros, type LineResult } from './parsed-record.js';

/**
 * Parses Zeek JSON logs (`LogAscii::use_json=T`) and JSON-streaming logs (with `_path` and
 * `_write_ts`): one object per line, `ts` as epoch seconds or ISO 8601. The line is stored as
 * written, so the record is kept byte for byte.
 */
export class ZeekJsonParser {
  constructor(private readonly defaultLog: string) {}

  parseLine(text: string, line: number): LineResult {
    const trimmed = text.trim();
    if (trimmed === '') return null;

    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      return { line, reason: `not valid JSON (${(error as Error).message})` };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { line, reason: 'not a JSON object; Zeek JSON logs hold one object per line' };
    }

    const record = value as Record<string, unknown>;
    const ts = tsToMicros(record.ts);
    if (ts === undefined) return { line, reason: `ts ${JSON.stringify(record.ts).slice(0, 40)} is not a time (epoch seconds or ISO 8601)` };
    const log = typeof record._path === 'string' && record._path !== '' ? record._path : this.defaultLog;
    return { line, log, ts, ...commonColumns(record), record: trimmed };
  }
}
