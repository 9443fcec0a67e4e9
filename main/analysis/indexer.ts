import type { Db } from '../store/database.js';
import { extractFromRecord, type EntityRef, type RelationKind } from './extract.js';

/** Bucket widths in seconds kept for relations and event counts (seconds come from event_seconds). */
export const BUCKET_WIDTHS = [1, 60, 3600] as const;

/** Logs whose records are parsed for entities; in all other logs only the hosts are read. */
const PARSED_LOGS = new Set(['conn', 'dns', 'http', 'ssl', 'x509', 'smtp', 'files', 'ftp']);

interface EntityTotals {
  kind: string;
  value: string;
  count: number;
  first: number | null;
  last: number | null;
  /** Events that mention the entity; not kept for hosts, which events index by column. */
  eventIds: number[];
}

interface BucketTotals {
  count: number;
  bytes: number;
}

interface RelationTotals {
  kind: RelationKind;
  sourceKey: string;
  targetKey: string;
  detail: string;
  count: number;
  bytes: number;
  first: number | null;
  last: number | null;
  /** Per width, bucket number to totals. */
  buckets: Map<number, Map<number, BucketTotals>>;
}

interface EventRow {
  id: number;
  log: string;
  ts: number | null;
  orig_h: string | null;
  resp_h: string | null;
  record: string;
}

/**
 * Adds the events of one import to the full-text index, the minute and hour event counts, and
 * the entity and relation tables. Call it inside the import's transaction, so the analysis
 * tables always describe exactly the committed events.
 */
export function indexImportedEvents(db: Db, importId: number): void {
  db.prepare('INSERT INTO events_fts (rowid, record) SELECT id, record FROM events WHERE import_id = ?').run(importId);
  addEventBuckets(db, importId);

  // Totals are flushed every FLUSH_EVERY_EVENTS events, so memory stays flat however large the
  // import is. The upserts add each flush to what earlier flushes wrote.
  let entities = new Map<string, EntityTotals>();
  let relations = new Map<string, RelationTotals>();
  const flush = (): void => {
    const entityIds = writeEntities(db, entities);
    writeRelations(db, relations, entityIds);
    entities = new Map();
    relations = new Map();
  };
  // Pages by id, because better-sqlite3 cannot write while an iterator is open.
  const page = db.prepare('SELECT id, log, ts, orig_h, resp_h, record FROM events WHERE import_id = ? AND id > ? ORDER BY id LIMIT ?');
  let lastId = 0;
  for (;;) {
    const rows = page.all(importId, lastId, FLUSH_EVERY_EVENTS) as EventRow[];
    if (rows.length === 0) break;
    for (const row of rows) collectEvent(row, entities, relations);
    lastId = rows[rows.length - 1]!.id;
    flush();
  }
}

/** Events whose entities and relations are gathered in memory before they are written. */
const FLUSH_EVERY_EVENTS = 20_000;

/** Clears every analysis table and indexes all imports again, e.g. after a rule or schema change. */
export function rebuildAnalysis(db: Db): void {
  db.transaction(() => {
    db.exec(`DELETE FROM relation_buckets; DELETE FROM relations; DELETE FROM entity_events; DELETE FROM entities;
      DELETE FROM event_buckets; INSERT INTO events_fts (events_fts) VALUES ('delete-all');`);
    const imports = db.prepare('SELECT id FROM imports ORDER BY id').pluck().all() as number[];
    for (const importId of imports) indexImportedEvents(db, importId);
  })();
}

function addEventBuckets(db: Db, importId: number): void {
  for (const width of BUCKET_WIDTHS) {
    if (width === 1) continue;
    // The divisor is written into the SQL because better-sqlite3 binds numbers as REAL, and
    // integer division needs an INTEGER on both sides. ts / 1e6 is floored for ts >= 0 only.
    const micros = width * 1_000_000;
    db.prepare(`INSERT INTO event_buckets (width, log, bucket, count)
      SELECT ${width}, log, ts / ${micros}, COUNT(*) FROM events WHERE import_id = ? AND ts IS NOT NULL GROUP BY log, ts / ${micros}
      ON CONFLICT (width, bucket, log) DO UPDATE SET count = count + excluded.count`).run(importId);
  }
}

