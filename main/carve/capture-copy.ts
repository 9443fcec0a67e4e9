import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { NetcaseError } from '../errors.js';
import { ByteReader } from './byte-reader.js';

/** A packet tshark selected: its 1-based frame number and the values used to cross-check it. */
export interface SelectedFrame {
  frame: number;
  capturedLength: number;
  /** Packet time in microseconds, or null when tshark printed none. */
  timeMicros: number | null;
}

export interface CopyResult {
  format: 'pcap' | 'pcapng';
  packets: number;
  /** pcap link type of the file, or of each pcapng interface in order. */
  linkTypes: number[];
  /** SHA-256 of the source file as stored (before gunzip), taken during the same read. */
  sourceSha256: string;
  /** True when the source ends in the middle of a packet record, which is then left out. */
  truncated: boolean;
}

const PCAP_HEADER_LENGTH = 24;
const PCAP_RECORD_HEADER_LENGTH = 16;
const PCAPNG_SECTION_HEADER = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

// pcapng block types (pcapng specification, section 11.1).
const BLOCK_INTERFACE_DESCRIPTION = 0x00000001;
const BLOCK_PACKET_OBSOLETE = 0x00000002;
const BLOCK_SIMPLE_PACKET = 0x00000003;
const BLOCK_NAME_RESOLUTION = 0x00000004;
const BLOCK_ENHANCED_PACKET = 0x00000006;
const BLOCK_DECRYPTION_SECRETS = 0x0000000a;
const PACKET_BLOCKS = new Set([BLOCK_PACKET_OBSOLETE, BLOCK_SIMPLE_PACKET, BLOCK_ENHANCED_PACKET]);
/** Non-packet blocks copied to the output. Interface statistics are left out because their counters describe the whole source. */
const KEPT_BLOCKS = new Set([BLOCK_INTERFACE_DESCRIPTION, BLOCK_NAME_RESOLUTION, BLOCK_DECRYPTION_SECRETS]);

/** Upper bound for one pcap record or pcapng block, so a damaged length cannot exhaust memory. */
const MAX_BLOCK_LENGTH = 256 * 1024 * 1024;

/**
 * Copies the selected packets of a capture into `out`, byte for byte. pcap keeps its file
 * header and each record header unchanged. pcapng keeps every section header and interface
 * description block, so link types, interface ids and timestamp resolution stay exact with
 * several interfaces, and only the section length is reset to "unspecified".
 * Frame numbers count packet records in file order, as tshark numbers them. Each copied
 * record's captured length and time must match what tshark printed for that frame, otherwise
 * the copy is refused, because the two readers disagree about which record is which.
 * A capture that ends in the middle of a record (a capture cut short) is copied up to that
 * record, as tshark reads it.
 */
export async function copySelectedPackets(sourcePath: string, gzip: boolean, selected: SelectedFrame[], out: FileHandle): Promise<CopyResult> {
  const selectedByFrame = new Map(selected.map((frame) => [frame.frame, frame]));
  const hash = createHash('sha256');
  const raw = createReadStream(sourcePath, { highWaterMark: 1 << 20 });
  const next = gzip ? createGunzip() : new PassThrough();
  raw.on('data', (chunk) => hash.update(chunk as Buffer));
  raw.on('error', (error) => next.destroy(error));
  const stream = raw.pipe(next);
  const reader = new ByteReader(stream);

  const magic = await reader.read(4);
  if (magic.length < 4) throw invalidCapture(sourcePath, 'it is shorter than a capture header');
  const copier = magic.readUInt32BE(0) === PCAPNG_SECTION_HEADER ? copyPcapng : copyPcap;
  const result = await copier(sourcePath, magic, reader, selectedByFrame, out);

  if (result.packets !== selectedByFrame.size) {
    throw new NetcaseError('INTEGRITY', `${sourcePath} contains fewer packet records than tshark numbered (${result.packets} of ${selectedByFrame.size} selected found). The capture may be damaged; nothing was written.`);
  }
  // Drain what is left so the hash covers the whole file.
  while ((await reader.read(1 << 20)).length > 0);
  return { ...result, sourceSha256: hash.digest('hex') };
}

type Copier = (path: string, magic: Buffer, reader: ByteReader, selectedByFrame: Map<number, SelectedFrame>, out: FileHandle) => Promise<Omit<CopyResult, 'sourceSha256'>>;

