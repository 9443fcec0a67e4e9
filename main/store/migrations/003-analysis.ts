import type { Migration } from '../migration.js';

/**
 * Entities, relations and the indexes the analysis views read. Everything here is derived from
 * the events table at import time, so it can be rebuilt from events at any time.
 */
export const analysisTables: Migration = {
  version: 3,
  name: 'entities, relations, time buckets, full-text index',
  sql: `
    -- Things the analyst pivots on: host (IP address), domain, email, url, file (hash) and
    -- user_agent. Counts and times cover every event that mentions the entity.
    CREATE TABLE entities (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      value TEXT NOT NULL,
      count INTEGER NOT NULL,
      first_ts INTEGER,                -- microseconds since the epoch, UTC
      last_ts INTEGER,
      UNIQUE (kind, value)
    );

    -- Directed relations between entities, e.g. host -queried-> domain. detail keeps what
    -- tells two relations of the same kind apart (port/protocol/service, mail server).
    CREATE TABLE relations (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      source_id INTEGER NOT NULL REFERENCES entities(id),
      target_id INTEGER NOT NULL REFERENCES entities(id),
      detail TEXT NOT NULL DEFAULT '',
      count INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      first_ts INTEGER,
      last_ts INTEGER,
      UNIQUE (kind, source_id, target_id, detail)
    );
    -- The graph reads the heaviest relations first.
    CREATE INDEX relations_count ON relations(count);

    -- Relation counts and bytes per time bucket. width is 1, 60 or 3600 seconds and bucket is
    -- floor(ts / 1e6 / width), so a time window is answered from a few aligned buckets.
    CREATE TABLE relation_buckets (
      width INTEGER NOT NULL,
      bucket INTEGER NOT NULL,
      relation_id INTEGER NOT NULL,
      count INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      PRIMARY KEY (width, bucket, relation_id)
    ) WITHOUT ROWID;

    -- Event counts per log and minute or hour, beside event_seconds, for wide timelines.
    CREATE TABLE event_buckets (
      width INTEGER NOT NULL,
      log TEXT NOT NULL,
      bucket INTEGER NOT NULL,
      count INTEGER NOT NULL,
      PRIMARY KEY (width, bucket, log)
    ) WITHOUT ROWID;
    INSERT INTO event_buckets (width, log, bucket, count)
      SELECT 60, log, second / 60, SUM(count) FROM event_seconds GROUP BY log, second / 60;
    INSERT INTO event_buckets (width, log, bucket, count)
      SELECT 3600, log, second / 3600, SUM(count) FROM event_seconds GROUP BY log, second / 3600;

    -- Which events mention which entity, for every kind except host (hosts are found through
    -- the indexed orig_h and resp_h columns of events).
    CREATE TABLE entity_events (
      entity_id INTEGER NOT NULL,
      event_id INTEGER NOT NULL,
      PRIMARY KEY (entity_id, event_id)
    ) WITHOUT ROWID;

    -- Full-text index over the record text of every event; the text itself stays in events.
    CREATE VIRTUAL TABLE events_fts USING fts5(record, content = 'events', content_rowid = 'id');
    INSERT INTO events_fts (rowid, record) SELECT id, record FROM events;
  `,
};
