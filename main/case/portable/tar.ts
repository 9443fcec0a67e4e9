import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { NetcaseError } from '../../errors.js';
import type { ByteReader } from '../../carve/byte-reader.js';

/**
 * A small POSIX tar (ustar) writer and reader for portable cases. Names that do not fit the
 * 100-byte ustar name field, names that are not ASCII and sizes of 8 GiB or more are carried
 * in a pax extended header ('x'), as POSIX.1-2001 specifies. The reader accepts only what
 * the writer produces: regular files and directories with relative names, checked header
 * checksums and zero padding. It rejects links, global pax headers, unsafe or duplicate
 * names and a missing end-of-archive marker.
 */

const BLOCK = 512;
/** Archives are padded to a multiple of 20 blocks, the traditional tar record size. */
const RECORD = 20 * BLOCK;
const USTAR_NAME_LENGTH = 100;
/** Largest size the 11 octal digits of the ustar size field can carry. */
// NOTE: no test writes a member this large, so the pax `size` path is checked by reading only.
const MAX_USTAR_SIZE = 8 ** 11 - 1;
const MAX_PAX_HEADER = 64 * 1024;
const DATA_CHUNK = 1 << 20;

export interface TarEntry {
  name: string;
  type: 'file' | 'directory';
  size: number;
  /** Offset of the entry's first header block in the archive. */
  offset: number;
}

/** Writes a tar archive sequentially to an open file. */
export class TarWriter {
  private position = 0;

  constructor(private readonly handle: FileHandle) {}

  /** Adds a regular file whose content comes from `chunks`; returns its SHA-256. */
  async addFile(name: string, size: number, mtimeSeconds: number, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<string> {
    checkMemberName(name);
    await this.writeHeaders(name, size, mtimeSeconds);
    const hash = createHash('sha256');
    let written = 0;
    for await (const chunk of chunks) {
      written += chunk.length;
      if (written > size) break;
      hash.update(chunk);
      await this.write(chunk);
    }
    if (written !== size) throw new NetcaseError('IO', `${name} changed size while it was archived (${written} bytes read, ${size} expected). Retry the export.`);
    await this.pad();
    return hash.digest('hex');
  }

  /** Adds the end-of-archive marker (two zero blocks) and pads to a full record. */
  async finish(): Promise<number> {
    await this.write(Buffer.alloc(2 * BLOCK));
    const remainder = this.position % RECORD;
    if (remainder !== 0) await this.write(Buffer.alloc(RECORD - remainder));
    return this.position;
  }

  private async writeHeaders(name: string, size: number, mtimeSeconds: number): Promise<void> {
    const records: [string, string][] = [];
    const ascii = /^[\x20-\x7e]*$/.test(name);
    if (!ascii || Buffer.byteLength(name) > USTAR_NAME_LENGTH) records.push(['path', name]);
    if (size > MAX_USTAR_SIZE) records.push(['size', String(size)]);

    if (records.length > 0) {
      const body = Buffer.from(records.map(([key, value]) => paxRecord(key, value)).join(''), 'utf8');
      await this.write(ustarHeader(`PaxHeaders/${shortName(name)}`, body.length, mtimeSeconds, 'x'));
      await this.write(body);
      await this.pad();
    }
    await this.write(ustarHeader(shortName(name), Math.min(size, MAX_USTAR_SIZE), mtimeSeconds, '0'));
  }

  private async pad(): Promise<void> {
    const remainder = this.position % BLOCK;
    if (remainder !== 0) await this.write(Buffer.alloc(BLOCK - remainder));
  }

  private async write(data: Buffer): Promise<void> {
    await this.handle.write(data);
    this.position += data.length;
  }
}

/** Formats a pax record "LEN key=value\n", where LEN counts the whole record including its own digits. */
function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  const restLength = Buffer.byteLength(rest);
  let length = restLength + 1;
  while (restLength + String(length).length !== length) length = restLength + String(length).length;
  return `${length}${rest}`;
}

/** Returns the ASCII name for the ustar field; the pax `path` record carries the real name when they differ. */
function shortName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').slice(-USTAR_NAME_LENGTH);
}

