import { logTypeFromName } from './log-files.js';
import type { LineResult } from './parsed-record.js';
import { ZeekCutParser, ZeekTsvParser } from './zeek-tsv-parser.js';
import { ZeekJsonParser } from './zeek-json-parser.js';

export interface LineParser {
  parseLine(text: string, line: number): LineResult;
}

/** Returns the parser for a Zeek log format as `detectFileKind` names it ('zeek-json', 'zeek-cut', 'zeek-tsv'). */
export function createParser(format: string, path: string): LineParser {
  const defaultLog = logTypeFromName(path);
  if (format === 'zeek-json') return new ZeekJsonParser(defaultLog);
  if (format === 'zeek-cut') return new ZeekCutParser(path, defaultLog);
  return new ZeekTsvParser(path, defaultLog);
}
