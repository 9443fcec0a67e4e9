import type { Db } from './database.js';

/**
 * The secondary indexes of the events table, exactly as the schema (migration 001) creates them.
 * A bulk import drops them and creates them again after its inserts, because SQLite builds an
 * index from sorted rows several times faster than it inserts rows one by one into it.
 */
export const EVENT_INDEXES: ReadonlyArray<{ name: string; sql: string }> = [
  { name: 'events_ts', sql: 'CREATE INDEX events_ts ON events(ts)' },
  { name: 'events_log_ts', sql: 'CREATE INDEX events_log_ts ON events(log, ts)' },
  { name: 'events_uid', sql: 'CREATE INDEX events_uid ON events(uid) WHERE uid IS NOT NULL' },
  { name: 'events_orig_h', sql: 'CREATE INDEX events_orig_h ON events(orig_h, ts) WHERE orig_h IS NOT NULL' },
  { name: 'events_resp_h', sql: 'CREATE INDEX events_resp_h ON events(resp_h, ts) WHERE resp_h IS NOT NULL' },
];

/**
 * Rows an import is estimated to add per byte of its file, for choosing between inserting into
 * the indexes and rebuilding them. Zeek JSON and TSV lines run from about 150 to 500 bytes; a
 * gzipped file is underestimated, which only means it takes the row-by-row path.
 */
const BYTES_PER_EVENT_ESTIMATE = 250;

/**
 * Returns whether an import of `fileBytes` into a table whose highest event id is `storedEvents`
 * should drop the event indexes and build them again afterwards. Building costs about a quarter
 * of inserting per row (measured on the generated ingest benchmark set), so it pays once the
 * file adds more than a third of the rows already stored.
 */
export function shouldRebuildEventIndexes(storedEvents: number, fileBytes: number): boolean {
  return fileBytes / BYTES_PER_EVENT_ESTIMATE > storedEvents / 3;
}

/** Drops the event indexes. Call only inside a transaction that runs `createEventIndexes` before it commits. */
export function dropEventIndexes(db: Db): void {
  for (const { name } of EVENT_INDEXES) db.exec(`DROP INDEX IF EXISTS ${name}`);
}

export function createEventIndexes(db: Db): void {
  for (const { sql } of EVENT_INDEXES) db.exec(sql);
}
