import type { Migration } from './migration.js';
import { coreTables } from './migrations/001-core.js';
import { engineRuns } from './migrations/002-engine-runs.js';
import { analysisTables } from './migrations/003-analysis.js';
import { iocTables } from './migrations/004-iocs.js';
import { reportDrafts } from './migrations/005-report-drafts.js';
import { reportMarks } from './migrations/006-report-marks.js';
import { caseSettings } from './migrations/007-case-settings.js';
import { leanTextIndex } from './migrations/008-lean-text-index.js';

/**
 * Schema migrations for case.sqlite, applied in order. `PRAGMA user_version` stores the number of
 * the last one applied. Never edit a released migration: add the next one, one file each.
 */
export const migrations: Migration[] = [coreTables, engineRuns, analysisTables, iocTables, reportDrafts, reportMarks, caseSettings, leanTextIndex];

export type { Migration };
