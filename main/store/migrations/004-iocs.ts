import type { Migration } from '../migration.js';

export const iocTables: Migration = {
  version: 4,
  name: 'iocs and watchlists',
  sql: `
    -- One row per indicator. Values are stored in canonical form (see main/iocs/ioc-values.ts),
    -- so (type, value) identifies an indicator. Tags attach to values, never to Zeek uids,
    -- because uids change between engine runs.
    CREATE TABLE iocs (
      id INTEGER PRIMARY KEY,
      type TEXT NOT NULL,              -- domain, ipv4, ipv6, email, url, md5, sha1, sha256, user-agent, ja3
      value TEXT NOT NULL,
      verdict TEXT NOT NULL CHECK (verdict IN ('malicious', 'suspicious', 'benign', 'unknown')),
      confidence INTEGER CHECK (confidence BETWEEN 0 AND 100),
      tags TEXT NOT NULL DEFAULT '[]', -- JSON array of strings, sorted
      note TEXT NOT NULL DEFAULT '',
      analyst TEXT NOT NULL,
      source TEXT NOT NULL,            -- 'analyst', 'bulk', 'suggestion'
      created_at TEXT NOT NULL,        -- ISO 8601 UTC
      updated_at TEXT NOT NULL,
      UNIQUE (type, value)
    );

    -- One row per imported watchlist file. Importing the same content again replaces its rows.
    CREATE TABLE watchlists (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,              -- file name as given
      sha256 TEXT NOT NULL UNIQUE,
      format TEXT NOT NULL,            -- 'csv' or 'stix'
      entries INTEGER NOT NULL,
      problems TEXT NOT NULL,          -- JSON array of {line or ref, reason} for rejected entries
      imported_at TEXT NOT NULL,
      imported_by TEXT NOT NULL
    );

    CREATE TABLE watchlist_entries (
      id INTEGER PRIMARY KEY,
      watchlist_id INTEGER NOT NULL REFERENCES watchlists(id) ON DELETE CASCADE,
      ref TEXT NOT NULL,               -- "line N" for CSV, the indicator id for STIX
      type TEXT NOT NULL,
      value TEXT NOT NULL,
      label TEXT NOT NULL DEFAULT ''   -- name or description from the watchlist
    );
    CREATE INDEX watchlist_entries_value ON watchlist_entries(type, value);

    -- Events that matched a watchlist entry, for the findings list.
    CREATE TABLE watchlist_matches (
      entry_id INTEGER NOT NULL REFERENCES watchlist_entries(id) ON DELETE CASCADE,
      event_id INTEGER NOT NULL REFERENCES events(id),
      PRIMARY KEY (entry_id, event_id)
    ) WITHOUT ROWID;
  `,
};
