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

/** A bucket range whose sums are added (`sign` 1) or subtracted (`sign` -1). */
export interface SignedBucketRange extends BucketRange {
  sign: 1 | -1;
}

/**
 * Splits the seconds [fromSecond, toSecond) into aligned buckets whose signed sums cover each
 * second of the window exactly once. Besides adding the pieces at the edges, a wide bucket
 * that sticks out of the window may be taken whole and the part outside subtracted, which is
 * cheaper when the window nearly fills it: an unaligned hour becomes one hour bucket minus
 * and plus a few seconds, not 59 minute buckets and up to 118 second buckets.
 *
 * Cost is estimated as the sum of the square roots of the bucket widths, on the assumption
 * that a bucket's row count (distinct relations active in it) grows more slowly than its
 * width. Widths go largest first, and the last one must be 1.
 */
export function coverWithSignedBuckets(fromSecond: number, toSecond: number, widths: readonly number[]): SignedBucketRange[] {
  return cheapestCover(fromSecond, toSecond, widths, 1).ranges;
}

interface Cover {
  ranges: SignedBucketRange[];
  cost: number;
}

function cheapestCover(fromSecond: number, toSecond: number, widths: readonly number[], sign: 1 | -1): Cover {
  if (fromSecond >= toSecond || widths.length === 0) return { ranges: [], cost: 0 };
  const [width, ...smaller] = widths as [number, ...number[]];
  if (smaller.length === 0) {
    const range = { width, fromBucket: Math.floor(fromSecond / width), toBucket: Math.ceil(toSecond / width), sign };
    return { ranges: [range], cost: rangeCost(range) };
  }

  const outerStart = Math.floor(fromSecond / width) * width;
  const outerEnd = Math.ceil(toSecond / width) * width;
  const alignedStart = Math.ceil(fromSecond / width) * width;
  const alignedEnd = Math.floor(toSecond / width) * width;

  let best = cheapestCover(fromSecond, toSecond, smaller, sign);
  for (const subtractBefore of [false, true]) {
    for (const subtractAfter of [false, true]) {
      const start = subtractBefore ? outerStart : alignedStart;
      const end = subtractAfter ? outerEnd : alignedEnd;
      if (start >= end) continue;

      const middle: SignedBucketRange = { width, fromBucket: start / width, toBucket: end / width, sign };
      const before = subtractBefore ? cheapestCover(outerStart, fromSecond, smaller, negate(sign)) : cheapestCover(fromSecond, alignedStart, smaller, sign);
      const after = subtractAfter ? cheapestCover(toSecond, outerEnd, smaller, negate(sign)) : cheapestCover(alignedEnd, toSecond, smaller, sign);
      const cost = rangeCost(middle) + before.cost + after.cost;
      if (cost < best.cost) best = { ranges: [...before.ranges, middle, ...after.ranges], cost };
    }
  }
  return best;
}

function negate(sign: 1 | -1): 1 | -1 {
  return sign === 1 ? -1 : 1;
}

function rangeCost(range: BucketRange): number {
  return (range.toBucket - range.fromBucket) * Math.sqrt(range.width);
}
