import { NetcaseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { resolveWindow, splitIntoBuckets, type TimeWindow } from './window.js';

export interface TimelineOptions extends TimeWindow {
  /** Approximate number of buckets wanted; the width is rounded up to a readable one. */
  buckets?: number;
}

export interface TimelineBucket {
  /** Start and end of the bucket, microseconds, clipped to the window. */
  from: number;
  to: number;
  total: number;
  /** Event count per log type. */
  counts: Record<string, number>;
}

export interface Timeline {
  from: number | null;
  to: number | null;
  bucketSeconds: number;
  logs: string[];
  total: number;
  buckets: TimelineBucket[];
}

export const DEFAULT_TIMELINE_BUCKETS = 60;
const MAX_TIMELINE_BUCKETS = 2000;

/** Readable bucket widths in seconds. Those of a minute or more are whole minutes, and those of an hour or more whole hours. */
const NICE_WIDTHS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000, 7776000, 31536000,
];

/** Tables of whole-bucket counts, largest width first: event_buckets for hours and minutes, event_seconds for seconds. */
const COUNT_WIDTHS = [3600, 60, 1];

/**
 * Counts events per log type in time buckets. Whole seconds inside the window are read from
 * the per-second, per-minute and per-hour count tables. Only the partial seconds at the two
 * ends of the window are counted in the events table, so the counts add up exactly to the
 * events whose ts lies in the window. Events without a timestamp are never counted.
 */
export function buildTimeline(db: Db, options: TimelineOptions): Timeline {
  const wanted = options.buckets ?? DEFAULT_TIMELINE_BUCKETS;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_TIMELINE_BUCKETS) {
    throw new NetcaseError('INVALID_ARGUMENT', `The bucket count ${wanted} is out of range. Give a whole number from 1 to ${MAX_TIMELINE_BUCKETS}.`);
  }
  const window = resolveWindow(db, options);
  if (!window) return { from: options.from ?? null, to: options.to ?? null, bucketSeconds: 1, logs: [], total: 0, buckets: [] };

  const width = niceWidth((window.to - window.from) / 1_000_000 / wanted);
  const originSecond = Math.floor(window.from / 1_000_000 / width) * width;
  const lastSecond = Math.ceil(window.to / 1_000_000);
  const bucketCount = Math.max(1, Math.ceil((lastSecond - originSecond) / width));
  const perBucket: Map<string, number>[] = Array.from({ length: bucketCount }, () => new Map());
  const add = (log: string, second: number, count: number): void => {
    const cell = perBucket[Math.floor((second - originSecond) / width)];
    if (cell) cell.set(log, (cell.get(log) ?? 0) + count);
  };

  const firstWholeSecond = Math.ceil(window.from / 1_000_000);
  const endWholeSecond = Math.floor(window.to / 1_000_000);
  if (firstWholeSecond >= endWholeSecond) {
    countFromEvents(db, window.from, window.to, add);
  } else {
    countFromEvents(db, window.from, firstWholeSecond * 1_000_000, add);
    countWholeSeconds(db, firstWholeSecond, endWholeSecond, width, add);
    countFromEvents(db, endWholeSecond * 1_000_000, window.to, add);
  }

  const logs = new Set<string>();
  const buckets = perBucket.map((cell, index): TimelineBucket => {
    const counts: Record<string, number> = {};
    let total = 0;
    for (const [log, count] of [...cell].sort(([a], [b]) => a.localeCompare(b))) {
      counts[log] = count;
      total += count;
      logs.add(log);
    }
    const from = Math.max(window.from, (originSecond + index * width) * 1_000_000);
    const to = Math.min(window.to, (originSecond + (index + 1) * width) * 1_000_000);
    return { from, to, total, counts };
  });
  return { from: window.from, to: window.to, bucketSeconds: width, logs: [...logs].sort(), total: buckets.reduce((sum, bucket) => sum + bucket.total, 0), buckets };
}

/** Returns the smallest readable width of at least `seconds`. */
export function niceWidth(seconds: number): number {
  return NICE_WIDTHS.find((width) => width >= seconds) ?? NICE_WIDTHS[NICE_WIDTHS.length - 1]!;
}

function countFromEvents(db: Db, from: number, to: number, add: (log: string, second: number, count: number) => void): void {
  if (from >= to) return;
  const rows = db.prepare('SELECT log, ts FROM events WHERE ts >= ? AND ts < ?').iterate(from, to) as IterableIterator<{ log: string; ts: number }>;
  for (const row of rows) add(row.log, Math.floor(row.ts / 1_000_000), 1);
}

/**
 * Adds the counts of the whole seconds [fromSecond, toSecond). A count table is used only when
 * its width divides the bucket width, so each of its rows falls inside one bucket.
 */
function countWholeSeconds(db: Db, fromSecond: number, toSecond: number, bucketWidth: number, add: (log: string, second: number, count: number) => void): void {
  const widths = COUNT_WIDTHS.filter((width) => bucketWidth % width === 0);
  const logs = db.prepare('SELECT DISTINCT log FROM event_buckets WHERE width = 3600').pluck().all() as string[];
  const fromTable = db.prepare('SELECT log, bucket, count FROM event_buckets WHERE width = ? AND bucket >= ? AND bucket < ?');
  const fromSeconds = db.prepare('SELECT second, count FROM event_seconds WHERE log = ? AND second >= ? AND second < ?');

  for (const range of splitIntoBuckets(fromSecond, toSecond, widths)) {
    if (range.width === 1) {
      for (const log of logs) {
        for (const row of fromSeconds.iterate(log, range.fromBucket, range.toBucket) as IterableIterator<{ second: number; count: number }>) {
          add(log, row.second, row.count);
        }
      }
      continue;
    }
    for (const row of fromTable.iterate(range.width, range.fromBucket, range.toBucket) as IterableIterator<{ log: string; bucket: number; count: number }>) {
      add(row.log, row.bucket * range.width, row.count);
    }
  }
}
