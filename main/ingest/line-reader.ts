import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import { NetcaseError } from '../errors.js';

export interface ReaderLimits {
  /** Maximum line length kept, in bytes. Longer lines are skipped and reported. */
  maxLineBytes: number;
  /** Most bytes a gzip file may expand to before reading stops (guards against gzip bombs). */
  maxExpandedBytes: number;
  /**
   * Most decompressed bytes per compressed byte read, checked once `ratioCheckAfterBytes` have
   * been decompressed. The gzipped brimdata sample Zeek logs compress at most 27 times, while a
   * gzip bomb reaches the deflate maximum of about 1000.
   */
  maxCompressionRatio: number;
  ratioCheckAfterBytes: number;
}

export const DEFAULT_LIMITS: ReaderLimits = {
  maxLineBytes: 4 * 1024 * 1024,
  maxExpandedBytes: 64 * 1024 * 1024 * 1024,
  maxCompressionRatio: 100,
  ratioCheckAfterBytes: 16 * 1024 * 1024,
};

export type ReadLine = { number: number; text: string } | { number: number; problem: string };

export interface LineBatch {
  lines: ReadLine[];
  /** Bytes of the file on disk read so far (compressed bytes for gzip). */
  bytesRead: number;
}

export interface ReadSummary {
  fileSha256: string;
  contentSha256: string;
  expandedBytes: number;
}

/**
 * Streams a text file, gzipped or not, as batches of lines. Lines are split on bytes, checked
 * as UTF-8 one by one (a newline byte never occurs inside a UTF-8 sequence) and decoded.
 * Memory stays bounded by the chunk size plus `maxLineBytes`. It hashes the file as stored
 * and its decompressed content on the way.
 */
export async function* readLineBatches(path: string, limits: ReaderLimits = DEFAULT_LIMITS, summary?: Partial<ReadSummary>): AsyncGenerator<LineBatch> {
  const fileHash = createHash('sha256');
  const contentHash = createHash('sha256');
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  let bytesRead = 0;
  let gzip: boolean | null = null;
  raw.on('data', (chunk) => {
    bytesRead += (chunk as Buffer).length;
    fileHash.update(chunk as Buffer);
  });

  const source = await openDecoded(raw, (isGzip) => (gzip = isGzip));
  const splitter = new LineSplitter(limits.maxLineBytes, contentHash);
  let expanded = 0;

  try {
    for await (const chunk of source) {
      const buffer = chunk as Buffer;
      expanded += buffer.length;
      if (expanded > limits.maxExpandedBytes) {
        throw new NetcaseError('INPUT_INVALID', `${path} expands to more than ${formatBytes(limits.maxExpandedBytes)} after decompression; reading stopped. If the log really is this large, decompress it first or raise the limit.`);
      }
      // bytesRead runs ahead of the decompressor, so the ratio is never overstated.
      if (gzip && expanded > limits.ratioCheckAfterBytes && expanded > bytesRead * limits.maxCompressionRatio) {
        throw new NetcaseError(
          'INPUT_INVALID',
          `${path} expands more than ${limits.maxCompressionRatio} times (${formatBytes(bytesRead)} of gzip gave over ${formatBytes(expanded)}), which Zeek logs never do; reading stopped as a gzip bomb and nothing from this file was imported. If the file is genuine, decompress it yourself and import the plain log.`,
        );
      }
      const lines = splitter.push(buffer);
      if (lines.length > 0) yield { lines, bytesRead };
    }
  } catch (error) {
    if (error instanceof NetcaseError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (gzip && (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || /unexpected end/i.test((error as Error).message))) {
      throw new NetcaseError('INPUT_INVALID', `${path} is a damaged or truncated gzip file (${(error as Error).message}) after ${splitter.lineCount} lines. Nothing from this file was imported; recover the complete file and import it again.`, { cause: error });
    }
    throw new NetcaseError('IO', `Cannot read ${path}: ${(error as Error).message}.`, { cause: error });
  } finally {
    raw.destroy();
  }

  const last = splitter.finish();
  if (last.length > 0) yield { lines: last, bytesRead };
  if (summary) {
    summary.fileSha256 = fileHash.digest('hex');
    summary.contentSha256 = contentHash.digest('hex');
    summary.expandedBytes = expanded;
  }
}

/** Peeks at the first bytes and inserts a gunzip stage when they are the gzip magic. */
async function openDecoded(raw: NodeJS.ReadableStream, report: (gzip: boolean) => void): Promise<AsyncIterable<Buffer>> {
  const iterator = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
  const isGzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  report(isGzip);

  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  if (!isGzip) return rest();

  const gunzip = createGunzip();
  (async () => {
    try {
      for await (const chunk of rest()) {
        if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once('drain', resolve));
      }
      gunzip.end();
    } catch (error) {
      gunzip.destroy(error as Error);
    }
  })();
  return gunzip;
}

class LineSplitter {
  lineCount = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private oversized = false;

  constructor(private readonly maxLineBytes: number, private readonly contentHash: Hash) {}

  push(chunk: Buffer): ReadLine[] {
    this.contentHash.update(chunk);
    const lines: ReadLine[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) break;
      if (this.pendingBytes === 0 && !this.oversized) {
        lines.push(this.decode(chunk.subarray(start, newline), newline - start));
      } else {
        this.append(chunk.subarray(start, newline));
        lines.push(this.takePending());
      }
      start = newline + 1;
    }
    // The stream may reuse the chunk's memory, so the unfinished line is copied.
    if (start < chunk.length) this.append(Buffer.from(chunk.subarray(start)));
    return lines;
  }

  finish(): ReadLine[] {
    return this.pendingBytes > 0 || this.oversized ? [this.takePending()] : [];
  }

  private append(part: Buffer): void {
    this.pendingBytes += part.length;
    if (this.oversized) return;
    if (this.pendingBytes > this.maxLineBytes) {
      this.oversized = true;
      this.pending = [];
    } else if (part.length > 0) {
      this.pending.push(part);
    }
  }

  private takePending(): ReadLine {
    const length = this.pendingBytes;
    const bytes = this.oversized ? null : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.oversized = false;
    return this.decode(bytes, length);
  }

  /** Decodes one line; `bytes` is null when the line was too long to keep. */
  private decode(bytes: Buffer | null, length: number): ReadLine {
    const number = ++this.lineCount;
    if (bytes === null || length > this.maxLineBytes) {
      return { number, problem: `line is ${formatBytes(length)} long, more than the ${formatBytes(this.maxLineBytes)} limit` };
    }
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    const line = bytes.subarray(0, end);
    if (!isUtf8(line)) return { number, problem: 'invalid UTF-8; Zeek writes UTF-8 and escapes other bytes as \\xNN' };
    return { number, text: line.toString('utf8') };
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
