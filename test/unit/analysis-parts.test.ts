import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractFromRecord } from '../../main/analysis/extract.js';
import { toFtsQuery } from '../../main/analysis/event-search.js';
import { LocalNetworks } from '../../main/analysis/networks.js';
import { loadRules, ServiceMatcher } from '../../main/analysis/rules.js';
import { niceWidth } from '../../main/analysis/timeline.js';
import { coverWithSignedBuckets, splitIntoBuckets } from '../../main/analysis/window.js';
import { isNetcaseError } from '../../main/errors.js';
import { tempDir } from '../helpers/temp.js';

describe('splitIntoBuckets', () => {
  it('covers every second exactly once', () => {
    const widths = [3600, 60, 1];
    for (const [from, to] of [
      [0, 1],
      [59, 61],
      [3599, 7201],
      [1000, 10_000],
      [7200, 10_800],
      [5, 5],
    ] as const) {
      const covered: number[] = [];
      for (const range of splitIntoBuckets(from, to, widths)) {
        for (let bucket = range.fromBucket; bucket < range.toBucket; bucket++) {
          for (let second = bucket * range.width; second < (bucket + 1) * range.width; second++) covered.push(second);
        }
      }
      expect(covered, `${from}..${to}`).toEqual(Array.from({ length: to - from }, (_, i) => from + i));
    }
  });

  it('uses the widest buckets that fit', () => {
    expect(splitIntoBuckets(3599, 7201, [3600, 60, 1])).toEqual([
      { width: 1, fromBucket: 3599, toBucket: 3600 },
      { width: 3600, fromBucket: 1, toBucket: 2 },
      { width: 1, fromBucket: 7200, toBucket: 7201 },
    ]);
  });
});

describe('coverWithSignedBuckets', () => {
  const widths = [3600, 60, 1];

  function coverage(from: number, to: number): Map<number, number> {
    const counts = new Map<number, number>();
    for (const range of coverWithSignedBuckets(from, to, widths)) {
      for (let second = range.fromBucket * range.width; second < range.toBucket * range.width; second++) {
        counts.set(second, (counts.get(second) ?? 0) + range.sign);
      }
    }
    return counts;
  }

  it('counts every second of the window once', () => {
    const windows: [number, number][] = [[0, 1], [59, 61], [3599, 7201], [1000, 10_000], [7217, 10_817], [7205, 10_795], [10, 3590], [5, 5]];
    let seed = 7;
    for (let round = 0; round < 40; round++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const from = seed % 20_000;
      windows.push([from, from + 1 + (seed % 9000)]);
    }

    for (const [from, to] of windows) {
      const counts = coverage(from, to);
      const wrong = [...counts].filter(([second, count]) => count !== (second >= from && second < to ? 1 : 0));
      expect(wrong, `${from}..${to}`).toEqual([]);
      expect([...counts.values()].filter((count) => count === 1).length, `${from}..${to}`).toBe(to - from);
    }
  });

  it('subtracts the edges of a nearly full hour', () => {
    expect(coverWithSignedBuckets(7217, 10_817, widths)).toEqual([
      { width: 1, fromBucket: 7200, toBucket: 7217, sign: -1 },
      { width: 3600, fromBucket: 2, toBucket: 3, sign: 1 },
      { width: 1, fromBucket: 10_800, toBucket: 10_817, sign: 1 },
    ]);
  });
});

describe('niceWidth', () => {
  it('rounds up to a readable width', () => {
    expect(niceWidth(0.3)).toBe(1);
    expect(niceWidth(1)).toBe(1);
    expect(niceWidth(3)).toBe(5);
    expect(niceWidth(61)).toBe(120);
    expect(niceWidth(4000)).toBe(7200);
  });
});

