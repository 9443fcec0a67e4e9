import { NetcaseError } from '../errors.js';
import { epochSecondsToMicros, epochTextToMicros } from '../time.js';
import { commonColumns, type LineResult } from './parsed-record.js';
import { decodeSeparator, fieldSpec, isKnownType, ValueError, type FieldSpec, type Separators } from './zeek-values.js';

const DEFAULT_SEPARATORS: Separators = { separator: '\t', setSeparator: ',', emptyField: '(empty)', unsetField: '-' };

/**
 * Parses Zeek ASCII-writer logs line by line, by the file's own header: `#separator`,
 * `#set_separator`, `#empty_field`, `#unset_field`, `#path`, `#fields` and `#types` are all
 * honoured, and a new header block in the middle of a file (concatenated logs) starts over.
 * A broken header throws, because no line after it can be read. A broken data line is
 * returned as a problem and the rest of the file still imports.
 */
export class ZeekTsvParser {
  private separators: Separators = { ...DEFAULT_SEPARATORS };
  private path: string | null = null;
  private fieldNames: string[] | null = null;
  private fieldTypes: string[] | null = null;
  private specs: FieldSpec[] | null = null;
  private tsIndex = -1;

  constructor(private readonly fileName: string, private readonly defaultLog: string) {}

  parseLine(text: string, line: number): LineResult {
    if (text.startsWith('#')) return this.parseDirective(text, line);
    if (text === '') return null;
    if (!this.specs) {
      if (!this.fieldNames) {
        throw new NetcaseError('INPUT_INVALID', `${this.fileName}:${line}: a data line comes before the #fields header. Expected a Zeek log header (#separator, #fields, #types) first.`);
      }
      throw new NetcaseError('INPUT_INVALID', `${this.fileName}:${line}: the header has #fields but no #types line. Zeek writes both; restore the header.`);
    }

    const values = text.split(this.separators.separator);
    if (values.length !== this.specs.length) {
      return { line, reason: `expected ${this.specs.length} fields, found ${values.length}` };
    }

    const record: Record<string, unknown> = {};
    let ts: number | null = null;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (value === this.separators.unsetField) continue;
      const spec = this.specs[i]!;
      try {
        record[spec.name] = spec.convert(value);
      } catch (error) {
        if (error instanceof ValueError) return { line, reason: `field ${spec.name}: ${error.message}` };
        throw error;
      }
      if (i === this.tsIndex) ts = epochTextToMicros(value) ?? epochSecondsToMicros(record[spec.name] as number);
    }

    return { line, log: this.path ?? this.defaultLog, ts, ...commonColumns(record), record: JSON.stringify(record), fields: record };
  }

  private parseDirective(text: string, line: number): LineResult {
    if (text.startsWith('#separator ')) {
      this.separators = { ...DEFAULT_SEPARATORS, separator: decodeSeparator(text.slice('#separator '.length)) };
      this.fieldNames = this.fieldTypes = this.specs = null;
      return null;
    }

    const separatorAt = text.indexOf(this.separators.separator);
    const name = separatorAt < 0 ? text : text.slice(0, separatorAt);
    const value = separatorAt < 0 ? '' : text.slice(separatorAt + this.separators.separator.length);
    // #open and #close contain only the writer's own timestamps. Some tools rewrite them with a
    // space instead of the separator, so they are recognised by prefix.
    if (/^#(open|close)\b/.test(text)) return null;
    switch (name) {
      case '#set_separator':
        this.separators.setSeparator = decodeSeparator(value);
        return null;
      case '#empty_field':
        this.separators.emptyField = value;
        return null;
      case '#unset_field':
        this.separators.unsetField = value;
        return null;
      case '#path':
        this.path = value;
        return null;
      case '#fields':
        // A new #fields line starts a new header (a log whose columns change mid-file), so the
        // old #types no longer apply and the #types line that follows completes it.
        this.fieldNames = value.split(this.separators.separator);
        this.fieldTypes = null;
        this.specs = null;
        this.buildSpecs(line);
        return null;
      case '#types':
        this.fieldTypes = value.split(this.separators.separator);
        this.specs = null;
        this.buildSpecs(line);
        return null;
      default:
        return { line, reason: `unknown header line "${text.slice(0, 40)}"; Zeek writes only #separator, #set_separator, #empty_field, #unset_field, #path, #open, #fields, #types and #close` };
    }
  }

  private buildSpecs(line: number): void {
    if (!this.fieldNames || !this.fieldTypes) return;
    if (this.fieldNames.length !== this.fieldTypes.length) {
      throw new NetcaseError('INPUT_INVALID', `${this.fileName}:${line}: bad header: #fields names ${this.fieldNames.length} columns but #types gives ${this.fieldTypes.length} types. The header must list one type per field.`);
    }
    const unknown = this.fieldTypes.findIndex((type) => !isKnownType(type));
    if (unknown >= 0) {
      throw new NetcaseError('INPUT_INVALID', `${this.fileName}:${line}: bad #types header: unknown type "${this.fieldTypes[unknown]}" for field ${this.fieldNames[unknown]}. Expected Zeek types such as time, string, addr, port, count, set[string].`);
    }
    this.specs = this.fieldNames.map((name, i) => fieldSpec(name, this.fieldTypes![i]!, this.separators));
    this.tsIndex = this.fieldNames.indexOf('ts');
    if (this.tsIndex >= 0 && this.fieldTypes[this.tsIndex] !== 'time') this.tsIndex = -1;
  }
}

/**
 * Types of the fields that zeek-cut output most often carries. zeek-cut drops the #types
 * header, so other fields are kept as strings.
 */
const ZEEK_CUT_TYPES: Record<string, string> = {
  ts: 'time',
  'id.orig_p': 'port',
  'id.resp_p': 'port',
  trans_depth: 'count',
  request_body_len: 'count',
  response_body_len: 'count',
  status_code: 'count',
  info_code: 'count',
  duration: 'interval',
  orig_bytes: 'count',
  resp_bytes: 'count',
  missed_bytes: 'count',
  orig_pkts: 'count',
  orig_ip_bytes: 'count',
  resp_pkts: 'count',
  resp_ip_bytes: 'count',
  seen_bytes: 'count',
  total_bytes: 'count',
  tags: 'set[enum]',
  proxied: 'set[string]',
  orig_fuids: 'vector[string]',
  orig_filenames: 'vector[string]',
  orig_mime_types: 'vector[string]',
  resp_fuids: 'vector[string]',
  resp_filenames: 'vector[string]',
  resp_mime_types: 'vector[string]',
  answers: 'vector[string]',
  TTLs: 'vector[interval]',
};

/**
 * Parses zeek-cut output: one line of field names, then tab-separated values with Zeek's
 * default `-` and `(empty)` markers.
 */
export class ZeekCutParser {
  private readonly inner: ZeekTsvParser;
  private sawHeader = false;

  constructor(fileName: string, defaultLog: string) {
    this.inner = new ZeekTsvParser(fileName, defaultLog);
  }

  parseLine(text: string, line: number): LineResult {
    if (!this.sawHeader && text !== '') {
      if (text.startsWith('#')) return { line, reason: `unexpected header line "${text.slice(0, 40)}" before the zeek-cut field names` };
      this.sawHeader = true;
      const names = text.split('\t');
      this.inner.parseLine('#separator \\x09', line);
      this.inner.parseLine(`#fields\t${names.join('\t')}`, line);
      this.inner.parseLine(`#types\t${names.map((name) => ZEEK_CUT_TYPES[name] ?? 'string').join('\t')}`, line);
      return null;
    }
    return this.inner.parseLine(text, line);
  }
}
