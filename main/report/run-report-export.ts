import { NetcaseError } from '../errors.js';
import type { OpenCase } from '../case/case-folder.js';
import { startWorker } from '../worker-entry.js';
import type { ExportReportOptions, ExportReportResult } from './export.js';
import type { ReportWorkerData, ReportWorkerMessage } from './report-messages.js';

/**
 * Exports the report in a worker thread, so PDF layout and signing do not block the caller's
 * thread (Electron's main process, where the window's events are handled). The caller must
 * hold the case open for writing.
 */
export function runReportExport(opened: OpenCase, options: ExportReportOptions): Promise<ExportReportResult> {
  if (!opened.writable) throw new NetcaseError('INTERNAL', 'runReportExport needs a case opened for writing.');
  const data: ReportWorkerData = {
    caseDir: opened.dir,
    actor: opened.actor,
    options,
    resourcesPath: (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath,
  };
  const worker = startWorker('report-worker', { workerData: data });

  return new Promise<ExportReportResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (message: ReportWorkerMessage) => {
      settled = true;
      if (message.type === 'done') resolve(message.result);
      else reject(new NetcaseError(message.error.code, message.error.message, { details: message.error.details }));
    });
    worker.on('error', (error) => {
      settled = true;
      reject(new NetcaseError('INTERNAL', `The report worker failed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new NetcaseError('INTERNAL', `The report worker stopped with exit code ${code} before finishing.`));
    });
  });
}
