import type { Db } from '../store/database.js';
import type { AnalysisTotals } from './analysis-collector.js';

/**
 * Adds collected totals to the analysis tables: the full-text index, event counts per second,
 * minute and hour, entities and their event links, relations and their time buckets. The
 * upserts add to what earlier writes stored. Each table gets one statement per write, which
 * takes all its rows as a JSON array read with SQLite's json_each, so the cost of a call from
 * JavaScript is paid per table, not per row.
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
    if (totals.seconds.length > 0) statements.addSeconds.run(JSON.stringify(totals.seconds));
    if (totals.eventBuckets.length > 0) statements.addEventBuckets.run(JSON.stringify(totals.eventBuckets));
    if (totals.entities.length === 0) return;

    const entityRows = totals.entities.map((entity) => [entity.kind, entity.value, entity.count, entity.first, entity.last]);
    const idByKey = new Map<string, number>();
    for (const row of statements.upsertEntities.all(JSON.stringify(entityRows)) as Array<{ id: number; kind: string; value: string }>) {
      idByKey.set(`${row.kind}\u0000${row.value}`, row.id);
    }
    const entityIds = totals.entities.map((entity) => idByKey.get(`${entity.kind}\u0000${entity.value}`)!);

    const links: Array<[number, number]> = [];
    totals.entities.forEach((entity, index) => {
      for (const eventId of entity.eventIds) links.push([entityIds[index]!, eventId]);
    });
    if (links.length > 0) statements.linkEvents.run(JSON.stringify(links));
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
    for (const row of statements.upsertRelations.all(JSON.stringify(relationRows)) as Array<{ id: number; kind: string; source_id: number; target_id: number; detail: string }>) {
      relationIdByKey.set(`${row.kind}\u0001${row.source_id}\u0001${row.target_id}\u0001${row.detail}`, row.id);
    }

    const buckets: Array<[number, number, number, number, number]> = [];
    for (const relation of totals.relations) {
      const relationId = relationIdByKey.get(`${relation.kind}\u0001${entityIds[relation.source]}\u0001${entityIds[relation.target]}\u0001${relation.detail}`)!;
      for (const [width, bucket, count, bytes] of relation.buckets) buckets.push([width, bucket, relationId, count, bytes]);
    }
    if (buckets.length > 0) statements.addRelationBuckets.run(JSON.stringify(buckets));
  }
}

function prepareStatements(db: Db) {
  return {
    indexText: db.prepare('INSERT INTO events_fts (rowid, record) SELECT id, record FROM events WHERE id BETWEEN ? AND ?'),
    // `WHERE true` makes SQLite's parser read ON CONFLICT as part of the INSERT, not of a join.
    addSeconds: db.prepare(`INSERT INTO event_seconds (log, second, count)
      SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE true
      ON CONFLICT (log, second) DO UPDATE SET count = count + excluded.count`),
    addEventBuckets: db.prepare(`INSERT INTO event_buckets (width, log, bucket, count)
      SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?) WHERE true
      ON CONFLICT (width, bucket, log) DO UPDATE SET count = count + excluded.count`),
    upsertEntities: db.prepare(`INSERT INTO entities (kind, value, count, first_ts, last_ts)
      SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?) WHERE true
      ON CONFLICT (kind, value) DO UPDATE SET
        count = count + excluded.count,
        first_ts = CASE WHEN first_ts IS NULL OR excluded.first_ts < first_ts THEN excluded.first_ts ELSE first_ts END,
        last_ts = CASE WHEN last_ts IS NULL OR excluded.last_ts > last_ts THEN excluded.last_ts ELSE last_ts END
      RETURNING id, kind, value`),
    linkEvents: db.prepare(`INSERT OR IGNORE INTO entity_events (entity_id, event_id)
      SELECT value ->> 0, value ->> 1 FROM json_each(?)`),
    upsertRelations: db.prepare(`INSERT INTO relations (kind, source_id, target_id, detail, count, bytes, first_ts, last_ts)
      SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7 FROM json_each(?) WHERE true
      ON CONFLICT (kind, source_id, target_id, detail) DO UPDATE SET
        count = count + excluded.count,
        bytes = bytes + excluded.bytes,
        first_ts = CASE WHEN first_ts IS NULL OR excluded.first_ts < first_ts THEN excluded.first_ts ELSE first_ts END,
        last_ts = CASE WHEN last_ts IS NULL OR excluded.last_ts > last_ts THEN excluded.last_ts ELSE last_ts END
      RETURNING id, kind, source_id, target_id, detail`),
    addRelationBuckets: db.prepare(`INSERT INTO relation_buckets (width, bucket, relation_id, count, bytes)
      SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?) WHERE true
      ON CONFLICT (width, bucket, relation_id) DO UPDATE SET count = count + excluded.count, bytes = bytes + excluded.bytes`),
  };
}
