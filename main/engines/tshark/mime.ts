import { FileHasher } from './file-hash.js';

/** One MIME entity that is not a multipart container: a file in files.log. */
export interface MimeLeaf {
  /** Position of the entity in the message, counting containers, from 1 as Zeek's `depth`. */
  depth: number;
  /** Content-Type header value, when the entity has one. */
  contentType?: string;
  /** Content-Disposition header value, when the entity has one. */
  disposition?: string;
  /** Hashes of the decoded content (base64 and quoted-printable undone). */
  hasher: FileHasher;
}

type TransferEncoding = 'base64' | 'quoted-printable' | 'identity';

interface Entity {
  depth: number;
  inHeaders: boolean;
  headers: Array<[string, string]>;
  /** Boundary of a multipart entity; undefined for a leaf. */
  boundary?: Buffer;
  leaf?: MimeLeaf;
  encoding: TransferEncoding;
  /** Unencoded content owes a line break before its next line, unless a boundary line comes first. */
  lineBreakOwed: boolean;
  /** Base64 characters not yet forming a whole 4-character group. */
  base64Rest: string;
}

const CRLF = Buffer.from('\r\n');
const LF = 0x0a;
const CR = 0x0d;

/** Line length past which a body line is decoded in pieces instead of held whole. */
const MAX_LINE_BYTES = 64 * 1024;

/**
 * Splits a MIME message (RFC 2045 and 2046) into its leaf entities and hashes each one's decoded
 * content while the bytes stream in, as Zeek's MIME analyzer delivers it to file analysis.
 * Base64 and quoted-printable content is decoded. Other content keeps its CRLF line breaks,
 * except the one before a boundary line, which belongs to the boundary.
 * NOTE: message/rfc822 parts are hashed as one file, not split into their own entities.
 */
export class MimeParser {
  readonly leaves: MimeLeaf[] = [];
  /** The message ended: no more leaves will appear. */
  ended = false;
  private readonly stack: Entity[] = [];
  private entityCount = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The pending bytes continue a body line whose start was already decoded. */
  private midLine = false;

  /**
   * `contentType` undefined makes the input start with the entity's headers, as a mail message
   * does. An HTTP body passes the message's Content-Type and starts with the content.
   */
  constructor(contentType?: string) {
    const top = this.newEntity();
    if (contentType !== undefined) {
      top.headers.push(['content-type', contentType]);
      this.endHeaders(top);
    }
  }

