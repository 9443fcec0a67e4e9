import { domainToASCII } from 'node:url';
import { isIP, isIPv4 } from 'node:net';
import { NetcaseError, preview } from '../errors.js';

export const IOC_TYPES = ['domain', 'ipv4', 'ipv6', 'email', 'url', 'md5', 'sha1', 'sha256', 'user-agent', 'ja3'] as const;
export type IocType = (typeof IOC_TYPES)[number];

export const VERDICTS = ['malicious', 'suspicious', 'benign', 'unknown'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** An indicator value in its canonical form, the key of one IOC row. */
export interface Indicator {
  type: IocType;
  value: string;
}

const HASH_LENGTHS: Record<'md5' | 'sha1' | 'sha256' | 'ja3', number> = { md5: 32, sha1: 40, sha256: 64, ja3: 32 };
const MAX_VALUE_LENGTH = 4096;

export function isIocType(text: string): text is IocType {
  return (IOC_TYPES as readonly string[]).includes(text);
}

export function isVerdict(text: string): text is Verdict {
  return (VERDICTS as readonly string[]).includes(text);
}

/**
 * Validates a value for its type and returns its canonical form, so one indicator is one row.
 * Domains become lower-case punycode without trailing dot, IPv6 addresses are compressed (RFC
 * 5952), URLs take the WHATWG form without fragment and hashes become lower-case hex. Throws
 * INVALID_ARGUMENT with the reason. Without `type`, the type is inferred from the value's shape.
 */
export function normalizeIndicator(value: string, type?: IocType): Indicator {
  const trimmed = value.trim();
  if (trimmed === '') throw invalid(value, type, 'the value is empty');
  if (trimmed.length > MAX_VALUE_LENGTH) throw invalid(value, type, `it is ${trimmed.length} characters long; the maximum is ${MAX_VALUE_LENGTH}`);
  const resolvedType = type ?? inferIocType(trimmed);
  return { type: resolvedType, value: normalizeAs(resolvedType, trimmed) };
}

/**
 * Maps an analysis entity kind (host, domain, email, url, file, user_agent) to the IOC type of
 * its value. A file entity is a hash, typed by its length.
 */
export function iocTypeForEntity(kind: string, value: string): IocType {
  switch (kind) {
    case 'host':
      return isIP(value.trim()) === 6 ? 'ipv6' : 'ipv4';
    case 'user_agent':
      return 'user-agent';
    case 'file':
      return inferIocType(value.trim());
    default:
      if (isIocType(kind)) return kind;
      throw new NetcaseError('INVALID_ARGUMENT', `Unknown indicator type or entity kind "${preview(kind)}". Use one of ${IOC_TYPES.join(', ')}.`);
  }
}

/** Guesses the type of a value from its shape. A 32-digit hex value is taken as MD5, not JA3. */
export function inferIocType(value: string): IocType {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'url';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) return 'ipv4';
  if (value.includes(':') && /^[0-9a-f:.]+(%.+)?$/i.test(value)) return 'ipv6';
  if (/^[0-9a-f]+$/i.test(value)) {
    if (value.length === 32) return 'md5';
    if (value.length === 40) return 'sha1';
    if (value.length === 64) return 'sha256';
  }
  if (/^[^\s@]+@[^\s@]+$/.test(value)) return 'email';
  if (/^[^\s/]+\.[^\s/]+$/.test(value)) return 'domain';
  throw new NetcaseError('INVALID_ARGUMENT', `Cannot tell the indicator type of "${preview(value)}". Pass the type explicitly (one of ${IOC_TYPES.join(', ')}).`);
}

function normalizeAs(type: IocType, value: string): string {
  switch (type) {
    case 'domain':
      return normalizeDomain(value);
    case 'ipv4':
      return normalizeIpv4(value);
    case 'ipv6':
      return normalizeIpv6(value);
    case 'email':
      return normalizeEmail(value);
    case 'url':
      return normalizeUrl(value);
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'ja3':
      return normalizeHash(type, value);
    case 'user-agent':
      return normalizeUserAgent(value);
  }
}

