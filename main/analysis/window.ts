import { NetcaseError } from '../errors.js';
import type { Db } from '../store/database.js';

/** A time window in microseconds since the epoch: `from` inclusive, `to` exclusive. */
export interface TimeWindow {
  from?: number;
  to?: number;
}

/** A window with both ends known. */
export interface ResolvedWindow {
  from: number;
  to: number;
}

/** A range of whole buckets of one width: buckets `fromBucket` up to, not including, `toBucket`. */
export interface BucketRange {
  width: number;
  fromBucket: number;
  toBucket: number;
}

export function checkWindow(window: TimeWindow): void {
  if (window.from !== undefined && window.to !== undefined && window.from >= window.to) {
    throw new NetcaseError('INVALID_ARGUMENT', `The time window is empty: from ${window.from} is not before to ${window.to} (microseconds). Give a "to" after "from".`);
  }
}

/**
 * Fills the open ends of a window from the case's first and last event. Returns null when the
 * case has no timestamped events.
 */
export function resolveWindow(db: Db, window: TimeWindow): ResolvedWindow | null {
  checkWindow(window);
  if (window.from !== undefined && window.to !== undefined) return { from: window.from, to: window.to };
  // Two index lookups, because MIN and MAX in one query scan the whole ts index.
  const first = db.prepare('SELECT ts FROM events WHERE ts IS NOT NULL ORDER BY ts LIMIT 1').pluck().get() as number | undefined;
  const last = db.prepare('SELECT ts FROM events WHERE ts IS NOT NULL ORDER BY ts DESC LIMIT 1').pluck().get() as number | undefined;
  if (first === undefined || last === undefined) return null;
  const from = window.from ?? first;
  const to = window.to ?? last + 1;
  return from < to ? { from, to } : null;
}

/**
 * Splits the seconds [fromSecond, toSecond) into the fewest aligned buckets of the given
 * widths, so sums over the pieces cover each second once. Widths go largest first, and the
 * last one must be 1.
 */
export function splitIntoBuckets(fromSecond: number, toSecond: number, widths: readonly number[]): BucketRange[] {
  if (fromSecond >= toSecond || widths.length === 0) return [];
  const [width, ...smaller] = widths as [number, ...number[]];
  if (smaller.length === 0) return [{ width, fromBucket: Math.floor(fromSecond / width), toBucket: Math.ceil(toSecond / width) }];

  const alignedStart = Math.ceil(fromSecond / width) * width;
  const alignedEnd = Math.floor(toSecond / width) * width;
  if (alignedStart >= alignedEnd) return splitIntoBuckets(fromSecond, toSecond, smaller);
  return [
    ...splitIntoBuckets(fromSecond, alignedStart, smaller),
    { width, fromBucket: alignedStart / width, toBucket: alignedEnd / width },
    ...splitIntoBuckets(alignedEnd, toSecond, smaller),
  ];
}
