import type { Db } from '../store/database.js';
import { AnalysisCollector, FLUSH_EVERY_EVENTS, type IndexedEvent } from './analysis-collector.js';
import { AnalysisWriter } from './analysis-writer.js';

/**
 * Collects and writes analysis rows on one thread. Call `add` for every stored event, in id
 * order, inside the transaction that stores them, and `finish` before commit, so the analysis
 * tables always describe exactly the committed events.
 */
export class AnalysisIndexer {
  private readonly collector = new AnalysisCollector();
  private readonly writer: AnalysisWriter;

  constructor(db: Db) {
    this.writer = new AnalysisWriter(db);
  }

  add(event: IndexedEvent): void {
    this.collector.add(event);
    if (this.collector.size >= FLUSH_EVERY_EVENTS) this.writer.write(this.collector.take());
  }

  finish(): void {
    if (this.collector.size > 0) this.writer.write(this.collector.take());
  }
}

/** Clears every analysis table and indexes all events again, e.g. after a rule or schema change. */
export function rebuildAnalysis(db: Db): void {
  db.transaction(() => {
    db.exec(`DELETE FROM relation_buckets; DELETE FROM relations; DELETE FROM entity_events; DELETE FROM entities;
      DELETE FROM event_buckets; DELETE FROM event_seconds; INSERT INTO events_fts (events_fts) VALUES ('delete-all');`);
    const indexer = new AnalysisIndexer(db);
    // Pages by id, because better-sqlite3 cannot write while an iterator is open.
    const page = db.prepare('SELECT id, log, ts, orig_h, resp_h, record FROM events WHERE id > ? ORDER BY id LIMIT ?');
    let lastId = 0;
    for (;;) {
      const rows = page.all(lastId, FLUSH_EVERY_EVENTS) as Array<Omit<IndexedEvent, 'fields'> & { record: string }>;
      if (rows.length === 0) break;
      for (const row of rows) indexer.add({ id: row.id, log: row.log, ts: row.ts, orig_h: row.orig_h, resp_h: row.resp_h, fields: parseRecord(row.record) });
      lastId = rows[rows.length - 1]!.id;
    }
    indexer.finish();
  })();
}

function parseRecord(text: string): Record<string, unknown> | null {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}
