import { afterEach, describe, expect, it } from 'vitest';
import { axisTicks, bucketCountFor, parseZoneTime, timeToX, xToTime } from '../../renderer/src/components/timeline/timeline-scale.js';
import { stackedPaths } from '../../renderer/src/components/timeline/histogram-paths.js';
import type { Timeline } from '../../preload/api.js';
import { setTimeZone } from './pane-fakes.js';

const at = (iso: string): number => Date.parse(iso) * 1000;

afterEach(() => {
  setTimeZone(undefined);
});

describe('timeline scale', () => {
  it('maps time to pixels and back', () => {
    const view = { from: at('2026-01-09T18:00:00Z'), to: at('2026-01-09T18:10:00Z') };
    expect(timeToX(at('2026-01-09T18:05:00Z'), view, 600)).toBe(300);
    expect(xToTime(150, view, 600)).toBe(at('2026-01-09T18:02:30Z'));
    expect(xToTime(-20, view, 600)).toBe(view.from);
    expect(xToTime(900, view, 600)).toBe(view.to);
  });

  it('bucket count follows the width', () => {
    expect(bucketCountFor(600)).toBe(300);
    expect(bucketCountFor(1)).toBe(1);
    expect(bucketCountFor(10_000)).toBe(2000);
  });

  it('ticks fall on round UTC minutes', () => {
    const view = { from: at('2026-01-09T18:00:20Z'), to: at('2026-01-09T18:10:00Z') };
    const ticks = axisTicks(view, 600, 'utc');
    expect(ticks.map((tick) => tick.label)).toEqual(['18:02', '18:04', '18:06', '18:08', '18:10']);
    expect(ticks[0]!.micros).toBe(at('2026-01-09T18:02:00Z'));
  });

  it('ticks fall on round local hours', () => {
    setTimeZone('Asia/Kolkata');
    const view = { from: at('2026-01-09T18:00:00Z'), to: at('2026-01-10T00:00:00Z') };
    const ticks = axisTicks(view, 600, 'local');
    expect(ticks[0]!.label).toBe('00:00');
    expect(ticks[0]!.micros).toBe(at('2026-01-09T18:30:00Z'));
  });

  it('sub-second views label milliseconds', () => {
    const view = { from: at('2026-01-09T18:00:00Z'), to: at('2026-01-09T18:00:00.500Z') };
    expect(axisTicks(view, 600, 'utc')[1]!.label).toBe('18:00:00.100');
  });

  it('parses typed times with microseconds', () => {
    expect(parseZoneTime('2026-01-09 18:05:07.123456', 'utc')).toBe(at('2026-01-09T18:05:07Z') + 123_456);
    expect(parseZoneTime(' 2026-01-09T18:05 ', 'utc')).toBe(at('2026-01-09T18:05:00Z'));
  });

  it('rejects malformed typed times', () => {
    expect(() => parseZoneTime('yesterday', 'utc')).toThrow('"yesterday" is not a time. Type it as YYYY-MM-DD HH:MM:SS.fff in UTC.');
    expect(() => parseZoneTime('2026-13-01 00:00:00', 'local')).toThrow('not a valid date and time in local time');
    expect(() => parseZoneTime('2026-01-09 24:00:00', 'utc')).toThrow('not a valid date and time');
  });

  it('stacks log paths bottom up', () => {
    const timeline: Timeline = {
      from: 0,
      to: 2_000_000,
      bucketSeconds: 1,
      logs: ['conn', 'weird'],
      total: 6,
      buckets: [
        { from: 0, to: 1_000_000, total: 4, counts: { conn: 2, weird: 2 } },
        { from: 1_000_000, to: 2_000_000, total: 2, counts: { conn: 2 } },
      ],
    };
    const paths = stackedPaths(timeline, { from: 0, to: 2_000_000 }, 100, 40);
    expect(paths.map((path) => path.colour)).toEqual(['var(--log-conn)', 'var(--log-other)']);
    expect(paths[0]!.d).toBe('M0 40h49v-20h-49zM50 40h49v-20h-49z');
    expect(paths[1]!.d).toBe('M0 20h49v-20h-49z');
  });
});
