import { createGunzip, createInflate, createInflateRaw, type Gunzip, type Inflate, type InflateRaw } from 'node:zlib';
import { FileHasher } from './file-hash.js';
import { MimeParser, mimeParameter } from './mime.js';
import type { StreamConsumer } from './tcp-stream.js';

const LF = 0x0a;

/** Maximum bytes kept of a start or header line; the rest of a longer line is dropped. */
const MAX_LINE_BYTES = 64 * 1024;

/** The body of one HTTP message, hashed as it streams in. */
export interface HttpBody {
  isOrig: boolean;
  /** 1 for the first request (or final response) of the connection, 2 for the next, ... */
  ordinal: number;
  /** Time of the packet that carried the body's first bytes, in microseconds. */
  ts: number;
  contentType?: string;
  /** Content-Length of a body sent without Content-Encoding, which Zeek logs as total_bytes. */
  totalBytes?: number;
  /** One hasher for the body, or one per part of a multipart body. */
  files(): FileHasher[];
  /** Settles when decompression has delivered every byte to the hashers. */
  settled: Promise<void>;
}

/**
 * Follows the HTTP/1.x messages of one connection in both directions and hashes each body the
 * way Zeek's HTTP analyzer hands it to file analysis: de-chunked, gzip or deflate
 * Content-Encoding undone, and a multipart body split into one file per part.
 */
export class HttpConversation {
  readonly bodies: HttpBody[] = [];
  /** Methods of requests still waiting for a response, oldest first. */
  readonly pendingMethods: string[] = [];
  readonly requests: StreamConsumer = new HttpDirection(true, this);
  readonly responses: StreamConsumer = new HttpDirection(false, this);

  /** `now` returns the time of the packet being read, in microseconds. */
  constructor(readonly now: () => number = () => 0) {}
}

type ParseState = 'start' | 'headers' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'stopped';

const LINE_STATES = new Set<ParseState>(['start', 'headers', 'chunk-size', 'chunk-end', 'trailers']);

/** Marks an HTTP/0.9 request ("GET /path" without a version) in pendingMethods. */
const SIMPLE_REQUEST = 'GET (HTTP/0.9)';

class HttpDirection implements StreamConsumer {
  private state: ParseState = 'start';
  private line: Buffer[] = [];
  private lineBytes = 0;
  private headers: Array<[string, string]> = [];
  private method: string | undefined;
  private status = 0;
  private ordinal = 0;
  private remaining = 0;
  private body: BodySink | undefined;
  /** The message being read is the last one that can be parsed: a CONNECT or an upgrade. */
  private lastMessage = false;

  constructor(
    private readonly isOrig: boolean,
    private readonly conversation: HttpConversation,
  ) {}