function collectEvent(row: EventRow, entities: Map<string, EntityTotals>, relations: Map<string, RelationTotals>): void {
  const mentioned = new Map<string, EntityRef>();
  const add = (entity: EntityRef): string => {
    const key = `${entity.kind}\u0000${entity.value}`;
    mentioned.set(key, entity);
    return key;
  };

  if (PARSED_LOGS.has(row.log)) {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(row.record) as Record<string, unknown>;
    } catch {
      return;
    }
    const extraction = extractFromRecord(row.log, record);
    for (const entity of extraction.entities) add(entity);
    for (const relation of extraction.relations) {
      const sourceKey = add(relation.source);
      const targetKey = add(relation.target);
      countRelation(relations, { ...relation, sourceKey, targetKey }, row.ts);
    }
  } else {
    for (const address of [row.orig_h, row.resp_h]) {
      if (address) add({ kind: 'host', value: address.toLowerCase() });
    }
  }

  for (const [key, entity] of mentioned) {
    let totals = entities.get(key);
    if (!totals) entities.set(key, (totals = { kind: entity.kind, value: entity.value, count: 0, first: null, last: null, eventIds: [] }));
    totals.count++;
    if (row.ts !== null) {
      totals.first = totals.first === null ? row.ts : Math.min(totals.first, row.ts);
      totals.last = totals.last === null ? row.ts : Math.max(totals.last, row.ts);
    }
    if (entity.kind !== 'host') totals.eventIds.push(row.id);
  }
}

function countRelation(
  relations: Map<string, RelationTotals>,
  relation: { kind: RelationKind; sourceKey: string; targetKey: string; detail: string; bytes: number },
  ts: number | null,
): void {
  const key = `${relation.kind}\u0001${relation.sourceKey}\u0001${relation.targetKey}\u0001${relation.detail}`;
  let totals = relations.get(key);
  if (!totals) {
    totals = { kind: relation.kind, sourceKey: relation.sourceKey, targetKey: relation.targetKey, detail: relation.detail, count: 0, bytes: 0, first: null, last: null, buckets: new Map() };
    relations.set(key, totals);
  }
  totals.count++;
  totals.bytes += relation.bytes;
  if (ts === null) return;

  totals.first = totals.first === null ? ts : Math.min(totals.first, ts);
  totals.last = totals.last === null ? ts : Math.max(totals.last, ts);
  const second = Math.floor(ts / 1_000_000);
  for (const width of BUCKET_WIDTHS) {
    let perWidth = totals.buckets.get(width);
    if (!perWidth) totals.buckets.set(width, (perWidth = new Map()));
    const bucket = Math.floor(second / width);
    const cell = perWidth.get(bucket);
    if (cell) {
      cell.count++;
      cell.bytes += relation.bytes;
    } else {
      perWidth.set(bucket, { count: 1, bytes: relation.bytes });
    }
  }
}

function writeEntities(db: Db, entities: Map<string, EntityTotals>): Map<string, number> {
  const upsert = db.prepare(`INSERT INTO entities (kind, value, count, first_ts, last_ts) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (kind, value) DO UPDATE SET
      count = count + excluded.count,
      first_ts = CASE WHEN first_ts IS NULL OR excluded.first_ts < first_ts THEN excluded.first_ts ELSE first_ts END,
      last_ts = CASE WHEN last_ts IS NULL OR excluded.last_ts > last_ts THEN excluded.last_ts ELSE last_ts END
    RETURNING id`);
  const link = db.prepare('INSERT OR IGNORE INTO entity_events (entity_id, event_id) VALUES (?, ?)');
  const ids = new Map<string, number>();
  for (const [key, totals] of entities) {
    const { id } = upsert.get(totals.kind, totals.value, totals.count, totals.first, totals.last) as { id: number };
    ids.set(key, id);
    for (const eventId of totals.eventIds) link.run(id, eventId);
  }
  return ids;
}

function writeRelations(db: Db, relations: Map<string, RelationTotals>, entityIds: Map<string, number>): void {
  const upsert = db.prepare(`INSERT INTO relations (kind, source_id, target_id, detail, count, bytes, first_ts, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (kind, source_id, target_id, detail) DO UPDATE SET
      count = count + excluded.count,
      bytes = bytes + excluded.bytes,
      first_ts = CASE WHEN first_ts IS NULL OR excluded.first_ts < first_ts THEN excluded.first_ts ELSE first_ts END,
      last_ts = CASE WHEN last_ts IS NULL OR excluded.last_ts > last_ts THEN excluded.last_ts ELSE last_ts END
    RETURNING id`);
  const addBucket = db.prepare(`INSERT INTO relation_buckets (width, bucket, relation_id, count, bytes) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (width, bucket, relation_id) DO UPDATE SET count = count + excluded.count, bytes = bytes + excluded.bytes`);
  for (const totals of relations.values()) {
    const sourceId = entityIds.get(totals.sourceKey)!;
    const targetId = entityIds.get(totals.targetKey)!;
    const { id } = upsert.get(totals.kind, sourceId, targetId, totals.detail, totals.count, totals.bytes, totals.first, totals.last) as { id: number };
    for (const [width, perWidth] of totals.buckets) {
      for (const [bucket, cell] of perWidth) addBucket.run(width, bucket, id, cell.count, cell.bytes);
    }
  }
}
