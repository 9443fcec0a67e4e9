import type { Migration } from '../migration.js';

export const coreTables: Migration = {
  version: 1,
  name: 'evidence, imports, events, audit',
  sql: `
    CREATE TABLE evidence (
      id INTEGER PRIMARY KEY,
      sha256 TEXT NOT NULL UNIQUE,
      size INTEGER NOT NULL,
      kind TEXT NOT NULL,              -- 'capture' or 'zeek-log'
      original_path TEXT NOT NULL,
      stored_path TEXT NOT NULL,       -- relative to the case folder
      added_at TEXT NOT NULL,          -- ISO 8601 UTC
      added_by TEXT NOT NULL
    );

    -- One row per log file whose records were committed. A file whose import did not finish
    -- has no row, because the row is written in the same transaction as its events.
    CREATE TABLE imports (
      id INTEGER PRIMARY KEY,
      source_path TEXT NOT NULL,
      file_sha256 TEXT NOT NULL,       -- of the file as stored (compressed or not)
      content_sha256 TEXT NOT NULL,    -- of the decompressed bytes
      format TEXT NOT NULL,            -- 'tsv', 'json' or 'zeek-cut'
      logs TEXT NOT NULL,              -- JSON array of log types seen
      records INTEGER NOT NULL,
      skipped INTEGER NOT NULL,
      problems TEXT NOT NULL,          -- JSON array of the first skipped lines with reasons
      run_id TEXT,                     -- engine run that wrote the file, if any
      started_at TEXT NOT NULL,
      finished_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX imports_content ON imports(content_sha256);
    CREATE INDEX imports_file ON imports(file_sha256);

    -- Every Zeek record. The common columns are copies for indexing; record keeps the whole
    -- record as Zeek JSON (flat dotted keys), so nothing is lost.
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      import_id INTEGER NOT NULL REFERENCES imports(id),
      line INTEGER NOT NULL,           -- line number in the source file
      log TEXT NOT NULL,
      ts INTEGER,                      -- microseconds since the epoch, UTC
      uid TEXT,
      orig_h TEXT,
      orig_p INTEGER,
      resp_h TEXT,
      resp_p INTEGER,
      proto TEXT,
      record TEXT NOT NULL
    );
    CREATE INDEX events_ts ON events(ts);
    CREATE INDEX events_log_ts ON events(log, ts);
    CREATE INDEX events_uid ON events(uid) WHERE uid IS NOT NULL;
    CREATE INDEX events_orig_h ON events(orig_h, ts) WHERE orig_h IS NOT NULL;
    CREATE INDEX events_resp_h ON events(resp_h, ts) WHERE resp_h IS NOT NULL;

    -- Event counts per log and second, kept at import, so the timeline never scans events.
    CREATE TABLE event_seconds (
      log TEXT NOT NULL,
      second INTEGER NOT NULL,         -- floor(ts / 1e6)
      count INTEGER NOT NULL,
      PRIMARY KEY (log, second)
    ) WITHOUT ROWID;

    -- Append-only, hash-chained: hash = SHA-256 over prev_hash and the entry's canonical JSON.
    CREATE TABLE audit (
      id INTEGER PRIMARY KEY,
      ts TEXT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      details TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
  `,
};
