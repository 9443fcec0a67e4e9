import type { Timeline } from '../../../../preload/api.js';
import { timeToX, type Span } from './timeline-scale.js';

/** Log types with their own colour in theme.css. Any other log is drawn in `--log-other`. */
const COLOURED_LOGS = new Set(['conn', 'dns', 'http', 'ssl', 'smtp', 'files', 'ftp']);

/** Returns the CSS colour of a log type, as a theme variable. */
export function logColour(log: string): string {
  return COLOURED_LOGS.has(log) ? `var(--log-${log})` : 'var(--log-other)';
}

export interface LogPath {
  log: string;
  colour: string;
  /** SVG path data: one rectangle per bucket where the log has events. */
  d: string;
}

/**
 * Builds the stacked histogram as one SVG path per log type, in the order of `timeline.logs`
 * from the bottom up. A bucket with events is at least one pixel high, so a lone event stays
 * visible next to a busy stretch.
 */
export function stackedPaths(timeline: Timeline, view: Span, width: number, height: number): LogPath[] {
  const highest = timeline.buckets.reduce((max, bucket) => Math.max(max, bucket.total), 0);
  if (highest === 0 || width <= 0 || height <= 0) return [];
  const scale = height / highest;
  const parts = new Map<string, string[]>(timeline.logs.map((log) => [log, []]));

  for (const bucket of timeline.buckets) {
    if (bucket.total === 0) continue;
    const left = Math.max(0, timeToX(bucket.from, view, width));
    const right = Math.min(width, timeToX(bucket.to, view, width));
    if (right <= 0 || left >= width) continue;
    const barWidth = Math.max(0.5, right - left - (right - left > 4 ? 1 : 0));
    let base = height;
    for (const log of timeline.logs) {
      const count = bucket.counts[log] ?? 0;
      if (count === 0) continue;
      const barHeight = Math.max(1, count * scale);
      parts.get(log)!.push(`M${round(left)} ${round(base)}h${round(barWidth)}v${round(-barHeight)}h${round(-barWidth)}z`);
      base -= barHeight;
    }
  }
  return timeline.logs.filter((log) => parts.get(log)!.length > 0).map((log) => ({ log, colour: logColour(log), d: parts.get(log)!.join('') }));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Returns the bucket that contains `micros`, or undefined outside the buckets. Buckets are sorted and do not overlap. */
export function bucketAt(timeline: Timeline, micros: number): Timeline['buckets'][number] | undefined {
  const buckets = timeline.buckets;
  let low = 0;
  let high = buckets.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const bucket = buckets[middle]!;
    if (micros < bucket.from) high = middle - 1;
    else if (micros >= bucket.to) low = middle + 1;
    else return bucket;
  }
  return undefined;
}