  data(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && this.state !== 'stopped') {
      if (this.state === 'start' && !this.isOrig && this.conversation.pendingMethods[0] === SIMPLE_REQUEST) this.startSimpleResponse();
      if (LINE_STATES.has(this.state)) {
        const end = chunk.indexOf(LF, offset);
        const stop = end === -1 ? chunk.length : end;
        if (this.lineBytes < MAX_LINE_BYTES) {
          this.line.push(chunk.subarray(offset, stop));
          this.lineBytes += stop - offset;
        }
        offset = stop + 1;
        if (end !== -1) this.takeLine();
        continue;
      }
      const take = this.state === 'close' ? chunk.length - offset : Math.min(this.remaining, chunk.length - offset);
      this.body?.write(chunk.subarray(offset, offset + take));
      offset += take;
      this.remaining -= take;
      if (this.state !== 'close' && this.remaining === 0) this.bodyPartDone();
    }
  }

  gap(length: number): void {
    if (this.state === 'close') {
      this.body?.gap(length);
      return;
    }
    if ((this.state === 'length' || this.state === 'chunk-data') && length <= this.remaining) {
      this.body?.gap(length);
      this.remaining -= length;
      if (this.remaining === 0) this.bodyPartDone();
      return;
    }
    // A gap across message framing leaves the rest of the direction unreadable.
    this.body?.gap(length);
    this.finishBody();
    this.state = 'stopped';
  }

  /** Ends the direction. A body cut short keeps the bytes that arrived, as Zeek does. */
  end(): void {
    this.finishBody();
    this.state = 'stopped';
  }

  private takeLine(): void {
    let line = this.line.length === 1 ? this.line[0]! : Buffer.concat(this.line);
    this.line = [];
    this.lineBytes = 0;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    const text = line.toString('latin1');
    switch (this.state) {
      case 'start':
        this.startLine(text);
        break;
      case 'headers':
        this.headerLine(text);
        break;
      case 'chunk-size': {
        const size = parseInt(text.split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size)) this.gap(Number.MAX_SAFE_INTEGER);
        else if (size === 0) this.state = 'trailers';
        else {
          this.remaining = size;
          this.state = 'chunk-data';
        }
        break;
      }
      case 'chunk-end':
        this.state = 'chunk-size';
        break;
      case 'trailers':
        if (text === '') this.messageDone();
        break;
    }
  }

  private startLine(text: string): void {
    if (text === '') return;
    // The target runs up to " HTTP/", as Zeek reads it, so a target with a space still parses.
    const request = this.isOrig ? /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) \S.*?( HTTP\/\d(?:\.\d)?)?\s*$/.exec(text) : null;
    const response = this.isOrig ? null : /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(text);
    if (request && !request[2]) {
      this.simpleRequest(request[1]!);
      return;
    }
    if (!request && !response) {
      this.state = 'stopped';
      return;
    }
    this.method = request?.[1];
    this.status = response ? Number(response[1]) : 0;
    this.headers = [];
    this.state = 'headers';
  }

  /** Takes an HTTP/0.9 request: a GET without headers, whose response is the bare body until close. */
  private simpleRequest(method: string): void {
    if (method !== 'GET') {
      this.state = 'stopped';
      return;
    }
    this.ordinal += 1;
    this.conversation.pendingMethods.push(SIMPLE_REQUEST);
    this.state = 'stopped';
  }

  /** Starts the bare body sent in response to an HTTP/0.9 request. */
  private startSimpleResponse(): void {
    this.conversation.pendingMethods.shift();
    this.ordinal += 1;
    this.startBody(undefined, undefined, 'close', undefined);
    this.lastMessage = true;
  }

  private headerLine(text: string): void {
    if (text !== '') {
      const last = this.headers.at(-1);
      if ((text.startsWith(' ') || text.startsWith('\t')) && last) last[1] += ` ${text.trim()}`;
      const colon = text.indexOf(':');
      if (colon > 0 && !text.startsWith(' ') && !text.startsWith('\t')) this.headers.push([text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1).trim()]);
      return;
    }
    this.headersDone();
  }

  /** Chooses how the body is delimited (RFC 9112 section 6.3) and starts hashing it. */
  private headersDone(): void {
    const chunked = /\bchunked\b/i.test(this.header('transfer-encoding') ?? '');
    const lengthText = this.header('content-length');
    const length = lengthText !== undefined && /^\d+$/.test(lengthText) ? Number(lengthText) : undefined;
    let delimiter: 'none' | 'length' | 'chunked' | 'close' = 'none';

    if (this.isOrig) {
      this.ordinal += 1;
      this.conversation.pendingMethods.push(this.method ?? '');
      this.lastMessage = this.method === 'CONNECT';
      if (chunked) delimiter = 'chunked';
      else if (length) delimiter = 'length';
    } else {
      if (this.status >= 100 && this.status < 200) {
        // Interim responses have no body; 101 hands the connection to another protocol.
        this.state = this.status === 101 ? 'stopped' : 'start';
        return;
      }
      this.ordinal += 1;
      const method = this.conversation.pendingMethods.shift();
      this.lastMessage = method === 'CONNECT' && this.status < 300;
      const bodiless = method === 'HEAD' || this.status === 204 || this.status === 304 || this.lastMessage;
      if (bodiless) delimiter = 'none';
      else if (chunked) delimiter = 'chunked';
      else if (length !== undefined) delimiter = length > 0 ? 'length' : 'none';
      else delimiter = 'close';
    }

    if (delimiter === 'none') {
      this.messageDone();
      return;
    }
    this.startBody(this.header('content-type'), this.header('content-encoding'), delimiter, length);
  }

  private startBody(contentType: string | undefined, contentEncoding: string | undefined, delimiter: 'length' | 'chunked' | 'close', length: number | undefined): void {
    const sink = new BodySink(contentType, contentEncoding);
    this.body = sink;
    this.conversation.bodies.push({
      isOrig: this.isOrig,
      ordinal: this.ordinal,
      ts: this.conversation.now(),
      contentType,
      totalBytes: delimiter === 'length' && !contentEncoding ? length : undefined,
      files: () => sink.files(),
      settled: sink.settled,
    });
    if (delimiter === 'length') {
      this.remaining = length!;
      this.state = 'length';
    } else {
      this.state = delimiter === 'chunked' ? 'chunk-size' : 'close';
    }
  }

  private bodyPartDone(): void {
    if (this.state === 'chunk-data') this.state = 'chunk-end';
    else this.messageDone();
  }

  private messageDone(): void {
    this.finishBody();
    this.state = this.lastMessage ? 'stopped' : 'start';
  }

  private finishBody(): void {
    this.body?.end();
    this.body = undefined;
  }

  private header(name: string): string | undefined {
    return this.headers.find(([key]) => key === name)?.[1];
  }
}

