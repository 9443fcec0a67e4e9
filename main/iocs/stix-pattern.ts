import type { IocType } from './ioc-values.js';

/**
 * STIX 2.1 patterns for the indicator types Netcase handles: writing one comparison per
 * indicator, and reading the simple patterns found in indicator bundles (one observation of
 * `=` comparisons on a string, joined by OR). Everything else is reported as unsupported.
 */

/** Object paths per type; property names with a hyphen are quoted, as the grammar requires. */
const OBJECT_PATHS: Record<IocType, { objectType: string; properties: string[] }> = {
  domain: { objectType: 'domain-name', properties: ['value'] },
  ipv4: { objectType: 'ipv4-addr', properties: ['value'] },
  ipv6: { objectType: 'ipv6-addr', properties: ['value'] },
  email: { objectType: 'email-addr', properties: ['value'] },
  url: { objectType: 'url', properties: ['value'] },
  md5: { objectType: 'file', properties: ['hashes', 'MD5'] },
  sha1: { objectType: 'file', properties: ['hashes', 'SHA-1'] },
  sha256: { objectType: 'file', properties: ['hashes', 'SHA-256'] },
  'user-agent': { objectType: 'network-traffic', properties: ['extensions', 'http-request-ext', 'request_header', 'User-Agent'] },
  // STIX 2.1 has no JA3 property, so JA3 uses a custom object type, which the grammar allows.
  ja3: { objectType: 'x-ja3', properties: ['value'] },
};

/** Hash names as they appear in real bundles, mapped to our types. */
const HASH_NAMES: Record<string, IocType> = { MD5: 'md5', 'SHA-1': 'sha1', SHA1: 'sha1', 'SHA-256': 'sha256', SHA256: 'sha256' };

export interface PatternComparison {
  type: IocType;
  value: string;
}

export type ParsedPattern =
  | { status: 'ok'; comparisons: PatternComparison[] }
  | { status: 'unsupported'; reason: string }
  | { status: 'invalid'; reason: string };

export function buildPattern(type: IocType, value: string): string {
  const path = OBJECT_PATHS[type];
  const properties = path.properties.map((property) => (/^[a-z_][a-z0-9_]*$/i.test(property) ? property : `'${property}'`));
  return `[${path.objectType}:${properties.join('.')} = '${escapeString(value)}']`;
}

export function parsePattern(pattern: string): ParsedPattern {
  let tokens: Token[];
  try {
    tokens = tokenize(pattern);
  } catch (error) {
    return { status: 'invalid', reason: (error as Error).message };
  }
  if (tokens.length === 0 || tokens[0]!.kind !== '[') return { status: 'invalid', reason: 'a pattern starts with "["' };
  const close = tokens.findIndex((token) => token.kind === ']');
  if (close < 0) return { status: 'invalid', reason: 'the "[" is never closed' };
  if (close !== tokens.length - 1) {
    return { status: 'unsupported', reason: 'it combines several observations or uses qualifiers (WITHIN, REPEATS, START/STOP)' };
  }

  const body = tokens.slice(1, close);
  const comparisons: PatternComparison[] = [];
  let index = 0;
  while (index < body.length) {
    const [path, operator, literal] = [body[index], body[index + 1], body[index + 2]];
    if (path?.kind === '(') return { status: 'unsupported', reason: 'it groups comparisons with parentheses' };
    if (path?.kind !== 'path') return { status: 'invalid', reason: `expected an object path such as domain-name:value, found "${path?.text ?? 'the end'}"` };
    if (operator?.kind !== 'word' && operator?.kind !== 'operator') return { status: 'invalid', reason: `expected a comparison operator after ${path.text}` };
    if (operator.text !== '=') return { status: 'unsupported', reason: `it uses the operator ${operator.text}; only = is supported` };
    if (literal?.kind !== 'string') return { status: 'unsupported', reason: `it compares ${path.text} with ${literal?.text ?? 'nothing'}; only quoted strings are supported` };

    const type = typeForPath(path.objectType!, path.properties!);
    if (!type) return { status: 'unsupported', reason: `the object path ${path.text} is not one Netcase matches (domain-name, ipv4-addr, ipv6-addr, url, email-addr, file hashes, User-Agent)` };
    comparisons.push({ type, value: literal.text });
    index += 3;

    const joiner = body[index];
    if (joiner === undefined) break;
    if (joiner.kind === 'word' && joiner.text.toUpperCase() === 'OR') {
      index++;
      if (index >= body.length) return { status: 'invalid', reason: 'OR at the end of the observation' };
      continue;
    }
    if (joiner.kind === 'word' && joiner.text.toUpperCase() === 'AND') {
      return { status: 'unsupported', reason: 'it joins comparisons with AND, which needs all of them on one object' };
    }
    return { status: 'invalid', reason: `unexpected "${joiner.text}" after a comparison` };
  }
  if (comparisons.length === 0) return { status: 'invalid', reason: 'the observation is empty' };
  return { status: 'ok', comparisons };
}

