import { vi } from 'vitest';
import type { CaseInfo, EventRow, Timeline } from '../../preload/api.js';

/** 2026-01-09 18:00:00 UTC in microseconds, the start of the fake case. */
export const CASE_START = Date.UTC(2026, 0, 9, 18, 0, 0) * 1000;
/** The fake case spans ten minutes. */
export const CASE_LAST = CASE_START + 600 * 1_000_000 - 1;

/** Builds a case summary with only the fields the panes read. */
export function fakeCaseInfo(total = 1200): CaseInfo {
  return {
    dir: '/cases/fake',
    case: { id: 'c1', name: 'Fake', analyst: 'Tester', created: '2026-01-09T18:00:00Z', timeZone: 'UTC' },
    evidence: [],
    evidenceOk: true,
    imports: 1,
    events: { total, byLog: [{ log: 'conn', count: total / 2 }, { log: 'dns', count: total / 2 }], first: CASE_START, last: CASE_LAST },
    audit: { ok: true, entries: 1 },
  };
}

/** Builds a histogram of `buckets` equal buckets over the request's span, with conn and dns counts. */
export function fakeTimeline(request: { from?: number; to?: number; buckets?: number }): Timeline {
  const from = request.from ?? CASE_START;
  const to = request.to ?? CASE_LAST + 1;
  const count = request.buckets ?? 60;
  const width = (to - from) / count;
  const buckets = Array.from({ length: count }, (_, index) => ({
    from: Math.round(from + index * width),
    to: Math.round(from + (index + 1) * width),
    total: 3 + (index % 4),
    counts: { conn: 2, dns: 1 + (index % 4) },
  }));
  return { from, to, bucketSeconds: width / 1e6, logs: ['conn', 'dns'], total: buckets.reduce((sum, bucket) => sum + bucket.total, 0), buckets };
}

/** Builds event `index` of a fake result list: dns for even indices, conn for odd ones. */
export function fakeEvent(index: number, from = CASE_START): EventRow {
  const ts = from + index * 1000;
  const dns = index % 2 === 0;
  const record = dns
    ? { ts: ts / 1e6, uid: `C${index}`, 'id.orig_h': '10.0.0.5', 'id.orig_p': 50000, 'id.resp_h': '10.0.0.1', 'id.resp_p': 53, proto: 'udp', query: `host${index}.example.com`, qtype_name: 'A', answers: ['203.0.113.9'] }
    : { ts: ts / 1e6, uid: `C${index}`, 'id.orig_h': '10.0.0.5', 'id.orig_p': 50001, 'id.resp_h': '203.0.113.9', 'id.resp_p': 443, proto: 'tcp', service: 'ssl', orig_bytes: 10, resp_bytes: 20 };
  return {
    id: index + 1,
    log: dns ? 'dns' : 'conn',
    ts,
    uid: `C${index}`,
    orig_h: '10.0.0.5',
    orig_p: dns ? 50000 : 50001,
    resp_h: dns ? '10.0.0.1' : '203.0.113.9',
    resp_p: dns ? 53 : 443,
    proto: dns ? 'udp' : 'tcp',
    record: JSON.stringify(record),
  };
}

/** Installs a fake `window.netcase` with the methods the timeline and events panes call. */
export function installFakeApi(options: { total?: number; events?: (offset: number, limit: number) => EventRow[] } = {}) {
  const total = options.total ?? 1200;
  const events = options.events ?? ((offset: number, limit: number) => Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, index) => fakeEvent(offset + index)));
  const api = {
    // The listener is typed so tests can call the one a pane registered.
    app: { onCommand: vi.fn((_listener: (command: { command: string }) => void) => () => {}) },
    timeline: { get: vi.fn(async (request: { from?: number; to?: number; buckets?: number }) => fakeTimeline(request)) },
    events: {
      search: vi.fn(async (request: { offset?: number; limit?: number }) => {
        const offset = request.offset ?? 0;
        const limit = request.limit ?? 100;
        const page = events(offset, limit);
        return { events: page, hasMore: offset + page.length < total, total };
      }),
    },
  };
  (window as unknown as { netcase: unknown }).netcase = api;
  return api;
}

/** Makes every element report a box of the given size, as happy-dom lays nothing out. */
export function fakeLayout(width: number, height: number): void {
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue({ left: 0, top: 0, right: width, bottom: height, width, height, x: 0, y: 0, toJSON: () => ({}) } as DOMRect);
}

/** Replaces requestAnimationFrame with a manual queue: `frame(now)` runs the callbacks queued so far with that timestamp. */
export function manualAnimationFrames() {
  let queue: FrameRequestCallback[] = [];
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => {
    queue.push(callback);
    return queue.length;
  });
  vi.stubGlobal('cancelAnimationFrame', () => {
    queue = [];
  });
  return {
    frame(now: number): void {
      const due = queue;
      queue = [];
      for (const callback of due) callback(now);
    },
    pending: () => queue.length,
  };
}

/**
 * Sets the time zone that `Date` uses for local time (Node rereads TZ when it changes), or
 * restores the default with undefined. The renderer's type settings have no Node types, hence
 * the cast.
 */
export function setTimeZone(zone: string | undefined): void {
  const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
  if (zone === undefined) delete env.TZ;
  else env.TZ = zone;
}