describe('LocalNetworks', () => {
  it('classifies the default private ranges', () => {
    const networks = new LocalNetworks();
    expect(networks.isInternal('10.1.9.101')).toBe(true);
    expect(networks.isInternal('172.31.255.1')).toBe(true);
    expect(networks.isInternal('172.32.0.1')).toBe(false);
    expect(networks.isInternal('169.254.10.1')).toBe(true);
    expect(networks.isInternal('fe80::1')).toBe(true);
    expect(networks.isInternal('fd12:3456::1')).toBe(true);
    expect(networks.isInternal('2001:db8::1')).toBe(false);
    expect(networks.isInternal('149.154.167.220')).toBe(false);
    expect(networks.isInternal('not an address')).toBe(false);
  });

  it('accepts configured networks', () => {
    const networks = new LocalNetworks(['141.142.0.0/16', '2001:db8::/32']);
    expect(networks.isInternal('141.142.220.118')).toBe(true);
    expect(networks.isInternal('10.0.0.1')).toBe(false);
    expect(networks.isInternal('2001:db8:ffff::1')).toBe(true);
  });

  it('rejects malformed networks', () => {
    expect(() => new LocalNetworks(['10.0.0.0/33'])).toThrow(/not a network/);
    expect(() => new LocalNetworks(['example.com/8'])).toThrow(/CIDR/);
  });
});

describe('toFtsQuery', () => {
  it('quotes each word and keeps prefixes', () => {
    expect(toFtsQuery('api.telegram.org')).toBe('"api.telegram.org"');
    expect(toFtsQuery('  curl*  POST ')).toBe('"curl"* "POST"');
    expect(toFtsQuery('say "hi"')).toBe('"say" """hi"""');
    expect(toFtsQuery('   ')).toBeNull();
  });
});

describe('extractFromRecord', () => {
  it('reads DNS queries, answers and aliases', () => {
    const result = extractFromRecord('dns', { 'id.orig_h': '10.0.0.5', 'id.resp_h': '10.0.0.1', query: 'CheckIP.DynDNS.org.', qtype_name: 'A', answers: ['checkip.dyndns.com', '158.101.44.242'] });
    expect(result.relations.map((relation) => `${relation.kind} ${relation.source.value} ${relation.target.value}`)).toEqual([
      'queried 10.0.0.5 checkip.dyndns.org',
      'alias_of checkip.dyndns.org checkip.dyndns.com',
      'resolved_to checkip.dyndns.org 158.101.44.242',
    ]);
  });

  it('reads HTTP host, URL and user agent', () => {
    const result = extractFromRecord('http', { 'id.orig_h': '10.0.0.5', 'id.resp_h': '45.9.74.78', 'id.resp_p': 8080, host: 'example.net:8080', uri: '/a?b=1', method: 'POST', user_agent: 'UA/1.0', request_body_len: 10, response_body_len: 5 });
    expect(result.entities).toContainEqual({ kind: 'domain', value: 'example.net' });
    expect(result.entities).toContainEqual({ kind: 'url', value: 'http://example.net:8080/a?b=1' });
    expect(result.entities).toContainEqual({ kind: 'user_agent', value: 'UA/1.0' });
    expect(result.relations.find((relation) => relation.kind === 'reached_http')?.bytes).toBe(15);
  });

  it('reads mail addresses from SMTP headers', () => {
    const result = extractFromRecord('smtp', { 'id.resp_h': '198.51.100.25', mailfrom: '<A@Example.org>', rcptto: ['b@example.net'] });
    const mailed = result.relations.find((relation) => relation.kind === 'mailed');
    expect(mailed?.source.value).toBe('a@example.org');
    expect(mailed?.target.value).toBe('b@example.net');
    expect(mailed?.detail).toBe('198.51.100.25');
  });

  it('reads file hashes and the receiving host', () => {
    const result = extractFromRecord('files', { 'id.orig_h': '10.0.0.5', 'id.resp_h': '203.0.113.9', is_orig: false, sha256: 'AB'.repeat(32), source: 'HTTP', seen_bytes: 1000 });
    const download = result.relations.find((relation) => relation.kind === 'downloaded');
    expect(download?.source.value).toBe('10.0.0.5');
    expect(download?.target).toEqual({ kind: 'file', value: 'ab'.repeat(32) });
    expect(download?.bytes).toBe(1000);
  });

  it('ignores reverse lookups and non-names', () => {
    expect(extractFromRecord('dns', { query: '1.0.0.10.in-addr.arpa' }).entities).toEqual([]);
    expect(extractFromRecord('dns', { query: 'not a name' }).entities).toEqual([]);
  });
});

