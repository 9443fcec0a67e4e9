import { NetcaseError } from '../errors.js';
import type { OpenCase } from '../case/case-folder.js';
import { startWorker } from '../worker-entry.js';
import type { ExportReportOptions, ExportReportResult, ReportProgress } from './export.js';
import { REPORT_CANCELLED_MESSAGE, type ReportWorkerData, type ReportWorkerMessage } from './report-messages.js';

/** Progress callback and abort signal of one export. */
export interface ReportRunOptions {
  onProgress?: ReportProgress;
  /**
   * Abort requests the worker to stop at its next step. Once it has begun writing the files it
   * finishes, so a report is either written and audited in full or not at all.
   */
  signal?: AbortSignal;
}

/**
 * Exports the report in a worker thread, so PDF layout and signing do not block the caller's
 * thread (Electron's main process, where the window's events are handled). The caller must
 * hold the case open for writing.
 */
export function runReportExport(opened: OpenCase, options: ExportReportOptions, run: ReportRunOptions = {}): Promise<ExportReportResult> {
  if (run.signal?.aborted) return Promise.reject(cancelled());
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
    const stop = () => worker.postMessage({ type: 'cancel' });
    run.signal?.addEventListener('abort', stop, { once: true });
    worker.on('message', (message: ReportWorkerMessage) => {
      if (message.type === 'progress') {
        if (!settled) run.onProgress?.(message.ratio, message.message);
        return;
      }
      if (settled) return;
      settled = true;
      run.signal?.removeEventListener('abort', stop);
      if (message.type === 'done') resolve(message.result);
      else reject(new NetcaseError(message.error.code, message.error.message, { details: message.error.details }));
    });
    worker.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(new NetcaseError('INTERNAL', `The report worker failed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new NetcaseError('INTERNAL', `The report worker stopped with exit code ${code} before finishing.`));
    });
  });
}

function cancelled(): NetcaseError {
  return new NetcaseError('CANCELLED', REPORT_CANCELLED_MESSAGE);
}