/** Decodes one body's Content-Encoding and hashes the result as one file or as MIME parts. */
class BodySink {
  readonly settled: Promise<void>;
  private readonly hasher: FileHasher | undefined;
  private readonly mime: MimeParser | undefined;
  private readonly encoding: 'gzip' | 'deflate' | undefined;
  private activeDecompressor: Gunzip | Inflate | InflateRaw | undefined;
  private broken = false;
  private ending = false;
  private settle: () => void = () => undefined;

  constructor(contentType: string | undefined, contentEncoding: string | undefined) {
    const boundary = contentType && /^\s*multipart\//i.test(contentType) ? mimeParameter(contentType, 'boundary') : undefined;
    if (boundary) this.mime = new MimeParser(contentType);
    else this.hasher = new FileHasher();
    const encoding = contentEncoding?.trim().toLowerCase();
    if (encoding === 'gzip' || encoding === 'x-gzip') this.encoding = 'gzip';
    else if (encoding === 'deflate') this.encoding = 'deflate';
    this.settled = new Promise((resolve) => (this.settle = resolve));
    if (!this.encoding) this.settle();
  }

  files(): FileHasher[] {
    return this.hasher ? [this.hasher] : (this.mime?.leaves.map((leaf) => leaf.hasher) ?? []);
  }

  write(chunk: Buffer): void {
    if (chunk.length === 0 || this.broken) return;
    if (!this.encoding) {
      this.deliver(chunk);
      return;
    }
    this.decompressorFor(chunk).write(chunk);
  }

  gap(length: number): void {
    if (this.encoding) this.fail();
    this.hasher?.gap(length);
    this.mime?.gap(length);
  }

  end(): void {
    if (!this.encoding) {
      this.mime?.end();
      return;
    }
    if (!this.activeDecompressor || this.broken) {
      this.mime?.end();
      this.settle();
      return;
    }
    this.ending = true;
    this.activeDecompressor.end();
  }

  /** Creates the decompressor on the first bytes: deflate bodies come with or without a zlib header. */
  private decompressorFor(first: Buffer): Gunzip | Inflate | InflateRaw {
    if (this.activeDecompressor) return this.activeDecompressor;
    const zlibHeader = first.length >= 2 && (first[0]! & 0x0f) === 8 && ((first[0]! << 8) | first[1]!) % 31 === 0;
    let decompressor: Gunzip | Inflate | InflateRaw;
    if (this.encoding === 'gzip') decompressor = createGunzip();
    else if (zlibHeader) decompressor = createInflate();
    else decompressor = createInflateRaw();
    decompressor.on('data', (data: Buffer) => this.deliver(data));
    decompressor.once('end', () => {
      this.mime?.end();
      this.settle();
    });
    decompressor.once('error', (error: NodeJS.ErrnoException) => {
      // Compressed data that stops early, as in a capture cut short, keeps what it decoded to.
      const cutShort = this.ending && error.code === 'Z_BUF_ERROR';
      if (!cutShort) this.fail();
      this.mime?.end();
      this.settle();
    });
    this.activeDecompressor = decompressor;
    return decompressor;
  }

  private deliver(data: Buffer): void {
    if (this.broken) return;
    if (this.hasher) this.hasher.update(data);
    else this.mime!.write(data);
  }

  /** Damaged or interrupted compressed data: the decoded file is unknown, so it gets no hashes. */
  private fail(): void {
    if (this.broken) return;
    this.broken = true;
    this.hasher?.gap(1);
    this.mime?.gap(1);
    this.activeDecompressor?.removeAllListeners('data');
  }
}
