import { join } from 'node:path';
import { NetcaseError } from '../errors.js';
import type { OpenCase } from '../case/case-folder.js';
import { CASE_DATABASE } from '../case/case-file.js';
import { startWorker } from '../worker-entry.js';
import type { ImportProgress, ImportSummary } from './importer.js';
import type { ImportWorkerData, ImportWorkerMessage } from './import-messages.js';

export interface RunImportOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  runId?: string;
  /** Minimum time between two progress reports, in milliseconds. */
  progressIntervalMs?: number;
}

/** After a cancel request, how long the worker may take to roll back before it is terminated. */
const CANCEL_GRACE_MS = 5000;

/**
 * Runs an import in a worker thread so the caller's thread (Electron's main process, the CLI)
 * stays responsive. The caller must hold the case open for writing.
 */
export function runImport(opened: OpenCase, inputs: string[], options: RunImportOptions = {}): Promise<ImportSummary> {
  if (!opened.writable) throw new NetcaseError('INTERNAL', 'runImport needs a case opened for writing.');
  const data: ImportWorkerData = { databasePath: join(opened.dir, CASE_DATABASE), inputs, actor: opened.actor, runId: options.runId };
  const worker = startWorker('import-worker', { workerData: data });
  const interval = options.progressIntervalMs ?? 250;
  let lastProgress = 0;

  return new Promise<ImportSummary>((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = (): void => {
      worker.postMessage({ type: 'cancel' });
      setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS).unref();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    worker.on('message', (message: ImportWorkerMessage) => {
      if (message.type === 'progress') {
        const now = Date.now();
        const finishedFile = message.progress.bytesRead >= message.progress.bytesTotal;
        if (now - lastProgress >= interval || finishedFile) {
          lastProgress = now;
          options.onProgress?.(message.progress);
        }
      } else if (message.type === 'done') {
        settle(() => resolve(message.summary));
      } else {
        settle(() => reject(new NetcaseError(message.error.code, message.error.message, { details: message.error.details })));
      }
    });
    worker.on('error', (error) => settle(() => reject(new NetcaseError('INTERNAL', `The import worker failed: ${error.message}`, { cause: error }))));
    worker.on('exit', (code) => {
      settle(() =>
        options.signal?.aborted
          ? reject(new NetcaseError('CANCELLED', 'Import cancelled; the case keeps every file imported before the cancel.'))
          : reject(new NetcaseError('INTERNAL', `The import worker stopped with exit code ${code} before finishing.`)),
      );
    });
  });
}
