import type { Db } from '../store/database.js';
import { MultiRowInsert } from '../store/multi-row-insert.js';
import type { AnalysisTotals } from './analysis-collector.js';

/**
 * Adds collected totals to the analysis tables: the full-text index, event counts per second,
 * minute and hour, entities and their event links, relations and their time buckets. The
 * upserts add to what earlier writes stored. Rows go in as bound multi-row statements, so the
 * cost of a call from JavaScript is paid per few hundred rows, not per row.
 */
export class AnalysisWriter {
  private readonly statements: ReturnType<typeof prepareStatements>;

  constructor(db: Db) {
    this.statements = prepareStatements(db);
  }

  /** Writes the totals. The events they cover must be stored already, in the same transaction. */
  write(totals: AnalysisTotals): void {
    const statements = this.statements;
    if (totals.firstId !== null) statements.indexText.run(totals.firstId, totals.lastId);
    statements.addSeconds.run(totals.seconds);
    statements.addEventBuckets.run(totals.eventBuckets);
    if (totals.entities.length === 0) return;

    const entityRows = totals.entities.map((entity) => [entity.kind, entity.value, entity.count, entity.first, entity.last]);
    const idByKey = new Map<string, number>();
    for (const row of statements.upsertEntities.all<{ id: number; kind: string; value: string }>(entityRows)) {
      idByKey.set(`${row.kind}\u0000${row.value}`, row.id);
    }
    const entityIds = totals.entities.map((entity) => idByKey.get(`${entity.kind}\u0000${entity.value}`)!);

    const links: Array<[number, number]> = [];
    totals.entities.forEach((entity, index) => {
      for (const eventId of entity.eventIds) links.push([entityIds[index]!, eventId]);
    });
    statements.linkEvents.run(links);
    if (totals.relations.length === 0) return;

    const relationRows = totals.relations.map((relation) => [
      relation.kind,
      entityIds[relation.source],
      entityIds[relation.target],
      relation.detail,
      relation.count,
      relation.bytes,
      relation.first,
      relation.last,
    ]);
    const relationIdByKey = new Map<string, number>();
    for (const row of statements.upsertRelations.all<{ id: number; kind: string; source_id: number; target_id: number; detail: string }>(relationRows)) {
      relationIdByKey.set(`${row.kind}\u0001${row.source_id}\u0001${row.target_id}\u0001${row.detail}`, row.id);
    }

    const buckets: Array<[number, number, number, number, number]> = [];
    for (const relation of totals.relations) {
      const relationId = relationIdByKey.get(`${relation.kind}\u0001${entityIds[relation.source]}\u0001${entityIds[relation.target]}\u0001${relation.detail}`)!;
      for (const [width, bucket, count, bytes] of relation.buckets) buckets.push([width, bucket, relationId, count, bytes]);
    }
    statements.addRelationBuckets.run(buckets);
  }
}

function prepareStatements(db: Db) {
  return {
    indexText: db.prepare('INSERT INTO events_fts (rowid, record) SELECT id, record FROM events WHERE id BETWEEN ? AND ?'),
    addSeconds: new MultiRowInsert(db, 'INSERT INTO event_seconds (log, second, count)', 3,
      'ON CONFLICT (log, second) DO UPDATE SET count = count + excluded.count'),
    addEventBuckets: new MultiRowInsert(db, 'INSERT INTO event_buckets (width, log, bucket, count)', 4,
      'ON CONFLICT (width, bucket, log) DO UPDATE SET count = count + excluded.count'),
    upsertEntities: new MultiRowInsert(db, 'INSERT INTO entities (kind, value, count, first_ts, last_ts)', 5,
      `ON CONFLICT (kind, value) DO UPDATE SET
        count = count + excluded.count,
        first_ts = CASE WHEN first_ts IS NULL OR excluded.first_ts < first_ts THEN excluded.first_ts ELSE first_ts END,
        last_ts = CASE WHEN last_ts IS NULL OR excluded.last_ts > last_ts THEN excluded.last_ts ELSE last_ts END
      RETURNING id, kind, value`),
    linkEvents: new MultiRowInsert(db, 'INSERT OR IGNORE INTO entity_events (entity_id, event_id)', 2),
    upsertRelations: new MultiRowInsert(db, 'INSERT INTO relations (kind, source_id, target_id, detail, count, bytes, first_ts, last_ts)', 8,
      `ON CONFLICT (kind, source_id, target_id, detail) DO UPDATE SET
        count = count + excluded.count,
        bytes = bytes + excluded.bytes,
        first_ts = CASE WHEN first_ts IS NULL OR excluded.first_ts < first_ts THEN excluded.first_ts ELSE first_ts END,
        last_ts = CASE WHEN last_ts IS NULL OR excluded.last_ts > last_ts THEN excluded.last_ts ELSE last_ts END
      RETURNING id, kind, source_id, target_id, detail`),
    addRelationBuckets: new MultiRowInsert(db, 'INSERT INTO relation_buckets (width, bucket, relation_id, count, bytes)', 5,
      'ON CONFLICT (width, bucket, relation_id) DO UPDATE SET count = count + excluded.count, bytes = bytes + excluded.bytes'),
  };
}
