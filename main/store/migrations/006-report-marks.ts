import type { Migration } from '../migration.js';

/** Events the analyst marks for the report's key timeline, with an optional note. */
export const reportMarks: Migration = {
  version: 6,
  name: 'report timeline marks',
  sql: `
    CREATE TABLE report_marks (
      event_id INTEGER PRIMARY KEY REFERENCES events(id),
      note TEXT NOT NULL DEFAULT '',
      marked_by TEXT NOT NULL,
      marked_at TEXT NOT NULL          -- ISO 8601 UTC
    );
  `,
};
