import type { ErrorData } from '../errors.js';
import type { ImportProgress, ImportSummary } from './importer.js';

/** What the import worker receives at start. */
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