const copyPcap: Copier = async (path, magic, reader, selectedByFrame, out) => {
  const magicText = magic.toString('hex');
  const littleEndian = magicText === 'd4c3b2a1' || magicText === '4d3cb2a1';
  const nanoseconds = magicText === 'a1b23c4d' || magicText === '4d3cb2a1';
  if (!littleEndian && magicText !== 'a1b2c3d4' && magicText !== 'a1b23c4d') throw invalidCapture(path, `its first bytes (${magicText}) are neither pcap nor pcapng`);

  const header = Buffer.concat([magic, await reader.read(PCAP_HEADER_LENGTH - 4)]);
  if (header.length < PCAP_HEADER_LENGTH) throw invalidCapture(path, 'its pcap file header is truncated');
  const linkType = (littleEndian ? header.readUInt32LE(20) : header.readUInt32BE(20)) & 0x0fffffff;
  await out.write(header);

  let frame = 0;
  let packets = 0;
  for (;;) {
    const recordHeader = await reader.read(PCAP_RECORD_HEADER_LENGTH);
    if (recordHeader.length === 0) break;
    if (recordHeader.length < PCAP_RECORD_HEADER_LENGTH) return { format: 'pcap', packets, linkTypes: [linkType], truncated: true };
    const read32 = (at: number): number => (littleEndian ? recordHeader.readUInt32LE(at) : recordHeader.readUInt32BE(at));
    const capturedLength = read32(8);
    if (capturedLength > MAX_BLOCK_LENGTH) throw invalidCapture(path, `record ${frame + 1} claims ${capturedLength} captured bytes`);
    const data = await reader.read(capturedLength);
    if (data.length < capturedLength) return { format: 'pcap', packets, linkTypes: [linkType], truncated: true };
    frame++;

    const selected = selectedByFrame.get(frame);
    if (!selected) continue;
    const fraction = read32(4);
    const timeMicros = read32(0) * 1_000_000 + (nanoseconds ? Math.round(fraction / 1000) : fraction);
    checkSameFrame(path, selected, capturedLength, timeMicros);
    await out.write(Buffer.concat([recordHeader, data]));
    packets++;
  }
  return { format: 'pcap', packets, linkTypes: [linkType], truncated: false };
};

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second (if_tsresol). */
  unitsPerSecond: bigint;
  /** Seconds added to every timestamp (if_tsoffset). */
  offsetSeconds: bigint;
}

const copyPcapng: Copier = async (path, magic, reader, selectedByFrame, out) => {
  let littleEndian = true;
  let interfaces: Interface[] = [];
  const linkTypes: number[] = [];
  let frame = 0;
  let packets = 0;
  let pending: Buffer | null = magic;

  for (;;) {
    const typeBytes: Buffer = pending ?? (await reader.read(4));
    pending = null;
    if (typeBytes.length === 0) break;
    const lengthBytes = await reader.read(4);
    if (typeBytes.length < 4 || lengthBytes.length < 4) return { format: 'pcapng', packets, linkTypes, truncated: true };

    const isSection = typeBytes.readUInt32BE(0) === PCAPNG_SECTION_HEADER;
    let bodyStart: Buffer = Buffer.alloc(0);
    if (isSection) {
      // The byte-order magic that follows the length decides how this section is read.
      bodyStart = await reader.read(4);
      if (bodyStart.length < 4) throw invalidCapture(path, 'a section header block is truncated');
      if (bodyStart.readUInt32LE(0) === PCAPNG_BYTE_ORDER_MAGIC) littleEndian = true;
      else if (bodyStart.readUInt32BE(0) === PCAPNG_BYTE_ORDER_MAGIC) littleEndian = false;
      else throw invalidCapture(path, `a section header has an unknown byte-order magic ${bodyStart.toString('hex')}`);
      interfaces = [];
    }
    const read32 = (buffer: Buffer, at: number): number => (littleEndian ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at));
    const type = read32(typeBytes, 0);
    const totalLength = read32(lengthBytes, 0);
    if (totalLength < 12 || totalLength % 4 !== 0 || totalLength > MAX_BLOCK_LENGTH) throw invalidCapture(path, `a block at byte ${reader.offset - 8} has the invalid length ${totalLength}`);
    const rest = await reader.read(totalLength - 8 - bodyStart.length);
    if (rest.length < totalLength - 8 - bodyStart.length) return { format: 'pcapng', packets, linkTypes, truncated: true };
    const block = Buffer.concat([typeBytes, lengthBytes, bodyStart, rest]);
    if (read32(block, totalLength - 4) !== totalLength) throw invalidCapture(path, `a block at byte ${reader.offset - totalLength} has mismatched lengths`);

    if (isSection) {
      // Section length (bytes 16..23) becomes -1, "not specified", because the carved section is shorter.
      block.fill(0xff, 16, 24);
      await out.write(block);
      continue;
    }
    if (type === BLOCK_INTERFACE_DESCRIPTION) {
      const described = describeInterface(block, littleEndian);
      interfaces.push(described);
      linkTypes.push(described.linkType);
    }
    if (KEPT_BLOCKS.has(type)) {
      await out.write(block);
      continue;
    }
    if (!PACKET_BLOCKS.has(type)) continue;

    frame++;
    const selected = selectedByFrame.get(frame);
    if (!selected) continue;
    const { capturedLength, timeMicros } = packetFacts(block, type, littleEndian, interfaces);
    checkSameFrame(path, selected, capturedLength, timeMicros);
    await out.write(block);
    packets++;
  }
  return { format: 'pcapng', packets, linkTypes, truncated: false };
};

