import type { Migration } from '../migration.js';

export const reportDrafts: Migration = {
  version: 5,
  name: 'report drafts',
  sql: `
    -- The analyst's text for a narrative field of the report (executive summary, scope, ...).
    -- A field without a row uses the draft Netcase generates from the case.
    CREATE TABLE report_drafts (
      field TEXT PRIMARY KEY,
      text TEXT NOT NULL,
      updated_at TEXT NOT NULL,        -- ISO 8601 UTC
      updated_by TEXT NOT NULL
    );
  `,
};
