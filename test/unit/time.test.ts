import { describe, expect, it } from 'vitest';
import { epochTextToMicros, isoToMicros, microsToIso, parseTimeArgument } from '../../main/time.js';

describe('time', () => {
  it('parses epoch text exactly', () => {
    expect(epochTextToMicros('1521911720.865716')).toBe(1521911720865716);
    expect(epochTextToMicros('19.981745')).toBe(19981745);
    expect(epochTextToMicros('1767981883')).toBe(1767981883000000);
    expect(epochTextToMicros('1.1234567')).toBe(1123457);
    expect(epochTextToMicros('abc')).toBeNull();
  });

  it('parses ISO 8601 with zones and fractions', () => {
    expect(isoToMicros('2018-03-24T17:15:20.865716Z')).toBe(1521911720865716);
    expect(isoToMicros('2018-03-24T19:15:20.865716+02:00')).toBe(1521911720865716);
    expect(isoToMicros('2026-01-09T18:05:00Z')).toBe(1767981900000000);
    expect(isoToMicros('2026-01-09 18:05')).toBe(1767981900000000);
    expect(isoToMicros('not a date')).toBeNull();
  });

  it('formats micros as ISO with six decimals', () => {
    expect(microsToIso(1521911720865716)).toBe('2018-03-24T17:15:20.865716Z');
    expect(microsToIso(0)).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('accepts either form as a CLI time', () => {
    expect(parseTimeArgument('1767981900')).toBe(1767981900000000);
    expect(parseTimeArgument('2026-01-09T18:05:00Z')).toBe(1767981900000000);
    expect(parseTimeArgument('2026-01-09')).toBe(1767916800000000);
    expect(parseTimeArgument('soon')).toBeNull();
  });
});
