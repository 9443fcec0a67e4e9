import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { NetcaseError, toErrorData } from '../errors.js';
import { CASE_DATABASE, readCaseFile } from '../case/case-file.js';
import type { OpenCase } from '../case/case-folder.js';
import { openDatabase } from '../store/database.js';
import { exportReport } from '../report/export.js';
import { REPORT_CANCELLED_MESSAGE, type ReportWorkerCommand, type ReportWorkerData, type ReportWorkerMessage } from '../report/report-messages.js';

/**
 * Worker thread that builds, renders and signs one report on its own database connection.
 * The caller holds the case lock for the whole export.
 */
const data = workerData as ReportWorkerData;
const port = parentPort!;
if (data.resourcesPath) (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath ??= data.resourcesPath;

// A cancel request takes effect at the next progress step. The last step is the file writes,
// which then run to the end, so no report is left written but unaudited.
let cancelRequested = false;
port.on('message', (command: ReportWorkerCommand) => {
  if (command.type === 'cancel') cancelRequested = true;
});

let outcome: ReportWorkerMessage;
const db = openDatabase(join(data.caseDir, CASE_DATABASE));
try {
  const opened: OpenCase = { dir: data.caseDir, meta: readCaseFile(data.caseDir), db, writable: true, actor: data.actor, close: () => db.close() };
  const options = data.options.sign ? { ...data.options, sign: { ...data.options.sign, p12: Buffer.from(data.options.sign.p12) } } : data.options;
  const progress = (ratio: number, message: string) => {
    if (cancelRequested) throw new NetcaseError('CANCELLED', REPORT_CANCELLED_MESSAGE);
    port.postMessage({ type: 'progress', ratio, message } satisfies ReportWorkerMessage);
  };
  outcome = { type: 'done', result: await exportReport(opened, options, progress) };
} catch (error) {
  outcome = { type: 'failed', error: toErrorData(error) };
} finally {
  db.close();
}
port.postMessage(outcome);
port.close();
