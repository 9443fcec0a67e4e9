import { describe, expect, it } from 'vitest';
import { contentHeight, MAX_SCROLL_PIXELS, scrollTopFor, visibleSlice } from '../../renderer/src/components/events/virtual-rows.js';
import { summarize } from '../../renderer/src/components/events/event-values.js';
import { ALL_LOG_COLUMNS } from '../../renderer/src/components/events/event-columns.js';

describe('virtual rows', () => {
  it('small lists scroll one pixel per pixel', () => {
    expect(contentHeight(100, 20)).toBe(2000);
    expect(visibleSlice(400, 200, 100, 20, 2)).toEqual({ first: 18, count: 15, top: 360 });
    expect(scrollTopFor(20, 200, 100, 20)).toBe(400);
  });

  it('huge lists map scroll proportionally', () => {
    const total = 5_000_000;
    const viewport = 220;
    expect(contentHeight(total, 22)).toBe(MAX_SCROLL_PIXELS);

    const end = visibleSlice(MAX_SCROLL_PIXELS - viewport, viewport, total, 22, 0);
    expect(end.first + end.count).toBe(total);
    expect(end.top + (total - end.first) * 22).toBeCloseTo(MAX_SCROLL_PIXELS, 3);

    const top = scrollTopFor(2_500_000, viewport, total, 22);
    expect(visibleSlice(top, viewport, total, 22, 0).first).toBe(2_500_000);
  });

  it('last rows stop at the list end', () => {
    const slice = visibleSlice(1780, 200, 100, 20, 6);
    expect(slice.first + slice.count).toBe(100);
  });
});

describe('summaries', () => {
  const text = (values: { text: string }[]): string => values.map((value) => value.text).join('');

  it('http summary pivots on the host', () => {
    const values = summarize('http', { method: 'GET', host: 'api.ipify.org:80', uri: '/?format=json', status_code: 200 });
    expect(text(values)).toBe('GET api.ipify.org:80/?format=json 200');
    expect(values.find((value) => value.pivot)?.pivot).toEqual({ kind: 'domain', value: 'api.ipify.org' });
  });

  it('smtp summary lists the recipients', () => {
    const values = summarize('smtp', { subject: 'Invoice', mailfrom: 'a@x.org', rcptto: ['b@y.org', 'c@y.org'] });
    expect(text(values)).toBe('"Invoice" from a@x.org to b@y.org, c@y.org');
    expect(values.filter((value) => value.pivot).map((value) => value.pivot!.value)).toEqual(['a@x.org', 'b@y.org', 'c@y.org']);
  });

  it('dns summary shows the answers', () => {
    expect(text(summarize('dns', { query: 'eraqron.shop', qtype_name: 'A', rcode_name: 'NOERROR', answers: ['203.0.113.7'] }))).toBe('eraqron.shop A NOERROR → 203.0.113.7');
  });
});

describe('endpoint columns', () => {
  const column = ALL_LOG_COLUMNS.find((candidate) => candidate.key === 'orig')!;
  const row = (address: string | null, port: number | null) => ({ id: 1, log: 'conn', ts: 0, uid: null, orig_h: address, orig_p: port, resp_h: null, resp_p: null, proto: null, record: '{}' });

  it('brackets an IPv6 address before its port', () => {
    expect(column.values(row('2001:db8::5', 443), 'utc')).toEqual([{ text: '[2001:db8::5]:443', pivot: { kind: 'host', value: '2001:db8::5' } }]);
  });

  it('shows an address without a port', () => {
    expect(column.values(row('10.0.0.5', null), 'utc')).toEqual([{ text: '10.0.0.5', pivot: { kind: 'host', value: '10.0.0.5' } }]);
    expect(column.values(row(null, 80), 'utc')).toEqual([]);
  });
});
