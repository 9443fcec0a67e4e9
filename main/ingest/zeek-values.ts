/**
 * Converters from Zeek ASCII-writer field text to the JSON value Zeek's JSON writer would have
 * written for the same type, so TSV and JSON input end up as the same record.
 */
export type ValueConverter = (text: string) => unknown;

export class ValueError extends Error {}

const BOOLEANS: Record<string, boolean> = { T: true, F: false };

const SCALAR_CONVERTERS: Record<string, ValueConverter> = {
  bool: (text) => {
    const value = BOOLEANS[text];
    if (value === undefined) throw new ValueError(`"${text}" is not a bool (T or F)`);
    return value;
  },
  count: parseInteger,
  int: parseInteger,
  port: parseInteger,
  double: parseDecimal,
  interval: parseDecimal,
  // Zeek prints times as decimal epoch seconds, and in exponent form for values far from now
  // (seen in ntp.log: -2.1504318496896954e+09).
  time: (text) => {
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) throw new ValueError(`"${shorten(text)}" is not a time (epoch seconds)`);
    return value;
  },
  string: (text) => text,
  enum: (text) => text,
  addr: (text) => text,
  subnet: (text) => text,
  pattern: (text) => text,
  file: (text) => text,
  func: (text) => text,
  any: (text) => text,
};

const TEXT_TYPES = new Set(['string', 'enum', 'pattern', 'file', 'func', 'any']);

const CONTAINER_PATTERN = /^(set|vector|table)\[(.+)\]$/;

/** Returns true when every part of a `#types` entry is a type this reader supports. */
export function isKnownType(type: string): boolean {
  const container = CONTAINER_PATTERN.exec(type);
  if (container) return container[2]!.split(',').every((inner) => inner in SCALAR_CONVERTERS);
  return type in SCALAR_CONVERTERS;
}

export interface FieldSpec {
  name: string;
  type: string;
  container: boolean;
  convert: ValueConverter;
}

export interface Separators {
  separator: string;
  setSeparator: string;
  emptyField: string;
  unsetField: string;
}

export function fieldSpec(name: string, type: string, separators: Separators): FieldSpec {
  const container = CONTAINER_PATTERN.exec(type);
  if (container) {
    const inner = SCALAR_CONVERTERS[container[2]!.split(',')[0]!]!;
    const setSeparator = separators.setSeparator;
    return {
      name,
      type,
      container: true,
      convert: (text) => (text === separators.emptyField ? [] : text.split(setSeparator).map((element) => inner(unescapeZeek(element)))),
    };
  }
  const scalar = SCALAR_CONVERTERS[type]!;
  // The ASCII writer writes a zero-length string as the empty-field marker, like an empty set.
  const emptyValue = TEXT_TYPES.has(type) ? '' : undefined;
  return {
    name,
    type,
    container: false,
    convert: (text) => (emptyValue !== undefined && text === separators.emptyField ? emptyValue : scalar(unescapeZeek(text))),
  };
}

/**
 * Decodes the ASCII writer's escapes: `\xNN` for a byte and `\\` for a backslash. Bytes are
 * gathered and decoded as UTF-8 so an escaped multi-byte character comes back whole.
 */
export function unescapeZeek(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  let plainStart = 0;
  let output = '';
  const flushBytes = (): void => {
    if (bytes.length > 0) {
      output += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
  };
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x5c) continue;
    const next = text[i + 1];
    if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      if (plainStart < i) {
        flushBytes();
        output += text.slice(plainStart, i);
      }
      bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
      plainStart = i + 1;
    } else if (next === '\\') {
      flushBytes();
      output += text.slice(plainStart, i) + '\\';
      i += 1;
      plainStart = i + 1;
    }
  }
  flushBytes();
  return output + text.slice(plainStart);
}

/** Decodes the `#separator` directive's value, which Zeek writes as `\x09`. */
export function decodeSeparator(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function parseInteger(text: string): number {
  if (!/^-?\d+$/.test(text)) throw new ValueError(`"${shorten(text)}" is not an integer`);
  return Number(text);
}

function parseDecimal(text: string): number {
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new ValueError(`"${shorten(text)}" is not a number`);
  return value;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
