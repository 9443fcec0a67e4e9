import { describe, expect, it } from 'vitest';
import { IOC_TYPES, type IocType } from '../../main/iocs/ioc-values.js';
import { buildPattern, parsePattern } from '../../main/iocs/stix-pattern.js';

const SAMPLES: Record<IocType, string> = {
  domain: 'gatyfus.com',
  ipv4: '67.55.121.97',
  ipv6: '2001:db8::1',
  email: "o'brien@example.com",
  url: "http://example.com/a'b\\c",
  md5: 'd41d8cd98f00b204e9800998ecf8427e',
  sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'user-agent': 'Mozilla/4.0 (compatible; MSIE 2.0)',
  ja3: 'e7d705a3286e19ea42f587b344ee6865',
};

describe('buildPattern', () => {
  for (const type of IOC_TYPES) {
    it(`round trips a ${type} pattern`, () => {
      const parsed = parsePattern(buildPattern(type, SAMPLES[type]));
      expect(parsed).toEqual({ status: 'ok', comparisons: [{ type, value: SAMPLES[type] }] });
    });
  }

  it('quotes hyphenated hash names', () => {
    expect(buildPattern('sha256', SAMPLES.sha256)).toBe(`[file:hashes.'SHA-256' = '${SAMPLES.sha256}']`);
  });

  it('escapes quotes and backslashes', () => {
    expect(buildPattern('url', SAMPLES.url)).toBe("[url:value = 'http://example.com/a\\'b\\\\c']");
  });
});

describe('parsePattern', () => {
  it('reads comparisons joined by OR', () => {
    const parsed = parsePattern("[domain-name:value = 'a.example' OR ipv4-addr:value = '192.0.2.1']");
    expect(parsed).toEqual({ status: 'ok', comparisons: [{ type: 'domain', value: 'a.example' }, { type: 'ipv4', value: '192.0.2.1' }] });
  });

  it('reads unquoted hash names', () => {
    expect(parsePattern("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']")).toMatchObject({ status: 'ok', comparisons: [{ type: 'md5' }] });
  });

  const unsupported: [string, RegExp][] = [
    ["[domain-name:value = 'a.example' AND ipv4-addr:value = '192.0.2.1']", /AND/],
    ["[domain-name:value LIKE '%.example']", /operator LIKE/],
    ["[domain-name:value MATCHES '^a']", /operator MATCHES/],
    ["[ipv4-addr:value ISSUBSET '10.0.0.0/8']", /operator ISSUBSET/],
    ["[domain-name:value = 'a.example'] FOLLOWEDBY [domain-name:value = 'b.example']", /several observations/],
    ["[domain-name:value = 'a.example'] WITHIN 300 SECONDS", /qualifiers/],
    ["[process:name = 'evil.exe']", /object path process:name/],
    ["[network-traffic:dst_port = 443]", /only quoted strings/],
    ["([domain-name:value = 'a.example'])", /.+/],
  ];
  for (const [pattern, reason] of unsupported) {
    it(`reports ${pattern.slice(0, 48)}`, () => {
      const parsed = parsePattern(pattern);
      expect(parsed.status).not.toBe('ok');
      expect(parsed.status === 'ok' ? '' : parsed.reason).toMatch(reason);
    });
  }

  const invalid = ["domain-name:value = 'a'", "[domain-name:value = 'unterminated]", "[domain-name:value = 'a' OR]", "[domain-name:value = 'bad\\n']", '[]'];
  for (const pattern of invalid) {
    it(`marks ${pattern} invalid`, () => {
      expect(parsePattern(pattern).status).toBe('invalid');
    });
  }
});
