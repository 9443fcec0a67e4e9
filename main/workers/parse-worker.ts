import { parentPort, workerData } from 'node:worker_threads';
import { toErrorData } from '../errors.js';
import { parseLogBatches } from '../ingest/parse-log-file.js';
import type { ReadSummary } from '../ingest/line-reader.js';
import type { ParseWorkerData, ParseWorkerMessage } from '../ingest/parse-messages.js';

/**
 * Worker thread that reads and parses one log file and collects its analysis totals, while the
 * import worker stores what it posts. Batches in flight are limited by acknowledgements.
 */
const data = workerData as ParseWorkerData;
const port = parentPort!;

/** Batches posted but not yet acknowledged before the worker waits; bounds the memory they use. */
const MAX_IN_FLIGHT = 8;

let inFlight = 0;
let wake: (() => void) | null = null;
port.on('message', () => {
  inFlight--;
  wake?.();
  wake = null;
});

const post = (message: ParseWorkerMessage): void => port.postMessage(message);

try {
  const summary: Partial<ReadSummary> = {};
  for await (const batch of parseLogBatches(data, summary)) {
    post({ type: 'batch', batch });
    inFlight++;
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
  }
  post({ type: 'done', summary: summary as ReadSummary });
} catch (error) {
  post({ type: 'failed', error: toErrorData(error) });
}
port.close();
