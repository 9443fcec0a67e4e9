import type { ErrorData } from '../errors.js';
import type { AnalysisTotals } from '../analysis/analysis-collector.js';
import type { ReaderLimits, ReadSummary } from './line-reader.js';
import type { LineProblem } from './parsed-record.js';

/** Start data of the parse worker. */
export interface ParseWorkerData {
  path: string;
  /** Format as `detectFileKind` names it. */
  format: string;
  /** Id the first parsed record will be stored under; the rest follow one by one. */
  firstId: number;
  limits: ReaderLimits;
}

/** [line, log, ts, uid, orig_h, orig_p, resp_h, resp_p, proto, record], as the events table stores them. */
export type EventRow = [number, string, number | null, string | null, string | null, number | null, string | null, number | null, string | null, string];

/** Records parsed from one stretch of the file, in file order. */
export interface ParsedBatch {
  rows: EventRow[];
  /** Lines skipped in this stretch. */
  skipped: number;
  /** The skipped lines with reasons, until the worker has sent `MAX_PROBLEMS_SENT` of them. */
  problems: LineProblem[];
  /** Bytes of the file on disk read so far. */
  bytesRead: number;
  /** Analysis totals of the records up to the end of this batch not yet covered by earlier totals. */
  analysis?: AnalysisTotals;
}

/** Skipped lines described per file, for the import report; later ones are only counted. */
export const MAX_PROBLEMS_SENT = 100;

export type ParseWorkerMessage =
  | { type: 'batch'; batch: ParsedBatch }
  | { type: 'done'; summary: ReadSummary }
  | { type: 'failed'; error: ErrorData };

/** Sent back for each batch handled, so the worker never runs far ahead of the database. */
export type ParseWorkerAck = { type: 'ack' };