function typeForPath(objectType: string, properties: string[]): IocType | undefined {
  if (objectType === 'file' && properties.length === 2 && properties[0] === 'hashes') return HASH_NAMES[properties[1]!.toUpperCase()];
  if (objectType === 'network-traffic') {
    const path = properties.join('.');
    return path.toLowerCase() === 'extensions.http-request-ext.request_header.user-agent' ? 'user-agent' : undefined;
  }
  for (const [type, path] of Object.entries(OBJECT_PATHS) as [IocType, (typeof OBJECT_PATHS)[IocType]][]) {
    if (path.objectType === objectType && path.properties.join('.') === properties.join('.')) return type;
  }
  return undefined;
}

interface Token {
  kind: '[' | ']' | '(' | ')' | 'path' | 'string' | 'operator' | 'word' | 'literal';
  text: string;
  objectType?: string;
  properties?: string[];
}

const OBJECT_PATH = /^([a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9]):/i;

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < pattern.length) {
    const character = pattern[position]!;
    if (/\s/.test(character)) {
      position++;
    } else if ('[]()'.includes(character)) {
      tokens.push({ kind: character as '[' | ']' | '(' | ')', text: character });
      position++;
    } else if (character === "'") {
      const { text, end } = readString(pattern, position);
      tokens.push({ kind: 'string', text });
      position = end;
    } else if (/[!<>=]/.test(character)) {
      const operator = /^(!=|<=|>=|=|<|>)/.exec(pattern.slice(position))![0];
      tokens.push({ kind: 'operator', text: operator });
      position += operator.length;
    } else if (OBJECT_PATH.test(pattern.slice(position))) {
      const token = readObjectPath(pattern, position);
      tokens.push(token.token);
      position = token.end;
    } else {
      // Keywords (OR, AND, LIKE, MATCHES, WITHIN...) and other literals (numbers, t'...', h'...').
      const match = /^[A-Za-z0-9_.+-]+('(?:[^'\\]|\\.)*')?/.exec(pattern.slice(position));
      if (!match) throw new Error(`unexpected character "${character}" at position ${position + 1}`);
      tokens.push({ kind: match[1] ? 'literal' : 'word', text: match[0] });
      position += match[0].length;
    }
  }
  return tokens;
}

function readObjectPath(pattern: string, start: number): { token: Token; end: number } {
  const match = OBJECT_PATH.exec(pattern.slice(start))!;
  const objectType = match[1]!.toLowerCase();
  let position = start + match[0].length;
  const properties: string[] = [];
  for (;;) {
    if (pattern[position] === "'") {
      const { text, end } = readString(pattern, position);
      properties.push(text);
      position = end;
    } else {
      const name = /^[A-Za-z0-9_-]+/.exec(pattern.slice(position));
      if (!name) throw new Error(`invalid property name at position ${position + 1}`);
      properties.push(name[0]);
      position += name[0].length;
    }
    // List indexes such as [*] or [0] belong to the path.
    while (pattern[position] === '[') {
      const index = /^\[(\*|\d+)\]/.exec(pattern.slice(position));
      if (!index) break;
      properties.push(index[0]);
      position += index[0].length;
    }
    if (pattern[position] !== '.') break;
    position++;
  }
  return { token: { kind: 'path', text: pattern.slice(start, position), objectType, properties }, end: position };
}

/** Reads a quoted string; the grammar escapes only the quote and the backslash. */
function readString(pattern: string, start: number): { text: string; end: number } {
  let text = '';
  let position = start + 1;
  while (position < pattern.length) {
    const character = pattern[position]!;
    if (character === '\\') {
      const next = pattern[position + 1];
      if (next !== "'" && next !== '\\') throw new Error(`invalid escape "\\${next ?? ''}" at position ${position + 1}; only \\' and \\\\ are allowed`);
      text += next;
      position += 2;
    } else if (character === "'") {
      return { text, end: position + 1 };
    } else {
      text += character;
      position++;
    }
  }
  throw new Error(`the string starting at position ${start + 1} is never closed`);
}

function escapeString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
