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

export type ReportWorkerMessage = { type: 'done'; result: ExportReportResult } | { type: 'failed'; error: ErrorData };
