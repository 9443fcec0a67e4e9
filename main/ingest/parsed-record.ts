import { epochSecondsToMicros, epochTextToMicros, isoToMicros } from '../time.js';

/** One Zeek record ready for the events table. */
export interface ParsedRecord {
  line: number;
  log: string;
  ts: number | null;
  uid: string | null;
  orig_h: string | null;
  orig_p: number | null;
  resp_h: string | null;
  resp_p: number | null;
  proto: string | null;
  /** The whole record as Zeek JSON text (flat dotted keys, unset fields omitted). */
  record: string;
  /** The same record parsed, so the analysis indexer need not parse the text again. */
  fields: Record<string, unknown>;
}

/** A line that was skipped, with the reason, for the import report. */
export interface LineProblem {
  line: number;
  reason: string;
}

export type LineResult = ParsedRecord | LineProblem | null;

export function isProblem(result: LineResult): result is LineProblem {
  return result !== null && 'reason' in result;
}

/** Reads Zeek's `ts` as epoch number, epoch text or ISO 8601 text into microseconds. */
export function tsToMicros(value: unknown): number | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? epochSecondsToMicros(value) : undefined;
  if (typeof value === 'string') return epochTextToMicros(value) ?? isoToMicros(value) ?? undefined;
  return undefined;
}

/** Copies the connection columns out of a record with flat (`id.orig_h`) or nested (`id.orig_h` under `id`) keys. */
export function commonColumns(record: Record<string, unknown>): Pick<ParsedRecord, 'uid' | 'orig_h' | 'orig_p' | 'resp_h' | 'resp_p' | 'proto'> {
  const nested = typeof record.id === 'object' && record.id !== null ? (record.id as Record<string, unknown>) : undefined;
  const pick = (key: string): unknown => record[`id.${key}`] ?? nested?.[key];
  return {
    uid: asString(record.uid),
    orig_h: asString(pick('orig_h')),
    orig_p: asNumber(pick('orig_p')),
    resp_h: asString(pick('resp_h')),
    resp_p: asNumber(pick('resp_p')),
    proto: asString(record.proto),
  };
}

function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function asNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