  write(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(LF, start);
      if (end === -1) break;
      this.pending.push(chunk.subarray(start, end));
      this.pendingBytes += end - start;
      this.takeLine(true);
      start = end + 1;
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > MAX_LINE_BYTES) this.takeLine(false);
    }
  }

  /** Marks content the capture lost, which leaves the current leaf without hashes. */
  gap(length: number): void {
    this.stack.at(-1)?.leaf?.hasher.gap(length);
  }

  /** Ends the message: the last line, then every open entity. */
  end(): void {
    if (this.ended) return;
    if (this.pendingBytes > 0) this.takeLine(true);
    while (this.stack.length > 0) this.closeEntity(this.stack.pop()!, false);
    this.ended = true;
  }

  private takeLine(complete: boolean): void {
    let line = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    if (complete && line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, -1);
    const continued = this.midLine;
    this.midLine = !complete;
    if (continued) this.bodyLine(this.stack.at(-1)!, line, complete, true);
    else this.line(line, complete);
  }

  private line(line: Buffer, complete: boolean): void {
    const entity = this.stack.at(-1);
    if (!entity) return;
    if (this.boundaryLine(line)) return;
    if (entity.inHeaders) {
      this.headerLine(entity, line);
      return;
    }
    // A multipart entity's preamble and epilogue are not content.
    if (entity.boundary) return;
    this.bodyLine(entity, line, complete, false);
  }

  /** Handles a line that opens or closes a part of an enclosing multipart entity. */
  private boundaryLine(line: Buffer): boolean {
    if (line.length < 2 || line[0] !== 0x2d || line[1] !== 0x2d) return false;
    for (let index = this.stack.length - 1; index >= 0; index--) {
      const boundary = this.stack[index]!.boundary;
      if (!boundary || !line.subarray(2, 2 + boundary.length).equals(boundary)) continue;
      const rest = line.subarray(2 + boundary.length).toString('latin1');
      const closing = rest.startsWith('--');
      if (!closing && rest.trim() !== '') continue;
      while (this.stack.length > index + 1) this.closeEntity(this.stack.pop()!, true);
      if (!closing) this.newEntity();
      return true;
    }
    return false;
  }

  private headerLine(entity: Entity, line: Buffer): void {
    if (line.length === 0) {
      this.endHeaders(entity);
      return;
    }
    const text = line.toString('latin1');
    const last = entity.headers.at(-1);
    if ((text.startsWith(' ') || text.startsWith('\t')) && last) {
      last[1] += text;
      return;
    }
    const colon = text.indexOf(':');
    if (colon > 0) entity.headers.push([text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1).trim()]);
  }

  private endHeaders(entity: Entity): void {
    entity.inHeaders = false;
    const contentType = header(entity, 'content-type');
    const boundary = contentType && /^\s*multipart\//i.test(contentType) ? mimeParameter(contentType, 'boundary') : undefined;
    if (boundary) {
      entity.boundary = Buffer.from(boundary, 'latin1');
      return;
    }
    const encoding = header(entity, 'content-transfer-encoding')?.trim().toLowerCase();
    entity.encoding = encoding === 'base64' || encoding === 'quoted-printable' ? encoding : 'identity';
    // Listed in `leaves` with its first body line: like Zeek, no file for an entity without content.
    entity.leaf = { depth: entity.depth, contentType, disposition: header(entity, 'content-disposition'), hasher: new FileHasher() };
  }

  /** Decodes one body line, or a piece of a long one (`complete` false, or `continued`). */
  private bodyLine(entity: Entity, line: Buffer, complete: boolean, continued: boolean): void {
    const leaf = entity.leaf;
    if (!leaf) return;
    if (this.leaves.at(-1) !== leaf) this.leaves.push(leaf);
    const hasher = leaf.hasher;
    if (entity.encoding === 'base64') {
      const text = entity.base64Rest + line.toString('latin1').replace(/[^A-Za-z0-9+/]/g, '');
      const whole = text.length - (text.length % 4);
      hasher.update(Buffer.from(text.slice(0, whole), 'base64'));
      entity.base64Rest = text.slice(whole);
      return;
    }
    if (entity.encoding === 'quoted-printable') {
      // Trailing blanks are dropped (RFC 2045 section 6.7), and every hard line break is content.
      let end = line.length;
      while (complete && end > 0 && (line[end - 1] === 0x20 || line[end - 1] === 0x09)) end -= 1;
      const softBreak = complete && end > 0 && line[end - 1] === 0x3d;
      hasher.update(decodeQuotedPrintable(line.subarray(0, softBreak ? end - 1 : end)));
      if (complete && !softBreak) hasher.update(CRLF);
      return;
    }
    if (entity.lineBreakOwed && !continued) hasher.update(CRLF);
    hasher.update(line);
    entity.lineBreakOwed = complete;
  }

  private newEntity(): Entity {
    this.entityCount += 1;
    const entity: Entity = { depth: this.entityCount, inHeaders: true, headers: [], encoding: 'identity', lineBreakOwed: false, base64Rest: '' };
    this.stack.push(entity);
    return entity;
  }

  /** Ends an entity. The line break before a boundary line belongs to the boundary, not the content. */
  private closeEntity(entity: Entity, atBoundary: boolean): void {
    // An entity that ends inside its headers has no content, so Zeek makes no file of it.
    if (entity.inHeaders) return;
    if (entity.leaf && entity.lineBreakOwed && !atBoundary) entity.leaf.hasher.update(CRLF);
    if (entity.leaf && entity.base64Rest.length > 0) entity.leaf.hasher.update(Buffer.from(entity.base64Rest, 'base64'));
    entity.base64Rest = '';
  }
}

function header(entity: Entity, name: string): string | undefined {
  return entity.headers.find(([key]) => key === name)?.[1];
}

/** Returns one parameter of a MIME header value, such as `boundary` in a Content-Type. */
export function mimeParameter(headerValue: string, name: string): string | undefined {
  const pattern = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i');
  const match = pattern.exec(headerValue);
  if (!match) return undefined;
  return match[1] ?? match[2];
}

/** Decodes =XX escapes; an `=` not followed by two hex digits stays as it is. */
function decodeQuotedPrintable(line: Buffer): Buffer {
  if (!line.includes(0x3d)) return line;
  const out = Buffer.alloc(line.length);
  let length = 0;
  for (let index = 0; index < line.length; index++) {
    const byte = line[index]!;
    if (byte === 0x3d && index + 2 < line.length && isHex(line[index + 1]!) && isHex(line[index + 2]!)) {
      out[length++] = parseInt(line.subarray(index + 1, index + 3).toString('latin1'), 16);
      index += 2;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}

function isHex(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}