function ustarHeader(name: string, size: number, mtimeSeconds: number, type: '0' | 'x'): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, USTAR_NAME_LENGTH, 'ascii');
  writeOctal(header, 100, 8, type === 'x' ? 0o644 : 0o444);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, Math.max(0, Math.floor(mtimeSeconds)));
  header.fill(0x20, 148, 156);
  header.write(type, 156, 1, 'ascii');
  header.write('ustar\u000000', 257, 8, 'ascii');
  header.write('netcase', 265, 32, 'ascii');
  header.write('netcase', 297, 32, 'ascii');
  writeOctal(header, 148, 7, headerChecksum(header));
  header[155] = 0x20;
  return header;
}

/** Writes `value` as zero-padded octal digits followed by a NUL, filling `length` bytes. */
function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}

/** Sums all header bytes as unsigned values, counting the checksum field as spaces. */
function headerChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum;
}

/**
 * Checks a member name: relative, '/'-separated, no empty, '.' or '..' segments, no
 * backslash, drive letter or control character. Such a name can only resolve inside the
 * folder it is extracted into.
 */
export function checkMemberName(name: string): void {
  const problem = memberNameProblem(name);
  if (problem) throw new NetcaseError('INPUT_INVALID', `The archive member name "${name.replace(/[\u0000-\u001f]/g, '?')}" is unsafe: ${problem}.`);
}

function memberNameProblem(name: string): string | null {
  if (name === '') return 'it is empty';
  if (name.startsWith('/')) return 'it is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'it starts with a drive letter';
  if (name.includes('\\')) return 'it contains a backslash';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains control characters';
  const segments = name.split('/');
  if (segments.some((segment) => segment === '..')) return 'it climbs out of the archive root with ".."';
  if (segments.some((segment) => segment === '' || segment === '.')) return 'it has an empty or "." path segment';
  return null;
}

/** Receives one member: consume `data` fully or partly; the reader skips what is left. */
export type TarEntryHandler = (entry: TarEntry, data: AsyncIterable<Buffer>) => Promise<void>;

/**
 * Reads a whole archive, calling `onEntry` for each member in order. Throws INPUT_INVALID
 * naming the offset and the reason for a damaged, truncated or unsafe archive, including a
 * name that repeats an earlier one (compared case-insensitively, because the target file
 * system may not tell them apart).
 */
export async function readTar(reader: ByteReader, onEntry: TarEntryHandler): Promise<void> {
  const seen = new Set<string>();
  let pax: Map<string, string> | null = null;

  for (;;) {
    const offset = reader.offset;
    const header = await reader.read(BLOCK);
    if (header.length < BLOCK) throw invalidArchive(offset, 'the archive is truncated (no end-of-archive marker)');
    if (header.every((byte) => byte === 0)) {
      await readEndOfArchive(reader, offset);
      if (pax) throw invalidArchive(offset, 'a pax extended header is not followed by a member');
      return;
    }
    checkHeader(header, offset);

    const type = String.fromCharCode(header[156]!);
    let size = parseOctal(header, 124, 12, offset);
    if (type === 'x') {
      if (size > MAX_PAX_HEADER) throw invalidArchive(offset, `a pax extended header of ${size} bytes is larger than allowed`);
      pax = parsePax(await readData(reader, size, offset), offset);
      continue;
    }
    if (type === 'g') throw invalidArchive(offset, 'global pax headers are not supported');
    if (type === '1' || type === '2') throw invalidArchive(offset, `member "${fieldText(header, 0, 100)}" is a ${type === '2' ? 'symbolic' : 'hard'} link, which portable cases never contain`);
    if (type !== '0' && type !== '\u0000' && type !== '5') throw invalidArchive(offset, `member "${fieldText(header, 0, 100)}" has the unsupported type "${type}"`);

    const prefix = fieldText(header, 345, 155);
    let name = pax?.get('path') ?? (prefix ? `${prefix}/${fieldText(header, 0, 100)}` : fieldText(header, 0, 100));
    if (pax?.has('size')) size = parseDecimal(pax.get('size')!, offset);
    pax = null;
    const isDirectory = type === '5';
    if (isDirectory) {
      name = name.replace(/\/+$/, '');
      if (size !== 0) throw invalidArchive(offset, `directory "${name}" has a size`);
    }
    const problem = memberNameProblem(name);
    if (problem) throw invalidArchive(offset, `member name "${name.replace(/[\u0000-\u001f]/g, '?')}" is unsafe: ${problem}`);
    const key = name.normalize('NFC').toLowerCase();
    if (seen.has(key)) throw invalidArchive(offset, `member "${name}" appears more than once`);
    seen.add(key);

    const entry: TarEntry = { name, type: isDirectory ? 'directory' : 'file', size, offset };
    const data = dataChunks(reader, size, offset, `member "${name}"`);
    await onEntry(entry, data);
    for await (const chunk of data) void chunk;
    await readPadding(reader, size, offset);
  }
}

