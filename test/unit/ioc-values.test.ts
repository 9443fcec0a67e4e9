import { describe, expect, it } from 'vitest';
import { inferIocType, normalizeIndicator, type IocType } from '../../main/iocs/ioc-values.js';

describe('normalizeIndicator', () => {
  const canonical: [string, IocType | undefined, IocType, string][] = [
    ['Example.COM.', undefined, 'domain', 'example.com'],
    ['  mail.Example.org ', 'domain', 'domain', 'mail.example.org'],
    ['bücher.example', 'domain', 'domain', 'xn--bcher-kva.example'],
    ['_dmarc.example.com', 'domain', 'domain', '_dmarc.example.com'],
    ['192.0.2.10', undefined, 'ipv4', '192.0.2.10'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', undefined, 'ipv6', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', 'ipv6', 'ipv6', '2001:db8::1:0:0:1'],
    ['fd2d:ab8c:225:0:81d3:fd3e:7f62:aec8', 'ipv6', 'ipv6', 'fd2d:ab8c:225:0:81d3:fd3e:7f62:aec8'],
    ['::ffff:192.0.2.1', 'ipv6', 'ipv6', '::ffff:192.0.2.1'],
    ['::', 'ipv6', 'ipv6', '::'],
    ['HTTP://Example.COM:80/a b?q=1#frag', undefined, 'url', 'http://example.com/a%20b?q=1'],
    ['https://example.com.', 'url', 'url', 'https://example.com/'],
    ['John.Doe@Example.COM', undefined, 'email', 'John.Doe@example.com'],
    ['D41D8CD98F00B204E9800998ECF8427E', undefined, 'md5', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', undefined, 'sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', undefined, 'sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['E7D705A3286E19EA42F587B344EE6865', 'ja3', 'ja3', 'e7d705a3286e19ea42f587b344ee6865'],
    [' TeslaBrowser/5.5 ', 'user-agent', 'user-agent', 'TeslaBrowser/5.5'],
  ];
  for (const [input, type, expectedType, expectedValue] of canonical) {
    it(`canonical form of ${input.trim()}`, () => {
      const indicator = normalizeIndicator(input, type);
      expect(indicator.type).toBe(expectedType);
      expect(indicator.value).toBe(expectedValue);
    });
  }

  const invalid: [string, IocType | undefined, RegExp][] = [
    ['evil domain.com', 'domain', /cannot contain spaces/],
    ['bad..example.com', 'domain', /empty label/],
    ['-bad.example.com', 'domain', /may not start or end with a hyphen/],
    [`${'a'.repeat(64)}.example.com`, 'domain', /maximum is 63/],
    ['256.1.1.1', undefined, /256 is out of range/],
    ['1.2.3', undefined, /last label is a number/],
    ['10.0.0', 'ipv4', /four decimal numbers/],
    ['010.0.0.1', 'ipv4', /leading zero/],
    ['2001:db8::1::2', 'ipv6', /not a valid IPv6 address/],
    ['fe80::1%eth0', 'ipv6', /zone indexes/],
    ['d41d8cd98f00b204e9800998ecf8427e', 'sha1', /40 hex digits, this one has 32 \(the length of md5\)/],
    ['xyz41d8cd98f00b204e9800998ecf842', 'md5', /hexadecimal/],
    ['not a url', 'url', /not an absolute URL/],
    ['@example.com', 'email', /name@domain/],
    ['someone@bad domain', 'email', /domain is invalid/],
    ['   ', undefined, /empty/],
    ['UA\u0007bell', 'user-agent', /control characters/],
  ];
  for (const [input, type, reason] of invalid) {
    it(`rejects ${JSON.stringify(input).slice(0, 40)} as ${type ?? 'guessed'}`, () => {
      expect(() => normalizeIndicator(input, type)).toThrow(reason);
    });
  }

  it('names the value in the error', () => {
    expect(() => normalizeIndicator('300.1.2.3', 'ipv4')).toThrow('Invalid ipv4 "300.1.2.3"');
  });
});

describe('inferIocType', () => {
  it('rejects a value of no known shape', () => {
    expect(() => inferIocType('justaword')).toThrow(/Cannot tell the indicator type/);
  });

  it('takes 32 hex digits as md5', () => {
    expect(inferIocType('e7d705a3286e19ea42f587b344ee6865')).toBe('md5');
  });
});