function describeInterface(block: Buffer, littleEndian: boolean): Interface {
  const read16 = (at: number): number => (littleEndian ? block.readUInt16LE(at) : block.readUInt16BE(at));
  const read32 = (at: number): number => (littleEndian ? block.readUInt32LE(at) : block.readUInt32BE(at));
  const described: Interface = { linkType: read16(8), snapLength: read32(12), unitsPerSecond: 1_000_000n, offsetSeconds: 0n };

  // Options start after link type (2), reserved (2) and snap length (4).
  let at = 16;
  const end = block.length - 4;
  while (at + 4 <= end) {
    const code = read16(at);
    const length = read16(at + 2);
    const value = block.subarray(at + 4, at + 4 + length);
    if (code === 0) break;
    if (code === 9 && length >= 1) {
      // if_tsresol: high bit set means a power of two, otherwise a power of ten.
      const exponent = BigInt(value[0]! & 0x7f);
      described.unitsPerSecond = value[0]! & 0x80 ? 2n ** exponent : 10n ** exponent;
    }
    if (code === 14 && length >= 8) described.offsetSeconds = littleEndian ? value.readBigInt64LE(0) : value.readBigInt64BE(0);
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  return described;
}

// NOTE: tests cover enhanced packet blocks only. The simple and obsolete packet block branches
// follow the pcapng specification but have not been run on a real capture.
function packetFacts(block: Buffer, type: number, littleEndian: boolean, interfaces: Interface[]): { capturedLength: number; timeMicros: number | null } {
  const read32 = (at: number): number => (littleEndian ? block.readUInt32LE(at) : block.readUInt32BE(at));
  if (type === BLOCK_SIMPLE_PACKET) {
    const originalLength = read32(8);
    const snapLength = interfaces[0]?.snapLength || Number.MAX_SAFE_INTEGER;
    return { capturedLength: Math.min(originalLength, snapLength, block.length - 16), timeMicros: null };
  }
  // Enhanced packet: interface id at 8; the obsolete packet block has a 16-bit id there.
  let interfaceId = read32(8);
  if (type === BLOCK_PACKET_OBSOLETE) interfaceId = littleEndian ? block.readUInt16LE(8) : block.readUInt16BE(8);
  const units = (BigInt(read32(12)) << 32n) | BigInt(read32(16));
  const described = interfaces[interfaceId];
  if (!described) throw new NetcaseError('INPUT_INVALID', `A packet names interface ${interfaceId}, which the capture does not describe.`);
  const micros = (units * 1_000_000n) / described.unitsPerSecond + described.offsetSeconds * 1_000_000n;
  return { capturedLength: read32(20), timeMicros: Number(micros) };
}

function checkSameFrame(path: string, selected: SelectedFrame, capturedLength: number, timeMicros: number | null): void {
  const timeDiffers = selected.timeMicros !== null && timeMicros !== null && Math.abs(selected.timeMicros - timeMicros) > 1;
  if (capturedLength !== selected.capturedLength || timeDiffers) {
    throw new NetcaseError(
      'INTEGRITY',
      `Frame ${selected.frame} of ${path} does not match what tshark reported (length ${capturedLength} vs ${selected.capturedLength}, time ${timeMicros} vs ${selected.timeMicros} µs). This capture layout is not supported for exact carving; nothing was written.`,
    );
  }
}

function invalidCapture(path: string, reason: string): NetcaseError {
  return new NetcaseError('INPUT_INVALID', `Cannot read ${path} as a capture: ${reason}. Check the evidence with "netcase case info".`);
}