describe('loadRules', () => {
  it('loads the shipped packs', () => {
    const rules = loadRules();
    const ids = rules.rules.map((rule) => rule.id);
    for (const id of ['public-ip-lookup', 'public-ip-lookup-burst', 'geolocation-lookup', 'cloud-storage-staging', 'messaging-api-from-endpoint', 'smtp-from-endpoint', 'ftp-upload-from-endpoint', 'http-form-post-rare-host', 'executable-download', 'rare-tld']) {
      expect(ids).toContain(id);
    }
    for (const rule of rules.rules) expect(rule.technique, rule.id).toMatch(/^T\d{4}/);
  });

  it('lets an analyst file extend and override', () => {
    const file = join(tempDir(), 'mine.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'netcase-rules',
        version: 1,
        services: { 'messaging-api': { title: 'chat APIs', domains: ['chat.example.org'] } },
        rules: [{ id: 'rare-tld', title: 'Rare TLD', rationale: 'Off for this case.', severity: 'low', technique: 'T1583.001', type: 'rare-tld', maxDomains: 1, commonTlds: [], enabled: false }],
      }),
    );
    const rules = loadRules(file);
    expect(new ServiceMatcher(rules.services.get('messaging-api')!).matchesDomain('api.chat.example.org')).toBe(true);
    expect(rules.rules.find((rule) => rule.id === 'rare-tld')?.enabled).toBe(false);
    expect(rules.sources.at(-1)).toBe(file);
  });

  it('rejects an invalid rule file with the reason', () => {
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, JSON.stringify({ format: 'netcase-rules', version: 1, rules: [{ id: 'x', title: 't', rationale: 'r', severity: 'urgent', technique: 'T1', type: 'ftp-upload', commands: ['STOR'] }] }));
    try {
      loadRules(file);
      expect.unreachable();
    } catch (error) {
      expect(isNetcaseError(error)).toBe(true);
      expect((error as { code?: string }).code).toBe('INPUT_INVALID');
      expect((error as Error).message).toMatch(/rules\.0\.severity/);
      expect((error as Error).message).toMatch(/rules\.0\.technique/);
    }
  });

  it('rejects a rule naming an unknown service list', () => {
    const file = join(tempDir(), 'unknown.json');
    writeFileSync(file, JSON.stringify({ format: 'netcase-rules', version: 1, rules: [{ id: 'x', title: 't', rationale: 'r', severity: 'low', technique: 'T1071', type: 'service-contact', service: 'no-such-list' }] }));
    expect(() => loadRules(file)).toThrow(/no-such-list/);
  });

  it('reports a missing rule file', () => {
    expect(() => loadRules(join(tempDir(), 'missing.json'))).toThrow(/not found/);
  });
});

describe('ServiceMatcher', () => {
  it('matches service families, not lookalikes', () => {
    const rules = loadRules();
    const storage = new ServiceMatcher(rules.services.get('cloud-storage')!);
    expect(storage.matchesDomain('mybucket.s3.us-east-1.amazonaws.com')).toBe(true);
    expect(storage.matchesDomain('firebasestorage.googleapis.com')).toBe(true);
    expect(storage.matchesDomain('bucket.s3.cubbit.eu')).toBe(true);
    expect(storage.matchesDomain('www.example.com')).toBe(false);
    expect(storage.matchesDomain('notdropbox.com')).toBe(false);
    const ipCheck = new ServiceMatcher(rules.services.get('public-ip-check')!);
    expect(ipCheck.matchesDomain('api.ipify.org')).toBe(true);
    expect(ipCheck.matchesDomain('whatismyip.akamai.com')).toBe(true);
    const messaging = new ServiceMatcher(rules.services.get('messaging-api')!);
    expect(messaging.matchesUrl('https://discord.com/api/webhooks/123/abc')).toBe(true);
    expect(messaging.matchesUrl('https://discord.com/channels/1')).toBe(false);
  });
});
