import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/database.js';
import { importLogs, type ImportProgress } from '../ingest/importer.js';
import { toErrorData } from '../errors.js';
import type { ImportWorkerData, ImportWorkerMessage } from '../ingest/import-messages.js';

/** Worker thread that runs one import job on its own database connection. */
const data = workerData as ImportWorkerData;
const port = parentPort!;
const controller = new AbortController();
port.on('message', (message: { type: 'cancel' }) => {
  if (message.type === 'cancel') controller.abort();
});

const post = (message: ImportWorkerMessage): void => port.postMessage(message);

let outcome: ImportWorkerMessage;
const db = openDatabase(data.databasePath);
try {
  const summary = await importLogs(db, data.inputs, {
    actor: data.actor,
    runId: data.runId,
    signal: controller.signal,
    onProgress: (progress: ImportProgress) => post({ type: 'progress', progress }),
  });
  outcome = { type: 'done', summary };
} catch (error) {
  outcome = { type: 'failed', error: toErrorData(error) };
} finally {
  db.close();
}
// The database is closed before the result is posted, so the caller may reopen it at once.
post(outcome);
port.close();
