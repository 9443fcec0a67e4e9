import type { Migration } from '../migration.js';

/** Per-case settings the analyst changes, one JSON value per key (such as `local_networks`). */
export const caseSettings: Migration = {
  version: 7,
  name: 'case settings',
  sql: `
    CREATE TABLE case_settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL               -- JSON
    );
  `,
};
