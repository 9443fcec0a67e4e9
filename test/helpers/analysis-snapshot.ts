import type { Db } from '../../main/store/database.js';

/**
 * Returns every analysis table's rows, naming entities and relations by value rather than id,
 * and the full-text index as (term, event id, offset) rows. Two databases built in different
 * ways compare equal exactly when every analysis query returns the same results from both.
 */
export function analysisSnapshot(db: Db) {
  db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.events_fts_terms USING fts5vocab(main, 'events_fts', 'instance')`);
  return {
    seconds: db.prepare('SELECT log, second, count FROM event_seconds ORDER BY log, second').all(),
    buckets: db.prepare('SELECT width, log, bucket, count FROM event_buckets ORDER BY width, log, bucket').all(),
    entities: db.prepare('SELECT kind, value, count, first_ts, last_ts FROM entities ORDER BY kind, value').all(),
    links: db.prepare('SELECT e.kind, e.value, l.event_id FROM entity_events l JOIN entities e ON e.id = l.entity_id ORDER BY 1, 2, 3').all(),
    relations: db.prepare(`SELECT r.kind, s.value AS source, t.value AS target, r.detail, r.count, r.bytes, r.first_ts, r.last_ts
      FROM relations r JOIN entities s ON s.id = r.source_id JOIN entities t ON t.id = r.target_id ORDER BY 1, 2, 3, 4`).all(),
    relationBuckets: db.prepare(`SELECT b.width, b.bucket, r.kind, s.value AS source, t.value AS target, b.count, b.bytes
      FROM relation_buckets b JOIN relations r ON r.id = b.relation_id JOIN entities s ON s.id = r.source_id JOIN entities t ON t.id = r.target_id
      ORDER BY 1, 2, 3, 4, 5`).all(),
    text: db.prepare('SELECT term, doc, offset FROM temp.events_fts_terms ORDER BY doc, offset').raw().all(),
  };
}
