/**
 * Display helpers. Every time in the renderer is integer microseconds since the epoch, UTC,
 * as the contract carries it. The analyst chooses whether it is shown in UTC or local time.
 */

export type TimeZoneMode = 'utc' | 'local';

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `2024-01-01 18:05:07.123` in UTC or in the browser's local zone, with the zone named. */
export function formatTime(micros: number | null | undefined, mode: TimeZoneMode, withMillis = true): string {
  if (micros === null || micros === undefined) return '–';
  const date = new Date(Math.floor(micros / 1000));
  const utc = mode === 'utc';
  const year = utc ? date.getUTCFullYear() : date.getFullYear();
  const month = (utc ? date.getUTCMonth() : date.getMonth()) + 1;
  const day = utc ? date.getUTCDate() : date.getDate();
  const hours = utc ? date.getUTCHours() : date.getHours();
  const minutes = utc ? date.getUTCMinutes() : date.getMinutes();
  const seconds = utc ? date.getUTCSeconds() : date.getSeconds();
  const millis = utc ? date.getUTCMilliseconds() : date.getMilliseconds();
  const text = `${year}-${pad(month)}-${pad(day)} ${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
  return withMillis ? `${text}.${pad(millis, 3)}` : text;
}

/** The zone label shown next to times: `UTC` or the browser's offset such as `UTC+02:00`. */
export function zoneLabel(mode: TimeZoneMode, at = Date.now()): string {
  if (mode === 'utc') return 'UTC';
  const offset = -new Date(at).getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  return `UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** Bytes in binary units with one decimal: `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Thousands separated by a thin space, the same in every locale. */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}
