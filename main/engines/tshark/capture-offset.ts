import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

/** pcap file header bytes, before the first packet record. */
const PCAP_FILE_HEADER_BYTES = 24;

/** pcap record header bytes: seconds, fraction, captured and original length. */
const PCAP_RECORD_HEADER_BYTES = 16;

/** Record header bytes in the "modified pcap" format (magic a1b2cd34), which adds 8 bytes. */
const MODIFIED_PCAP_RECORD_HEADER_BYTES = 24;

/**
 * Bytes of a pcapng Enhanced Packet Block without its packet data and options: type, length,
 * interface id, two timestamp words, captured and original length, and the trailing length.
 */
const PCAPNG_PACKET_BLOCK_BYTES = 32;

type CaptureFormat = 'pcap' | 'modified-pcap' | 'pcapng' | 'unknown';

/**
 * Estimates how far tshark has read into a capture that it opens itself (`-r FILE`), from the
 * captured length of each packet it printed. The estimate is exact for an uncompressed pcap file.
 * NOTE: for pcapng it leaves out block options and blocks other than packets, so it runs a little
 * behind. For gzip it scales the uncompressed position by the size in the gzip trailer. That size
 * is modulo 4 GiB, so for a capture that expands past 4 GiB the estimate is wrong until the end.
 */
export class CaptureOffsetEstimator {
  private position: number;

  private constructor(
    private readonly fileBytes: number,
    private readonly format: CaptureFormat,
    /** Compressed bytes per uncompressed byte, or 1 for an uncompressed file. */
    private readonly scale: number,
  ) {
    this.position = format === 'pcap' || format === 'modified-pcap' ? PCAP_FILE_HEADER_BYTES : 0;
  }

  /** Reads the capture's magic numbers (and, for gzip, its trailer) to choose the estimate. */
  static async forFile(path: string, fileBytes: number): Promise<CaptureOffsetEstimator> {
    const head = await readStart(path, 4);
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      const inner = await readGunzippedStart(path, 4);
      const uncompressedBytes = await readGzipTrailerSize(path, fileBytes);
      const scale = uncompressedBytes > fileBytes ? fileBytes / uncompressedBytes : 1;
      return new CaptureOffsetEstimator(fileBytes, formatOf(inner), scale);
    }
    return new CaptureOffsetEstimator(fileBytes, formatOf(head), 1);
  }

  /** Adds one packet that tshark printed, with its captured length in bytes. */
  notePacket(capturedBytes: number): void {
    if (this.format === 'pcap') this.position += PCAP_RECORD_HEADER_BYTES + capturedBytes;
    else if (this.format === 'modified-pcap') this.position += MODIFIED_PCAP_RECORD_HEADER_BYTES + capturedBytes;
    else this.position += PCAPNG_PACKET_BLOCK_BYTES + Math.ceil(capturedBytes / 4) * 4;
  }

  /** Estimated bytes of the capture file read so far, never past its size. */
  bytesRead(): number {
    return Math.min(Math.floor(this.position * this.scale), this.fileBytes);
  }
}

function formatOf(magic: Buffer): CaptureFormat {
  if (magic.length < 4) return 'unknown';
  const little = magic.readUInt32LE(0);
  const big = magic.readUInt32BE(0);
  if (little === 0x0a0d0d0a) return 'pcapng';
  if (little === 0xa1b2cd34 || big === 0xa1b2cd34) return 'modified-pcap';
  if ([0xa1b2c3d4, 0xa1b23c4d].includes(little) || [0xa1b2c3d4, 0xa1b23c4d].includes(big)) return 'pcap';
  return 'unknown';
}

async function readStart(path: string, length: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** Returns the first bytes after decompression, or fewer when the gzip data is damaged. */
async function readGunzippedStart(path: string, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let collected = 0;
  const source = createReadStream(path, { highWaterMark: 64 * 1024 });
  const gunzip = createGunzip();
  try {
    for await (const chunk of source.pipe(gunzip) as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      collected += chunk.length;
      if (collected >= length) break;
    }
  } catch {
    // A damaged gzip stream leaves the format unknown, and tshark reports the damage itself.
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  return Buffer.concat(chunks).subarray(0, length);
}

/** Returns the uncompressed size (modulo 4 GiB) from the last four bytes of a gzip file. */
async function readGzipTrailerSize(path: string, fileBytes: number): Promise<number> {
  if (fileBytes < 4) return 0;
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4);
    await file.read(buffer, 0, 4, fileBytes - 4);
    return buffer.readUInt32LE(0);
  } finally {
    await file.close();
  }
}