export function normalizeDomain(value: string): string {
  if (/\s/.test(value)) throw invalid(value, 'domain', 'a domain name cannot contain spaces');
  const withoutDot = value.endsWith('.') ? value.slice(0, -1) : value;
  // Checked before domainToASCII, which turns numeric names such as "1.2.3" into IPv4 addresses.
  if (isIPv4(withoutDot)) throw invalid(value, 'domain', 'it is an IPv4 address; use type ipv4');
  if (/(^|\.)(\d+|0x[0-9a-f]*)$/i.test(withoutDot)) throw invalid(value, 'domain', 'its last label is a number, which no host name has (is it an incomplete IPv4 address?)');
  const ascii = domainToASCII(withoutDot.toLowerCase());
  if (ascii === '') throw invalid(value, 'domain', 'it is not a valid host name');
  if (ascii.length > 253) throw invalid(value, 'domain', `it is ${ascii.length} characters long; a domain name has at most 253`);
  for (const label of ascii.split('.')) {
    if (label === '') throw invalid(value, 'domain', 'it has an empty label (two dots in a row)');
    if (label.length > 63) throw invalid(value, 'domain', `the label "${preview(label, 20)}" is ${label.length} characters long; the maximum is 63`);
    // Underscores appear in real DNS names (SRV records, _domainkey), so they are accepted.
    if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/.test(label)) {
      throw invalid(value, 'domain', `the label "${preview(label, 20)}" may only contain letters, digits, hyphens and underscores, and may not start or end with a hyphen`);
    }
  }
  return ascii;
}

export function normalizeIpv4(value: string): string {
  const parts = value.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part))) {
    throw invalid(value, 'ipv4', 'an IPv4 address is four decimal numbers separated by dots, such as 192.0.2.10');
  }
  for (const part of parts) {
    if (Number(part) > 255) throw invalid(value, 'ipv4', `${part} is out of range; each part is 0 to 255`);
    if (part.length > 1 && part.startsWith('0')) throw invalid(value, 'ipv4', `${part} has a leading zero, which some tools read as octal; write it without`);
  }
  return parts.join('.');
}

/** Compresses an IPv6 address the RFC 5952 way; IPv4-mapped addresses keep the dotted tail. */
export function normalizeIpv6(value: string): string {
  if (value.includes('%')) throw invalid(value, 'ipv6', 'zone indexes such as %eth0 are local to one machine; remove it');
  const groups = expandIpv6(value);
  if (!groups) throw invalid(value, 'ipv6', 'it is not a valid IPv6 address (eight groups of up to four hex digits, "::" at most once)');

  const isMapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (isMapped) return `::ffff:${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;

  // The longest run of two or more zero groups becomes "::"; the first one wins a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function expandIpv6(value: string): number[] | null {
  let text = value.toLowerCase();
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (tail) {
    const octets = tail[1]!.split('.').map(Number);
    if (octets.some((octet) => octet > 255)) return null;
    text = `${text.slice(0, -tail[1]!.length)}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const pieces = part.split(':');
    if (pieces.some((piece) => !/^[0-9a-f]{1,4}$/.test(piece))) return null;
    return pieces.map((piece) => parseInt(piece, 16));
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - rest.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...rest];
}

/** Lower-cases the domain part only: the local part of an address may be case-sensitive. */
export function normalizeEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) throw invalid(value, 'email', 'an email address has the form name@domain');
  const local = value.slice(0, at);
  if (/[\s<>()[\],;:"]/.test(local)) throw invalid(value, 'email', 'the part before @ contains spaces or characters that need quoting');
  let domain: string;
  try {
    domain = normalizeDomain(value.slice(at + 1));
  } catch (error) {
    throw invalid(value, 'email', `its domain is invalid (${(error as NetcaseError).message})`);
  }
  return `${local}@${domain}`;
}

/**
 * Serialises a URL the WHATWG way: lower-case scheme and host, default port removed, path
 * percent-encoded and "/" for an empty path. The fragment is dropped because clients never send
 * it, so traffic can never show it.
 */
export function normalizeUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(value, 'url', 'it is not an absolute URL such as http://example.com/path');
  }
  if (url.hostname === '') throw invalid(value, 'url', 'it has no host name');
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.slice(0, -1);
  url.hash = '';
  return url.href;
}

function normalizeHash(type: 'md5' | 'sha1' | 'sha256' | 'ja3', value: string): string {
  const expected = HASH_LENGTHS[type];
  if (!/^[0-9a-f]+$/i.test(value)) throw invalid(value, type, 'a hash is written in hexadecimal digits (0-9, a-f)');
  if (value.length !== expected) {
    const other = Object.entries(HASH_LENGTHS).find(([name, length]) => length === value.length && name !== 'ja3')?.[0];
    throw invalid(value, type, `a ${type} hash has ${expected} hex digits, this one has ${value.length}${other ? ` (the length of ${other})` : ''}`);
  }
  return value.toLowerCase();
}

function normalizeUserAgent(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalid(value, 'user-agent', 'it contains control characters');
  return value;
}

function invalid(value: string, type: IocType | undefined, reason: string): NetcaseError {
  return new NetcaseError('INVALID_ARGUMENT', `Invalid ${type ?? 'indicator'} "${preview(value)}": ${reason}.`, { details: { value: preview(value, 200), type, reason } });
}
