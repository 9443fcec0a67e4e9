import type { Db } from './database.js';

export interface EventQuery {
  log?: string;
  /** Inclusive lower bound, microseconds. */
  from?: number;
  /** Exclusive upper bound, microseconds. */
  to?: number;
  uid?: string;
  limit?: number;
  offset?: number;
}

export interface EventRow {
  id: number;
  log: string;
  ts: number | null;
  uid: string | null;
  orig_h: string | null;
  orig_p: number | null;
  resp_h: string | null;
  resp_p: number | null;
  proto: string | null;
  record: string;
}

/** Events in time order (events without a timestamp last), filtered by log, time and uid. */
export function* iterateEvents(db: Db, query: EventQuery): Generator<EventRow> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.log !== undefined) {
    where.push('log = ?');
    params.push(query.log);
  }
  if (query.from !== undefined) {
    where.push('ts >= ?');
    params.push(query.from);
  }
  if (query.to !== undefined) {
    where.push('ts < ?');
    params.push(query.to);
  }
  if (query.uid !== undefined) {
    where.push('uid = ?');
    params.push(query.uid);
  }
  const sql = `SELECT id, log, ts, uid, orig_h, orig_p, resp_h, resp_p, proto, record FROM events
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ts IS NULL, ts, id
    LIMIT ? OFFSET ?`;
  params.push(query.limit ?? -1, query.offset ?? 0);
  yield* db.prepare(sql).iterate(...params) as IterableIterator<EventRow>;
}

/** Returns the stored record as Zeek JSON with `_path` added, the form `netcase events --json` prints. */
export function recordWithPath(row: Pick<EventRow, 'log' | 'record'>): string {
  const text = row.record.trim();
  if (text.startsWith('{"_path":') || Object.hasOwn(JSON.parse(text) as object, '_path')) return text;
  const body = text.slice(1).trimStart();
  return `{"_path":${JSON.stringify(row.log)}${body.startsWith('}') ? '' : ','}${body}`;
}

export interface LogCount {
  log: string;
  count: number;
}

export function countEventsByLog(db: Db): LogCount[] {
  return db.prepare('SELECT log, COUNT(*) AS count FROM events GROUP BY log ORDER BY log').all() as LogCount[];
}

export function eventTimeRange(db: Db): { first: number | null; last: number | null } {
  return db.prepare('SELECT MIN(ts) AS first, MAX(ts) AS last FROM events').get() as { first: number | null; last: number | null };
}