function checkHeader(header: Buffer, offset: number): void {
  const recorded = parseOctal(header, 148, 8, offset);
  if (recorded !== headerChecksum(header)) throw invalidArchive(offset, 'a header checksum does not match (the archive is damaged)');
  if (header.toString('latin1', 257, 265) !== 'ustar\u000000') throw invalidArchive(offset, 'a header is not in ustar format');
}

async function readEndOfArchive(reader: ByteReader, offset: number): Promise<void> {
  const second = await reader.read(BLOCK);
  if (second.length < BLOCK || !second.every((byte) => byte === 0)) throw invalidArchive(offset, 'the end-of-archive marker is incomplete (the archive is truncated or damaged)');
  for (;;) {
    const rest = await reader.read(DATA_CHUNK);
    if (rest.length === 0) return;
    if (!rest.every((byte) => byte === 0)) throw invalidArchive(reader.offset - rest.length, 'there are non-zero bytes after the end-of-archive marker');
  }
}

/** Yields the member's data; a second iteration yields whatever the first left unread. */
function dataChunks(reader: ByteReader, size: number, offset: number, member = 'an extended header'): AsyncIterable<Buffer> {
  let remaining = size;
  return {
    async *[Symbol.asyncIterator]() {
      while (remaining > 0) {
        const chunk = await reader.read(Math.min(remaining, DATA_CHUNK));
        if (chunk.length === 0) {
          throw invalidArchive(offset, `the archive is truncated inside ${member}, which lacks ${remaining} of its ${size} bytes`);
        }
        remaining -= chunk.length;
        yield chunk;
      }
    },
  };
}

async function readData(reader: ByteReader, size: number, offset: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of dataChunks(reader, size, offset)) chunks.push(chunk);
  await readPadding(reader, size, offset);
  return Buffer.concat(chunks);
}

async function readPadding(reader: ByteReader, size: number, offset: number): Promise<void> {
  const length = (BLOCK - (size % BLOCK)) % BLOCK;
  const padding = await reader.read(length);
  if (padding.length < length) throw invalidArchive(offset, 'the archive is truncated inside a member');
  if (!padding.every((byte) => byte === 0)) throw invalidArchive(offset, 'the padding after a member is not zero (the archive is damaged)');
}

function parsePax(body: Buffer, offset: number): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const lengthText = space > at ? body.toString('ascii', at, space) : '';
    const length = /^\d{1,8}$/.test(lengthText) ? Number(lengthText) : NaN;
    if (!Number.isInteger(length) || length <= space - at + 1 || at + length > body.length || body[at + length - 1] !== 0x0a) {
      throw invalidArchive(offset, 'a pax extended header record is malformed');
    }
    const record = body.toString('utf8', space + 1, at + length - 1);
    const equals = record.indexOf('=');
    if (equals <= 0) throw invalidArchive(offset, 'a pax extended header record has no key');
    records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

function parseOctal(header: Buffer, start: number, length: number, offset: number): number {
  const text = header.toString('ascii', start, start + length).replace(/[\u0000 ]+$/, '').replace(/^ +/, '');
  if (!/^[0-7]+$/.test(text)) throw invalidArchive(offset, 'a header has an invalid number field (the archive is damaged)');
  return parseInt(text, 8);
}

function parseDecimal(text: string, offset: number): number {
  if (!/^\d{1,15}$/.test(text)) throw invalidArchive(offset, `a pax size "${text}" is invalid`);
  return Number(text);
}

function fieldText(header: Buffer, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end === -1 ? length : end);
}

function invalidArchive(offset: number, reason: string): NetcaseError {
  return new NetcaseError('INPUT_INVALID', `The archive is invalid at byte ${offset}: ${reason}. Nothing was imported; ask for a fresh export.`, { details: { offset, reason } });
}
