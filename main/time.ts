/**
 * Timestamps inside Netcase are integer microseconds since the Unix epoch (UTC), the resolution
 * Zeek writes. Converting through a JavaScript `Date` would lose the last three digits.
 */

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

const EPOCH_PATTERN = /^-?\d+(?:\.\d+)?$/;

/** Parses epoch seconds written as decimal text ("1521911720.865716") without float rounding. */
export function epochTextToMicros(text: string): number | null {
  if (!EPOCH_PATTERN.test(text)) return null;
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  const [whole, fraction = ''] = unsigned.split('.');
  const micros = Number(whole) * 1_000_000 + fractionToMicros(fraction);
  return negative ? -micros : micros;
}

/** Converts epoch seconds held as a JavaScript number; exact to the microsecond for Zeek's 6 decimals. */
export function epochSecondsToMicros(seconds: number): number {
  return Math.round(seconds * 1_000_000);
}

/**
 * Parses ISO 8601 date-times such as "2018-03-24T17:15:20.865716Z". A value without a zone is
 * read as UTC, because Zeek and the CLI always mean UTC.
 */
export function isoToMicros(text: string): number | null {
  const match = ISO_PATTERN.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone = 'Z'] = match;
  const millis = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (Number.isNaN(millis)) return null;
  const offsetMinutes = zoneOffsetMinutes(zone);
  return (millis - offsetMinutes * 60_000) * 1000 + fractionToMicros(fraction);
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Parses a user-supplied time: ISO 8601 (a date alone means its midnight UTC) or epoch seconds. */
export function parseTimeArgument(text: string): number | null {
  if (DATE_PATTERN.test(text)) return isoToMicros(`${text}T00:00Z`);
  return epochTextToMicros(text) ?? isoToMicros(text);
}

/** Formats microseconds as ISO 8601 UTC with all six decimals. */
export function microsToIso(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const base = new Date(millis).toISOString().slice(0, 19);
  const fraction = String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return `${base}.${fraction}Z`;
}

/** Formats microseconds as epoch seconds with six decimals, the way Zeek's JSON writer does. */
export function microsToEpochSeconds(micros: number): number {
  return micros / 1_000_000;
}

function fractionToMicros(fraction: string): number {
  if (fraction === '') return 0;
  const digits = fraction.padEnd(7, '0');
  const micros = Number(digits.slice(0, 6));
  return Number(digits[6]) >= 5 ? micros + 1 : micros;
}

function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}
