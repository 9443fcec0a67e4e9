import { createHash } from 'node:crypto';
import type { PacketRow } from './fields.js';
import { toBase62, type Flow } from './flows.js';
import { microsToZeekTime, type ZeekRecord } from './zeek-record.js';

export interface FileEntry {
  fuid: string;
  filename?: string;
  mimeType?: string;
}

/**
 * Collects files.log records for the files that HTTP, SMTP and FTP carry: their names, MIME types
 * from the message headers and sizes, each with a Zeek-style "F..." id that the protocol
 * records list in their fuid fields.
 * TODO: md5, sha1 and sha256 need the file contents, which -T fields does not print losslessly.
 * tshark 4.0's --export-objects writes them in the same pass, but names files only by URI or
 * subject and skips repeated names, so mapping them back to their messages is not built yet.
 */
export class FileLog {
  private readonly records: ZeekRecord[] = [];

  /** Adds the files of one HTTP message body: each multipart part, or the whole body. */
  addHttpBody(row: PacketRow, flow: Flow, ts: number, isOrig: boolean, length: number | undefined): FileEntry[] {
    const dispositions = row.all('mime_multipart.header.content-disposition');
    if (dispositions.length > 0) {
      return dispositions.map((disposition, index) =>
        this.add(flow, ts, 'HTTP', isOrig, { filename: parameter(disposition, 'filename'), depth: index }),
      );
    }
    const contentType = row.first('http.content_type');
    if (length === 0 || (length === undefined && contentType === undefined)) return [];
    const filename = isOrig ? undefined : dispositionFilename(row.all('http.response.line'));
    return [this.add(flow, ts, 'HTTP', isOrig, { mimeType: mimeType(contentType), filename, size: length, depth: 0 })];
  }

  /**
   * Adds the MIME entities of one mail message. Container parts (multipart/*) are not files;
   * a part repeated by tshark's nested dissection is counted once.
   */
  addMailParts(row: PacketRow, flow: Flow, ts: number): FileEntry[] {
    const partTypes = row.all('mime_multipart.header.content-type');
    const dispositions = row.all('mime_multipart.header.content-disposition');
    const leafTypes = partTypes.filter((type, index) => !/^multipart\//i.test(type) && type !== partTypes[index - 1]);
    if (leafTypes.length === 0) {
      const type = row.first('imf.content.type') ?? 'text/plain';
      return [this.add(flow, ts, 'SMTP', true, { mimeType: mimeType(type), depth: 1 })];
    }
    const attachmentNames = dispositions.map((d) => parameter(d, 'filename')).filter((name): name is string => name !== undefined);
    return leafTypes.map((type, index) => {
      const filename = parameter(type, 'name') ?? (attachmentNames.length === 1 && index === leafTypes.length - 1 ? attachmentNames[0] : undefined);
      return this.add(flow, ts, 'SMTP', true, { mimeType: mimeType(type), filename, depth: index + 1 });
    });
  }

  /** Adds a file moved over an FTP data connection; `size` comes from the server's reply. */
  addFtpData(dataFlow: Flow, ts: number, isOrig: boolean, seenBytes: number, size?: number): FileEntry {
    return this.add(dataFlow, ts, 'FTP_DATA', isOrig, { seenBytes, size, depth: 0 });
  }

  finish(): ZeekRecord[] {
    return this.records;
  }

  private add(
    flow: Flow,
    ts: number,
    source: string,
    isOrig: boolean,
    facts: { filename?: string; mimeType?: string; size?: number; seenBytes?: number; depth: number },
  ): FileEntry {
    const fuid = `F${toBase62(createHash('sha256').update(`${flow.uid}|${ts}|${source}|${isOrig}|${this.records.length}`).digest(), 17)}`;
    const record: ZeekRecord = {
      ts: microsToZeekTime(ts),
      fuid,
      uid: flow.uid,
      'id.orig_h': flow.origH,
      'id.orig_p': flow.origP,
      'id.resp_h': flow.respH,
      'id.resp_p': flow.respP,
      source,
      depth: facts.depth,
      analyzers: [],
    };
    if (facts.mimeType) record.mime_type = facts.mimeType;
    if (facts.filename) record.filename = facts.filename;
    record.is_orig = isOrig;
    const seen = facts.seenBytes ?? facts.size;
    if (seen !== undefined) record.seen_bytes = seen;
    if (facts.size !== undefined) record.total_bytes = facts.size;
    record.missing_bytes = 0;
    record.overflow_bytes = 0;
    record.timedout = false;
    this.records.push(record);
    return { fuid, filename: facts.filename, mimeType: facts.mimeType };
  }
}

/**
 * Returns the file name a Content-Disposition header gives, from tshark's header lines, which
 * end in the escape text \\r\\n.
 */
function dispositionFilename(headerLines: string[]): string | undefined {
  const header = headerLines.find((line) => /^content-disposition\s*:/i.test(line));
  if (!header) return undefined;
  const value = header.replace(/^[^:]*:\s*/, '').replace(/\\r\\n$/, '');
  return parameter(value, 'filename');
}

/** Returns the media type of a Content-Type value without its parameters, in lower case. */
export function mimeType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

/** Returns one parameter of a MIME header value, such as `filename` in a Content-Disposition. */
export function parameter(headerValue: string, name: string): string | undefined {
  const pattern = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i');
  const match = pattern.exec(headerValue.replace(/\\r\\n|\\n/g, ''));
  if (!match) return undefined;
  return match[1] ?? match[2];
}
