import { NetcaseError } from '../errors.js';
import { startWorker } from '../worker-entry.js';
import type { ReadSummary } from './line-reader.js';
import type { ParseWorkerAck, ParseWorkerData, ParseWorkerMessage, ParsedBatch } from './parse-messages.js';

/** A message from the parse worker, or the worker failing or exiting. */
type WorkerEvent = ParseWorkerMessage | { type: 'exited'; code: number } | { type: 'error'; error: Error };

/**
 * Parses a log file on a worker thread (see parse-worker.ts) and yields its batches in order,
 * so parsing and entity extraction run on a second core while this thread stores the rows.
 * `summary` is filled in once the last batch has been yielded. Leaving the loop early, or an
 * error, stops the worker.
 */
export async function* parseInWorker(data: ParseWorkerData, summary: Partial<ReadSummary>): AsyncGenerator<ParsedBatch> {
  const worker = startWorker('parse-worker', { workerData: data });
  const queue: WorkerEvent[] = [];
  let wake: (() => void) | null = null;
  const push = (message: WorkerEvent): void => {
    queue.push(message);
    wake?.();
    wake = null;
  };
  worker.on('message', (message: ParseWorkerMessage) => push(message));
  worker.on('error', (error) => push({ type: 'error', error }));
  worker.on('exit', (code) => push({ type: 'exited', code }));

  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const message = queue.shift()!;
      switch (message.type) {
        case 'batch':
          yield message.batch;
          worker.postMessage({ type: 'ack' } satisfies ParseWorkerAck);
          break;
        case 'done':
          Object.assign(summary, message.summary);
          return;
        case 'failed':
          throw new NetcaseError(message.error.code, message.error.message, { details: message.error.details });
        case 'error':
          throw new NetcaseError('INTERNAL', `The parse worker for ${data.path} failed: ${message.error.message}`, { cause: message.error });
        case 'exited':
          throw new NetcaseError('INTERNAL', `The parse worker for ${data.path} stopped with exit code ${message.code} before finishing.`);
      }
    }
  } finally {
    void worker.terminate();
  }
}
