import { commonColumns, tsToMicros, type LineResult } from './parsed-record.js';

/**
 * Deepest nesting of objects and arrays a record may have. Zeek's records are flat objects whose
 * values are at most arrays of scalars, and much deeper values would overflow the stack of
 * JSON.stringify when events are printed or exported.
 */
export const MAX_NESTING_DEPTH = 32;

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

    const depth = nestingDepth(trimmed);
    if (depth > MAX_NESTING_DEPTH) {
      return { line, reason: `JSON nested ${depth} levels deep, more than the ${MAX_NESTING_DEPTH} allowed; Zeek writes flat records with arrays for sets and vectors` };
    }

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
    return { line, log, ts, ...commonColumns(record), record: trimmed, fields: record };
  }
}

/** Returns the deepest nesting of objects and arrays in JSON text, skipping brackets inside strings. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return deepest;
}
