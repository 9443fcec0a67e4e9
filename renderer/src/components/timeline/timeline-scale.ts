import { formatTime, type TimeZoneMode } from '../../format.js';

/**
 * Pure helpers of the timeline scrubber: mapping between time and pixels, axis ticks in the
 * shown zone, parsing typed times and zooming. Times are integer microseconds since the epoch.
 */

export interface Span {
  from: number;
  to: number;
}

const MICROS_PER_MS = 1000;
const MICROS_PER_SECOND = 1_000_000;

/** The narrowest span zoom in reaches: the timeline's buckets are at least one second wide. */
export const MIN_VIEW_MICROS = 2 * MICROS_PER_SECOND;

/**
 * Pixels per histogram bucket in the scrubber's request. `timeline.get` rounds the bucket
 * width up to a readable one (1, 2, 5, 10, 15, 30 s and so on), so a drawn bucket is 2 to 5 px
 * wide. Views of a few minutes or less get wider bars, because a bucket is at least one second.
 */
const PIXELS_PER_BUCKET = 2;
const MAX_BUCKETS = 2000;

/** Returns the bucket count to request for a histogram `width` pixels wide. */
export function bucketCountFor(width: number): number {
  return Math.min(MAX_BUCKETS, Math.max(1, Math.round(width / PIXELS_PER_BUCKET)));
}

/** Returns the x position in pixels of `micros` on a histogram `width` pixels wide showing `view`. */
export function timeToX(micros: number, view: Span, width: number): number {
  const length = view.to - view.from;
  if (length <= 0) return 0;
  return ((micros - view.from) / length) * width;
}

/** Returns the time at pixel `x`, clamped to the view and rounded to whole microseconds. */
export function xToTime(x: number, view: Span, width: number): number {
  if (width <= 0) return view.from;
  const share = Math.min(1, Math.max(0, x / width));
  return Math.round(view.from + share * (view.to - view.from));
}

/** Tick spacings in milliseconds, from one millisecond up to about a month. */
const TICK_STEPS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
  7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000, 2_592_000_000,
];

export interface Tick {
  micros: number;
  label: string;
}

/**
 * Returns axis ticks about `spacing` pixels apart, on round times of the shown zone (whole
 * minutes, hours or days there), labelled in that zone. NOTE: in local time the ticks follow
 * the zone offset at the start of the view. After a daylight-saving change inside the view
 * they sit one hour off round local times, but their labels stay correct.
 */
export function axisTicks(view: Span, width: number, mode: TimeZoneMode, spacing = 110): Tick[] {
  const lengthMs = (view.to - view.from) / MICROS_PER_MS;
  if (lengthMs <= 0 || width <= 0) return [];
  const minimumStep = (lengthMs * spacing) / width;
  const step = TICK_STEPS_MS.find((candidate) => candidate >= minimumStep) ?? TICK_STEPS_MS[TICK_STEPS_MS.length - 1]!;

  const startMs = view.from / MICROS_PER_MS;
  const offsetMs = mode === 'utc' ? 0 : -new Date(startMs).getTimezoneOffset() * 60_000;
  const ticks: Tick[] = [];
  for (let shifted = Math.ceil((startMs + offsetMs) / step) * step; shifted - offsetMs <= view.to / MICROS_PER_MS; shifted += step) {
    const micros = (shifted - offsetMs) * MICROS_PER_MS;
    ticks.push({ micros, label: tickLabel(micros, step, mode) });
  }
  return ticks;
}

function tickLabel(micros: number, stepMs: number, mode: TimeZoneMode): string {
  const text = formatTime(micros, mode);
  if (stepMs < 1000) return text.slice(11, 23);
  if (stepMs < 60_000) return text.slice(11, 19);
  if (stepMs < 86_400_000) return text.slice(11, 16);
  return text.slice(0, 10);
}

const TYPED_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;

/**
 * Parses `YYYY-MM-DD HH:MM[:SS[.ffffff]]` in the shown zone into microseconds. Throws an Error
 * whose message names the text and the expected form when the text is not a valid time.
 */
export function parseZoneTime(text: string, mode: TimeZoneMode): number {
  const trimmed = text.trim();
  const match = TYPED_TIME.exec(trimmed);
  const zone = mode === 'utc' ? 'UTC' : 'local time';
  if (!match) throw new Error(`"${trimmed.slice(0, 40)}" is not a time. Type it as YYYY-MM-DD HH:MM:SS.fff in ${zone}.`);

  const [year, month, day, hours, minutes, seconds] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const fraction = Number((match[7] ?? '').padEnd(6, '0'));
  const date = mode === 'utc' ? new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds)) : new Date(year, month - 1, day, hours, minutes, seconds);
  const roundTrip = mode === 'utc'
    ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()];
  // A date such as 2026-02-30 rolls over into March, and a local time skipped by a
  // daylight-saving change moves by an hour. Both show up as a changed field.
  if (roundTrip.some((value, index) => value !== [year, month, day, hours, minutes, seconds][index])) {
    throw new Error(`"${trimmed.slice(0, 40)}" is not a valid date and time in ${zone}.`);
  }
  return date.getTime() * MICROS_PER_MS + fraction;
}

/** Returns the view after zooming in: to the window when one lies inside the view, else to the middle half. */
export function zoomIn(view: Span, window: Span | null): Span {
  if (window !== null && window.to - window.from >= MIN_VIEW_MICROS / 4 && (window.from > view.from || window.to < view.to)) {
    return widen({ from: Math.max(view.from, window.from), to: Math.min(view.to, window.to) }, MIN_VIEW_MICROS);
  }
  const quarter = (view.to - view.from) / 4;
  return widen({ from: Math.round(view.from + quarter), to: Math.round(view.to - quarter) }, MIN_VIEW_MICROS);
}

/** Returns the view after zooming out three times around its centre, or null once it covers the whole case. */
export function zoomOut(view: Span, whole: Span): Span | null {
  const length = (view.to - view.from) * 3;
  const centre = (view.from + view.to) / 2;
  let from = Math.round(centre - length / 2);
  let to = Math.round(centre + length / 2);
  if (from < whole.from) {
    to += whole.from - from;
    from = whole.from;
  }
  if (to > whole.to) {
    from = Math.max(whole.from, from - (to - whole.to));
    to = whole.to;
  }
  return from <= whole.from && to >= whole.to ? null : { from, to };
}

/** Widens a span around its centre to at least `length` microseconds. */
function widen(span: Span, length: number): Span {
  if (span.to - span.from >= length) return span;
  const centre = (span.from + span.to) / 2;
  return { from: Math.round(centre - length / 2), to: Math.round(centre + length / 2) };
}
