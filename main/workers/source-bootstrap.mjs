// Loads a TypeScript worker entry through tsx when Netcase runs from its sources (tests and
// development); built code never uses this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.sourceEntry);
