import type { EntityKind, EventRow } from '../../../../preload/api.js';

/**
 * Reading Zeek records for display: which field values lead to other events (pivots), and a
 * one-line summary per log type. Pure functions, so the table logic is testable without a DOM.
 */

export type ZeekRecord = Record<string, unknown>;

/** The target of a pivot: the events of an entity, or of one connection by its uid. */
export type PivotKind = EntityKind | 'uid';

/** One value in a cell; `pivot` is set when clicking it shows that value's events. */
export interface CellValue {
  text: string;
  pivot?: { kind: PivotKind; value: string };
}

const records = new WeakMap<EventRow, ZeekRecord>();

/** Returns the row's Zeek record, parsed once per row. A record that is not a JSON object reads as empty. */
export function recordOf(row: EventRow): ZeekRecord {
  let record = records.get(row);
  if (record === undefined) {
    try {
      const parsed: unknown = JSON.parse(row.record);
      record = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as ZeekRecord) : {};
    } catch {
      record = {};
    }
    records.set(row, record);
  }
  return record;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-f:]+(%\w+)?$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z][a-z0-9-]{0,62}\.?$/i;
const EMAIL = /<([^<>\s]+@[^<>\s]+)>|^\s*([^<>\s"]+@[^<>\s"]+)\s*$/;

export function isIpAddress(value: string): boolean {
  return IPV4.test(value) || (value.includes(':') && IPV6.test(value));
}

/** Returns the entity a text names: an IP address is a host, a DNS name a domain, an address in angle brackets an email. */
export function entityOf(value: string, hint?: EntityKind): { kind: EntityKind; value: string } | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (isIpAddress(trimmed)) return { kind: 'host', value: trimmed };
  if (hint === 'email' || trimmed.includes('@')) {
    const match = EMAIL.exec(trimmed);
    const address = match?.[1] ?? match?.[2];
    return address ? { kind: 'email', value: address.toLowerCase() } : null;
  }
  if (hint === 'user_agent') return { kind: 'user_agent', value: trimmed };
  if (DOMAIN.test(trimmed) && !/\.(in-addr|ip6)\.arpa\.?$/i.test(trimmed)) return { kind: 'domain', value: trimmed.toLowerCase().replace(/\.$/, '') };
  return null;
}

/** Fields whose values are worth a pivot, by the kind of entity they hold. Other fields pivot only on IP addresses. */
const FIELD_KINDS: Record<string, EntityKind> = {
  query: 'domain',
  answers: 'domain',
  host: 'domain',
  server_name: 'domain',
  mailfrom: 'email',
  rcptto: 'email',
  from: 'email',
  to: 'email',
  cc: 'email',
  reply_to: 'email',
  user_agent: 'user_agent',
};

/** Returns the values of one record field for a cell, each with its pivot when it names an entity or a uid. */
export function fieldValues(field: string, value: unknown): CellValue[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    const text = typeof item === 'string' ? item : JSON.stringify(item);
    if (field === 'uid' || field === 'uids' || field === 'conn_uids') return { text, pivot: { kind: 'uid', value: text } };
    if (typeof item !== 'string') return { text };
    const hint = FIELD_KINDS[field];
    let entity: { kind: EntityKind; value: string } | null = null;
    if (hint !== undefined) entity = entityOf(field === 'host' ? stripPort(text) : text, hint);
    else if (isIpAddress(text)) entity = entityOf(text);
    return entity ? { text, pivot: entity } : { text };
  });
}

function stripPort(hostHeader: string): string {
  const colon = hostHeader.lastIndexOf(':');
  return colon > 0 && hostHeader.indexOf(':') === colon ? hostHeader.slice(0, colon) : hostHeader;
}

const text = (value: unknown): string => (value === undefined || value === null ? '' : Array.isArray(value) ? value.join(', ') : String(value));
const join = (...parts: unknown[]): string => parts.map(text).filter((part) => part !== '').join(' ');

/**
 * Returns a one-line summary of a record as text pieces to be joined without separators: the
 * query of a DNS lookup, the host and URI of an HTTP request, the subject of a mail. The name
 * or address a summary leads with can be clicked to pivot.
 */
export function summarize(log: string, record: ZeekRecord): CellValue[] {
  switch (log) {
    case 'conn':
      return spaced([join(record.service, record.conn_state, bytesText(record.orig_bytes, record.resp_bytes))]);
    case 'dns':
      return spaced([pivotable('query', record.query), join(record.qtype_name, record.rcode_name, record.answers ? `→ ${text(record.answers)}` : '')]);
    case 'http':
      return spaced([text(record.method), [...pivotable('host', record.host), { text: text(record.uri) }], text(record.status_code)]);
    case 'ssl':
      return spaced([pivotable('server_name', record.server_name), join(record.version, record.established === false ? 'not established' : '')]);
    case 'smtp':
      return spaced([
        record.subject === undefined ? '' : `"${text(record.subject)}"`,
        record.mailfrom === undefined ? '' : [{ text: 'from ' }, ...pivotable('mailfrom', record.mailfrom)],
        record.rcptto === undefined ? '' : [{ text: 'to ' }, ...listed(fieldValues('rcptto', record.rcptto))],
      ]);
    case 'files':
      return spaced([join(record.filename, record.mime_type, record.source, record.seen_bytes !== undefined ? `${text(record.seen_bytes)} B` : '')]);
    case 'ftp':
      return spaced([join(record.command, record.arg, record.reply_code)]);
    case 'x509':
      return spaced([join(record['certificate.subject'], record['san.dns'])]);
    case 'notice':
      return spaced([join(record.note, record.msg)]);
    case 'weird':
      return spaced([join(record.name, record.addl)]);
    default:
      return spaced([
        Object.entries(record)
          .filter(([key, value]) => !FIXED_FIELDS.has(key) && (typeof value === 'string' || typeof value === 'number'))
          .slice(0, 4)
          .map(([key, value]) => `${key}=${text(value)}`)
          .join(' '),
      ]);
  }
}

/** Returns the values of one field, or nothing when the record lacks it. */
function pivotable(field: string, value: unknown): CellValue[] {
  return listed(fieldValues(field, value));
}

/** Puts ", " between the values of a list field. */
function listed(values: CellValue[]): CellValue[] {
  return values.flatMap((value, index) => (index === 0 ? [value] : [{ text: ', ' }, value]));
}

/** Joins summary pieces with single spaces, leaving out empty ones. */
function spaced(pieces: (string | CellValue[])[]): CellValue[] {
  const out: CellValue[] = [];
  for (const piece of pieces) {
    let values: CellValue[];
    if (typeof piece === 'string') values = piece === '' ? [] : [{ text: piece }];
    else values = piece.filter((value) => value.text !== '');
    if (values.length === 0) continue;
    if (out.length > 0) out.push({ text: ' ' });
    out.push(...values);
  }
  return out;
}

function bytesText(sent: unknown, received: unknown): string {
  if (sent === undefined && received === undefined) return '';
  return `${text(sent ?? 0)} B → ${text(received ?? 0)} B`;
}

/** Fields every table shows in its fixed columns, left out of the per-log columns. */
export const FIXED_FIELDS = new Set(['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', '_path', '_write_ts']);
