import type { ErrorData } from '../errors.js';
import type { ImportProgress, ImportSummary } from './importer.js';

/** Start data of the import worker. */
export interface ImportWorkerData {
  databasePath: string;
  inputs: string[];
  actor: string;
  runId?: string;
}

/** Messages from the import worker: throttling is the receiver's job. */
export type ImportWorkerMessage =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'done'; summary: ImportSummary }
  | { type: 'failed'; error: ErrorData };
