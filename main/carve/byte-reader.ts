import type { Readable } from 'node:stream';

/**
 * Reads exact byte counts from a stream, for formats made of length-prefixed blocks (pcap,
 * pcapng, tar). Memory stays at one stream chunk plus the largest block requested.
 */
export class ByteReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private buffered: Buffer[] = [];
  private bufferedLength = 0;
  private ended = false;
  /** Bytes handed out so far, the offset of the next byte in the stream. */
  offset = 0;

  constructor(stream: Readable) {
    this.chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** Returns exactly `length` bytes, or fewer only when the stream ends first. */
  async read(length: number): Promise<Buffer> {
    while (this.bufferedLength < length && !this.ended) {
      const next = await this.chunks.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      this.buffered.push(next.value);
      this.bufferedLength += next.value.length;
    }
    const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered, this.bufferedLength);
    const taken = all.subarray(0, Math.min(length, all.length));
    const rest = all.subarray(taken.length);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedLength = rest.length;
    this.offset += taken.length;
    return taken;
  }

  /** Returns true when no byte is left. */
  async atEnd(): Promise<boolean> {
    if (this.bufferedLength > 0) return false;
    const probe = await this.read(1);
    if (probe.length === 0) return true;
    this.buffered = [probe];
    this.bufferedLength = 1;
    this.offset -= 1;
    return false;
  }
}
