import { createHash } from 'node:crypto';
import type { PacketRow } from './fields.js';
import type { FileContent } from './file-content.js';
import type { FileHasher } from './file-hash.js';
import { toBase62, type Flow } from './flows.js';
import { microsToZeekTime, type ZeekRecord } from './zeek-record.js';

export interface FileEntry {
  fuid: string;
  filename?: string;
  mimeType?: string;
}

/** Source of a record's hashes, looked up once every stream has ended. */
type ContentLink =
  | { kind: 'http'; flow: Flow; isOrig: boolean; ordinal: number; index: number; count: number; contentLength?: number }
  | { kind: 'ftp'; flow: Flow; isOrig: boolean }
  | { kind: 'hasher'; hasher: FileHasher };

/**
 * Collects files.log records for the files that HTTP, SMTP and FTP carry: their names, MIME types
 * from the message headers, sizes and md5, sha1 and sha256 hashes, each with a Zeek-style "F..."
 * id that the protocol records list in their fuid fields. The bytes come from FileContent, which
 * rebuilds the streams from the same tshark pass.
 */
export class FileLog {
  private readonly records: ZeekRecord[] = [];
  private readonly links = new Map<ZeekRecord, ContentLink>();
  private readonly mailCount = new Map<string, number>();
  /** Highest HTTP message ordinal tshark reported, per flow and direction. */
  private readonly httpMessages = new Map<string, number>();

  constructor(private readonly content: FileContent) {}

  /**
   * Adds the files of one HTTP message body: each multipart part, or the whole body. `ordinal`
   * numbers the message among the requests, or the final responses, of its flow.
   */
  addHttpBody(row: PacketRow, flow: Flow, ts: number, isOrig: boolean, length: number | undefined, ordinal: number): FileEntry[] {
    const key = `${flow.key}|${isOrig}`;
    this.httpMessages.set(key, Math.max(this.httpMessages.get(key) ?? 0, ordinal));
    const dispositions = row.all('mime_multipart.header.content-disposition');
    if (dispositions.length > 0) {
      return dispositions.map((disposition, index) => {
        const entry = this.add(flow, ts, 'HTTP', isOrig, { filename: parameter(disposition, 'filename'), depth: index });
        this.links.set(this.records.at(-1)!, { kind: 'http', flow, isOrig, ordinal, index, count: dispositions.length });
        return entry;
      });
    }
    const contentType = row.first('http.content_type');
    // A body with neither length nor type (delimited by the connection's close) is a file when
    // FileContent found bytes for it.
    const streamed = this.content.httpBody(flow, isOrig, ordinal) !== undefined;
    if (length === 0 || (length === undefined && contentType === undefined && !streamed)) return [];
    const filename = isOrig ? undefined : dispositionFilename(row.all('http.response.line'));
    const entry = this.add(flow, ts, 'HTTP', isOrig, { mimeType: mimeType(contentType), filename, size: length, depth: 0 });
    this.links.set(this.records.at(-1)!, { kind: 'http', flow, isOrig, ordinal, index: 0, count: 1, contentLength: length });
    return [entry];
  }

  /**
   * Adds the MIME entities of one mail message. Container parts (multipart/*) are not files;
   * a part repeated by tshark's nested dissection is counted once.
   */
  addMailParts(row: PacketRow, flow: Flow, ts: number): FileEntry[] {
    const ordinal = (this.mailCount.get(flow.key) ?? 0) + 1;
    this.mailCount.set(flow.key, ordinal);
    const leaves = this.content.mailParts(flow, ordinal);
    if (leaves && leaves.length > 0) {
      return leaves.map((leaf) => {
        const type = leaf.contentType ?? 'text/plain';
        const filename = (leaf.disposition && parameter(leaf.disposition, 'filename')) ?? parameter(type, 'name');
        const entry = this.add(flow, ts, 'SMTP', true, { mimeType: mimeType(type), filename, depth: leaf.depth });
        this.links.set(this.records.at(-1)!, { kind: 'hasher', hasher: leaf.hasher });
        return entry;
      });
    }
    // FileContent did not follow this message (BDAT, STARTTLS, a gap), so tshark's parts are used.
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
    const entry = this.add(dataFlow, ts, 'FTP_DATA', isOrig, { seenBytes, size, depth: 0 });
    this.links.set(this.records.at(-1)!, { kind: 'ftp', flow: dataFlow, isOrig });
    return entry;
  }

  /** Returns the records with the byte counts and hashes of FileContent; call after it finished. */
  finish(): ZeekRecord[] {
    this.addUnreportedHttpBodies();
    this.addUnreportedMail();
    for (const [record, link] of this.links) {
      const hasher = this.hasherFor(link);
      if (!hasher) continue;
      record.seen_bytes = hasher.bytes;
      record.missing_bytes = hasher.missingBytes;
      const digest = hasher.digest();
      if (!digest) continue;
      record.md5 = digest.md5;
      record.sha1 = digest.sha1;
      record.sha256 = digest.sha256;
    }
    this.links.clear();
    return this.records;
  }

  /**
   * Adds the HTTP bodies tshark never reported, such as a download the capture cut short: tshark
   * prints a message only once it is complete. Zeek logs such a file with the bytes it saw.
   * NOTE: http.log has no record of such a message, so no fuid there points to the file.
   */
  private addUnreportedHttpBodies(): void {
    for (const { flow, body } of this.content.allHttpBodies()) {
      if (body.ordinal <= (this.httpMessages.get(`${flow.key}|${body.isOrig}`) ?? 0)) continue;
      body.files().forEach((hasher, index) => {
        if (hasher.bytes === 0) return;
        const multipart = /^\s*multipart\//i.test(body.contentType ?? '');
        this.add(flow, body.ts, 'HTTP', body.isOrig, {
          mimeType: multipart ? undefined : mimeType(body.contentType),
          size: multipart ? undefined : body.totalBytes,
          depth: index,
        });
        this.links.set(this.records.at(-1)!, { kind: 'hasher', hasher });
      });
    }
  }

  /**
   * Adds the mail messages tshark never reported, such as one the capture cut short during DATA,
   * with the entities seen so far.
   * NOTE: smtp.log has no record of such a message, so no fuid there points to its files.
   */
  private addUnreportedMail(): void {
    for (const { flow, ordinal, ts, message } of this.content.allMailMessages()) {
      if (ordinal <= (this.mailCount.get(flow.key) ?? 0)) continue;
      message.end();
      for (const leaf of message.leaves) {
        const type = leaf.contentType ?? 'text/plain';
        const filename = (leaf.disposition && parameter(leaf.disposition, 'filename')) ?? parameter(type, 'name');
        this.add(flow, ts, 'SMTP', true, { mimeType: mimeType(type), filename, depth: leaf.depth });
        this.links.set(this.records.at(-1)!, { kind: 'hasher', hasher: leaf.hasher });
      }
    }
  }

  /**
   * Returns the hasher of a record's bytes. An HTTP body is paired with tshark's message by its
   * position in the flow, so a body whose Content-Length or part count differs from tshark's
   * gets none: the two parses then disagree about which message it is.
   */
  private hasherFor(link: ContentLink): FileHasher | undefined {
    if (link.kind === 'hasher') return link.hasher;
    if (link.kind === 'ftp') return this.content.ftpData(link.flow, link.isOrig);
    const body = this.content.httpBody(link.flow, link.isOrig, link.ordinal);
    if (!body) return undefined;
    if (body.totalBytes !== undefined && link.contentLength !== undefined && body.totalBytes !== link.contentLength) return undefined;
    const hashers = body.files();
    return hashers.length === link.count ? hashers[link.index] : undefined;
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
