import type { Db } from '../store/database.js';
import { AnalysisCollector, FLUSH_EVERY_EVENTS, type IndexedEvent } from './analysis-collector.js';
import { AnalysisWriter } from './analysis-writer.js';

/** Clears every analysis table and indexes all events again, e.g. after a rule or schema change. */
export function rebuildAnalysis(db: Db): void {
  db.transaction(() => {
    db.exec(`DELETE FROM relation_buckets; DELETE FROM relations; DELETE FROM entity_events; DELETE FROM entities;
      DELETE FROM event_buckets; DELETE FROM event_seconds; INSERT INTO events_fts (events_fts) VALUES ('delete-all');`);
    const collector = new AnalysisCollector();
    const writer = new AnalysisWriter(db);
    // Pages by id, because better-sqlite3 cannot write while an iterator is open.
    const page = db.prepare('SELECT id, log, ts, orig_h, resp_h, record FROM events WHERE id > ? ORDER BY id LIMIT ?');
    let lastId = 0;
    for (;;) {
      const rows = page.all(lastId, FLUSH_EVERY_EVENTS) as Array<Omit<IndexedEvent, 'fields'> & { record: string }>;
      if (rows.length === 0) break;
      for (const row of rows) collector.add({ id: row.id, log: row.log, ts: row.ts, orig_h: row.orig_h, resp_h: row.resp_h, fields: parseRecord(row.record) });
      lastId = rows[rows.length - 1]!.id;
      writer.write(collector.take());
    }
  })();
}

function parseRecord(text: string): Record<string, unknown> | null {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}
