import type { EventRow } from '../../../../preload/api.js';
import { formatTime, type TimeZoneMode } from '../../format.js';
import { entityOf, FIXED_FIELDS, fieldValues, recordOf, summarize, type CellValue } from './event-values.js';

/** One column of the events table. */
export interface Column {
  key: string;
  label: string;
  /** Width in ch; a flexible column takes at least this and any room left. */
  width: number;
  flexible?: boolean;
  /** Text between the values of a cell: ", " for list fields, none for a summary made of pieces. */
  separator?: string;
  values(row: EventRow, mode: TimeZoneMode): CellValue[];
}

const timeColumn: Column = { key: 'ts', label: 'Time', width: 26, values: (row, mode) => [{ text: formatTime(row.ts, mode) }] };
const logColumn: Column = { key: 'log', label: 'Log', width: 8, values: (row) => [{ text: row.log }] };
const uidColumn: Column = { key: 'uid', label: 'UID', width: 22, values: (row) => (row.uid ? [{ text: row.uid, pivot: { kind: 'uid', value: row.uid } }] : []) };
const origColumn: Column = { key: 'orig', label: 'Originator', width: 24, values: (row) => endpoint(row.orig_h, row.orig_p) };
const respColumn: Column = { key: 'resp', label: 'Responder', width: 24, values: (row) => endpoint(row.resp_h, row.resp_p) };
const protoColumn: Column = { key: 'proto', label: 'Proto', width: 8, values: (row) => (row.proto ? [{ text: row.proto }] : []) };
const summaryColumn: Column = { key: 'summary', label: 'Summary', width: 48, flexible: true, separator: '', values: (row) => summarize(row.log, recordOf(row)) };

/**
 * The columns when no log filter is set: the same for every log type, with a summary drawn
 * from the record. The summary comes third, so it stays in view when the pane is narrow.
 */
export const ALL_LOG_COLUMNS: Column[] = [timeColumn, logColumn, summaryColumn, origColumn, respColumn, protoColumn, uidColumn];

/** Returns the columns for one log type: time, uid and endpoints, then the record's own fields in the order they first appear. */
export function logColumns(fields: string[]): Column[] {
  return [timeColumn, uidColumn, origColumn, respColumn, ...fields.map(fieldColumn)];
}

/** Returns the CSS grid tracks and the least row width, so every row and the header line up. */
export function gridLayout(columns: readonly Column[]): { tracks: string; width: string } {
  const tracks = columns.map((column) => (column.flexible ? `minmax(${column.width}ch, 1fr)` : `${column.width}ch`)).join(' ');
  const total = columns.reduce((sum, column) => sum + column.width, 0);
  return { tracks, width: `max(100%, ${total}ch)` };
}

function fieldColumn(field: string): Column {
  return { key: `field:${field}`, label: field, width: Math.min(40, Math.max(10, field.length + 3)), values: (row) => fieldValues(field, recordOf(row)[field]) };
}

/** Returns `known` followed by the fields of `rows` not yet in it, so columns keep their place as pages load. */
export function collectFields(known: readonly string[], rows: readonly EventRow[]): string[] {
  const fields = [...known];
  const seen = new Set(known);
  for (const row of rows) {
    for (const field of Object.keys(recordOf(row))) {
      if (FIXED_FIELDS.has(field) || seen.has(field)) continue;
      seen.add(field);
      fields.push(field);
    }
  }
  return fields;
}

function endpoint(address: string | null, port: number | null): CellValue[] {
  if (!address) return [];
  let label = `${address}:${port}`;
  if (port === null) label = address;
  else if (address.includes(':')) label = `[${address}]:${port}`;
  const entity = entityOf(address);
  return [entity ? { text: label, pivot: entity } : { text: label }];
}
