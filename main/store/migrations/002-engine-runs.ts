import type { Migration } from '../migration.js';

export const engineRuns: Migration = {
  version: 2,
  name: 'engine runs',
  sql: `
    -- One row per finished engine run over one capture. A cancelled run leaves no row: its
    -- output folder and imported events are removed, so the case is as it was before it.
    CREATE TABLE engine_runs (
      id TEXT PRIMARY KEY,             -- run id, also the folder name under engine/
      evidence_id INTEGER NOT NULL REFERENCES evidence(id),
      engine TEXT NOT NULL,            -- 'zeek' or 'tshark'
      engine_version TEXT NOT NULL,    -- the program's own version text
      executable TEXT NOT NULL,
      command_line TEXT NOT NULL,      -- JSON array: program and arguments as started
      requested_engine TEXT NOT NULL,  -- 'auto', 'zeek' or 'tshark'
      choice_reason TEXT NOT NULL,     -- why this engine ran, as printed to the analyst
      options TEXT NOT NULL,           -- JSON: allowBadChecksums, timeoutSeconds
      started_at TEXT NOT NULL,        -- ISO 8601 UTC
      finished_at TEXT NOT NULL,
      exit_code INTEGER,               -- NULL when the program was stopped (timeout)
      status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
      error TEXT,                      -- why a failed run failed
      stderr TEXT NOT NULL,
      warnings TEXT NOT NULL,          -- JSON array of problems that did not stop the run
      output_dir TEXT,                 -- engine/<id>, relative to the case; NULL for failed runs
      records INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX engine_runs_evidence ON engine_runs(evidence_id, status);
  `,
};
