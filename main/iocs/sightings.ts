import type { Db } from '../store/database.js';
import { normalizeUrl, type Indicator } from './ioc-values.js';

/** Summary of the events that contain an indicator. Times are microseconds since the epoch. */
export interface Sighting {
  events: number;
  firstSeen: number | null;
  lastSeen: number | null;
  /** Event counts per Zeek log, e.g. { dns: 4, http: 2 }. */
  logs: Record<string, number>;
  /** Addresses on either side of the matching events, the indicator itself left out. */
  hosts: string[];
}

export interface SightingWithEvents extends Sighting {
  eventIds: number[];
}

interface CandidateRow {
  id: number;
  log: string;
  ts: number | null;
  orig_h: string | null;
  resp_h: string | null;
  record: string;
}

/** Hosts listed per indicator; the rest are counted in `events` but not named. */
const MAX_HOSTS = 50;

/**
 * Finds the events whose record contains the indicator in any field: a DNS query or answer, an
 * HTTP host or user agent, a TLS server name, a file hash, a connection address. The full-text
 * index narrows the rows and each candidate record is then parsed and compared field by field,
 * so a value inside a longer string does not count. E-mail addresses are the exception, because
 * Zeek writes them inside header text such as `"Name" <a@b>`.
 */
export function findSightings(db: Db, indicator: Indicator): SightingWithEvents {
  const matches = fieldMatcher(indicator);
  const candidates = candidateQuery(indicator);
  const rows = db
    .prepare(`SELECT id, log, ts, orig_h, resp_h, record FROM events WHERE ${candidates.sql} ORDER BY ts IS NULL, ts, id`)
    .iterate(...candidates.params) as IterableIterator<CandidateRow>;

  const result: SightingWithEvents = { events: 0, firstSeen: null, lastSeen: null, logs: {}, hosts: [], eventIds: [] };
  const hosts = new Set<string>();
  for (const row of rows) {
    if (!recordMatches(row.record, matches)) continue;
    result.events++;
    result.eventIds.push(row.id);
    result.logs[row.log] = (result.logs[row.log] ?? 0) + 1;
    if (row.ts !== null) {
      result.firstSeen = result.firstSeen === null ? row.ts : Math.min(result.firstSeen, row.ts);
      result.lastSeen = result.lastSeen === null ? row.ts : Math.max(result.lastSeen, row.ts);
    }
    for (const host of [row.orig_h, row.resp_h]) {
      if (host && host !== indicator.value) hosts.add(host);
    }
  }
  result.hosts = [...hosts].sort().slice(0, MAX_HOSTS);
  return result;
}

/** Drops the event ids, for listings. */
export function summarizeSighting(sighting: SightingWithEvents): Sighting {
  const { eventIds: _eventIds, ...summary } = sighting;
  return summary;
}

type Matcher = (fieldValue: string, record: Record<string, unknown>) => boolean;

function fieldMatcher(indicator: Indicator): Matcher {
  const value = indicator.value;
  switch (indicator.type) {
    case 'domain':
      // HTTP Host headers may carry a port ("example.com:8080").
      return (field) => field.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '') === value;
    case 'email': {
      const address = new RegExp(`(^|[^\\w.%+-])${escapeRegExp(value)}($|[^\\w.-])`, 'i');
      return (field) => address.test(field);
    }
    case 'url':
      return (_field, record) => urlOfHttpRecord(record) === value;
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'ja3':
      return (field) => field.toLowerCase() === value;
    case 'ipv4':
    case 'ipv6':
    case 'user-agent':
      return (field) => field === value;
  }
}

/**
 * SQL that keeps only rows that could match: a cheap pre-filter, never the final decision. It is
 * a phrase query on the events' full-text index, whose default tokenizer (unicode61) splits on
 * everything but letters and digits and ignores case, so the value's words in order find it.
 */
function candidateQuery(indicator: Indicator): { sql: string; params: string[] } {
  // Only the host narrows URL rows, because Zeek logs the path as sent, which may differ in
  // percent-encoding from the canonical form.
  const text = indicator.type === 'url' ? new URL(indicator.value).hostname : indicator.value;
  const words = text.split(/[^\p{L}\p{N}\p{Co}]+/u).filter((word) => word !== '');
  if (words.length === 0) {
    return { sql: `record LIKE ? ESCAPE '\\'`, params: [`%${escapeLike(JSON.stringify(text).slice(1, -1))}%`] };
  }
  const phrase = words.map((word) => `"${word.replace(/"/g, '""')}"`).join(' + ');
  return { sql: 'id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)', params: [phrase] };
}

function recordMatches(text: string, matches: Matcher): boolean {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return false;
  }
  for (const field of Object.values(record)) {
    const values = Array.isArray(field) ? field : [field];
    for (const value of values) {
      if (typeof value === 'string' && matches(value, record)) return true;
    }
  }
  return false;
}

/** Rebuilds the request URL of an http.log record in canonical form (undefined for other records). */
function urlOfHttpRecord(record: Record<string, unknown>): string | undefined {
  const uri = record.uri;
  if (typeof uri !== 'string') return undefined;
  try {
    // A proxy request carries the absolute URL in the request line.
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return normalizeUrl(uri);
    const host = record.host;
    if (typeof host !== 'string' || host === '') return undefined;
    // The Host header omits the port when the client used the default, so the connection's
    // responder port fills it in.
    const port = record['id.resp_p'];
    const hasPort = /:\d+$/.test(host) && !host.endsWith(']');
    const authority = !hasPort && typeof port === 'number' && port !== 80 ? `${host}:${port}` : host;
    return normalizeUrl(`http://${authority}${uri.startsWith('/') ? '' : '/'}${uri}`);
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
