import type { ErrorData } from '../errors.js';
import type { ExportReportOptions, ExportReportResult } from './export.js';

/** Start data of the report worker: the case to read and the export to make. */
export interface ReportWorkerData {
  caseDir: string;
  actor: string;
  options: ExportReportOptions;
  /** Electron's resources folder, which worker threads do not see on `process`. */
  resourcesPath?: string;
}

export type ReportWorkerMessage =
  | { type: 'progress'; ratio: number; message: string }
  | { type: 'done'; result: ExportReportResult }
  | { type: 'failed'; error: ErrorData };

/** The one message the report worker accepts: stop before the next step. */
export type ReportWorkerCommand = { type: 'cancel' };

export const REPORT_CANCELLED_MESSAGE = 'The report export was cancelled before any file was written. Start the export again to write the report.';
