import { NetcaseError } from '../errors.js';
import type { Db } from '../store/database.js';
import type { EventRow } from '../store/events.js';
import { ENTITY_KINDS, type EntityKind } from './extract.js';
import { buildTimeline } from './timeline.js';
import { checkWindow, type TimeWindow } from './window.js';

export interface EventSearch extends TimeWindow {
  log?: string;
  /** Events that mention this entity (for hosts: as originator, responder or elsewhere, such as a DNS answer). */
  entity?: { kind: EntityKind; value: string };
  /** Words to find anywhere in the record; `word*` matches a prefix. All words must match. */
  text?: string;
  /** All events of one connection or session. */
  uid?: string;
  limit?: number;
  offset?: number;
}

export interface EventPage {
  events: EventRow[];
  /** Whether more events match after this page. */
  hasMore: boolean;
}

export const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 10_000;

/** Returns one page of matching events in time order, with events that have no timestamp last. */
export function searchEvents(db: Db, search: EventSearch): EventPage {
  checkWindow(search);
  const limit = search.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new NetcaseError('INVALID_ARGUMENT', `The page size ${limit} is out of range. Give a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  const { where, params } = buildFilter(db, search);
  if (where === null) return { events: [], hasMore: false };
  const offset = search.offset ?? 0;

  // Timed and untimed events are read apart, so "ORDER BY ts, id" can walk the ts index
  // instead of sorting every match. A window already excludes events without a timestamp.
  const select = (condition: string, order: string, rowLimit: number, rowOffset: number): EventRow[] =>
    db
      .prepare(`SELECT id, log, ts, uid, orig_h, orig_p, resp_h, resp_p, proto, record FROM events WHERE ${[...where, condition].join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...params, rowLimit, rowOffset) as EventRow[];
  const rows = select('ts IS NOT NULL', 'ts, id', limit + 1, offset);
  const windowed = search.from !== undefined || search.to !== undefined;
  if (rows.length <= limit && !windowed) {
    const timedCount = rows.length > 0 ? offset + rows.length : (db.prepare(`SELECT COUNT(*) FROM events WHERE ${[...where, 'ts IS NOT NULL'].join(' AND ')}`).pluck().get(...params) as number);
    rows.push(...select('ts IS NULL', 'id', limit + 1 - rows.length, Math.max(0, offset - timedCount)));
  }
  return { events: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** Counts the events matching the search, ignoring limit and offset. */
export function countEvents(db: Db, search: EventSearch): number {
  checkWindow(search);
  if (search.entity === undefined && search.text === undefined && search.uid === undefined) return countByTime(db, search);
  const { where, params } = buildFilter(db, search);
  if (where === null) return 0;
  return db.prepare(`SELECT COUNT(*) FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).pluck().get(...params) as number;
}

/**
 * Counts events by window and log type from the per-second, minute and hour counts, which the
 * timeline keeps exact. Events without a timestamp match only when the window is open at both ends.
 */
function countByTime(db: Db, search: EventSearch): number {
  const timeline = buildTimeline(db, { from: search.from, to: search.to, buckets: 1 });
  const timed = search.log === undefined ? timeline.total : timeline.buckets.reduce((sum, bucket) => sum + (bucket.counts[search.log!] ?? 0), 0);
  if (search.from !== undefined || search.to !== undefined) return timed;
  const untimed = search.log === undefined
    ? db.prepare('SELECT COUNT(*) FROM events WHERE ts IS NULL')
    : db.prepare('SELECT COUNT(*) FROM events WHERE ts IS NULL AND log = ?');
  return timed + ((search.log === undefined ? untimed.pluck().get() : untimed.pluck().get(search.log)) as number);
}

/**
 * Turns free text into an FTS5 query: each whitespace-separated word becomes a quoted phrase
 * (so dots, dashes and quotes in it are literal), and a trailing `*` keeps its prefix meaning.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.split(/\s+/).filter((word) => word !== '' && word !== '*');
  if (words.length === 0) return null;
  return words
    .map((word) => {
      const prefix = word.endsWith('*');
      const body = prefix ? word.slice(0, -1) : word;
      return `"${body.replaceAll('"', '""')}"${prefix ? '*' : ''}`;
    })
    .join(' ');
}

/** Returns null for `where` when the search can match nothing (an unknown entity). */
function buildFilter(db: Db, search: EventSearch): { where: string[] | null; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (search.from !== undefined) {
    where.push('ts >= ?');
    params.push(search.from);
  }
  if (search.to !== undefined) {
    where.push('ts < ?');
    params.push(search.to);
  }
  if (search.log !== undefined) {
    where.push('log = ?');
    params.push(search.log);
  }
  if (search.uid !== undefined) {
    where.push('uid = ?');
    params.push(search.uid);
  }
  if (search.entity) {
    const { kind, value } = search.entity;
    if (!ENTITY_KINDS.includes(kind)) throw new NetcaseError('INVALID_ARGUMENT', `Unknown entity kind "${kind}". Use one of ${ENTITY_KINDS.join(', ')}.`);
    if (kind === 'host') {
      // Events name a host in their address columns, and entity_events adds the other mentions,
      // such as DNS answers.
      const entityId = db.prepare(`SELECT id FROM entities WHERE kind = 'host' AND value = ?`).pluck().get(value.toLowerCase());
      if (entityId === undefined) {
        where.push('(orig_h = ? OR resp_h = ?)');
        params.push(value, value);
      } else {
        where.push('(orig_h = ? OR resp_h = ? OR id IN (SELECT event_id FROM entity_events WHERE entity_id = ?))');
        params.push(value, value, entityId);
      }
    } else {
      const entityId = db.prepare('SELECT id FROM entities WHERE kind = ? AND value = ?').pluck().get(kind, value.toLowerCase()) ??
        db.prepare('SELECT id FROM entities WHERE kind = ? AND value = ?').pluck().get(kind, value);
      if (entityId === undefined) return { where: null, params };
      where.push('id IN (SELECT event_id FROM entity_events WHERE entity_id = ?)');
      params.push(entityId);
    }
  }
  if (search.text !== undefined) {
    const query = toFtsQuery(search.text);
    if (query !== null) {
      where.push('id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)');
      params.push(query);
    }
  }
  return { where, params };
}
