import type { Migration } from '../migration.js';

/**
 * Rebuilds the full-text index without per-row column sizes. Netcase never ranks matches, so
 * the sizes (read only by bm25) are not needed, and writing them cost one extra B-tree insert
 * per event.
 */
export const leanTextIndex: Migration = {
  version: 8,
  name: 'full-text index without column sizes',
  sql: `
    DROP TABLE events_fts;
    CREATE VIRTUAL TABLE events_fts USING fts5(record, content = 'events', content_rowid = 'id', columnsize = 0);
    INSERT INTO events_fts (events_fts) VALUES ('rebuild');
  `,
};
