import { open } from 'node:fs/promises';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';

export type FileKind = 'capture' | 'zeek-log' | 'unknown';

export interface FileKindResult {
  kind: FileKind;
  /** 'pcap', 'pcapng', 'zeek-tsv', 'zeek-json', 'zeek-cut' or a reason when unknown. */
  format: string;
  gzip: boolean;
}

const SNIFF_BYTES = 64 * 1024;

// Magic numbers from the pcap and pcapng specifications, in both byte orders; a1b23c4d is
// the nanosecond-resolution pcap variant.
const PCAP_MAGICS = new Set(['a1b2c3d4', 'd4c3b2a1', 'a1b23c4d', '4d3cb2a1']);
const PCAPNG_MAGIC = '0a0d0d0a';

/** Tells a packet capture from a Zeek log by the first bytes, looking inside gzip. */
export async function detectFileKind(path: string): Promise<FileKindResult> {
  const head = await readHead(path, SNIFF_BYTES);
  if (head.length === 0) return { kind: 'unknown', format: 'empty file', gzip: false };

  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const bytes = gzip ? gunzipPrefix(head) : head;
  return { ...classify(bytes), gzip };
}

export function classify(bytes: Buffer): { kind: FileKind; format: string } {
  if (bytes.length >= 4) {
    const magic = bytes.subarray(0, 4).toString('hex');
    if (PCAP_MAGICS.has(magic)) return { kind: 'capture', format: 'pcap' };
    if (magic === PCAPNG_MAGIC) return { kind: 'capture', format: 'pcapng' };
  }
  const text = bytes.toString('utf8', 0, Math.min(bytes.length, 8192));
  const format = sniffZeekText(text);
  if (format) return { kind: 'zeek-log', format };
  return { kind: 'unknown', format: 'its first bytes match no capture or log format' };
}

/**
 * Recognises the three Zeek text forms from the first lines: the ASCII writer's header, one
 * JSON object per line, and zeek-cut output (a single header line of Zeek field names).
 */
export function sniffZeekText(text: string): 'zeek-tsv' | 'zeek-json' | 'zeek-cut' | null {
  const lines = text.split('\n').slice(0, 12).map((line) => line.replace(/\r$/, ''));
  const meaningful = lines.filter((line) => line.trim() !== '' && !line.startsWith('### '));
  const first = meaningful[0];
  if (first === undefined) return null;
  if (first.startsWith('#separator ') || meaningful.some((line) => line.startsWith('#fields\t'))) return 'zeek-tsv';
  if (first.startsWith('{') && /"(ts|_path|uid)"\s*:/.test(first)) return 'zeek-json';
  if (isZeekCutHeader(first)) return 'zeek-cut';
  return null;
}

/** Tells whether a line is a zeek-cut header: tab-separated Zeek field names including one of ts, uid or fuid. */
export function isZeekCutHeader(line: string): boolean {
  const names = line.split('\t');
  return names.length >= 2 && names.every((name) => /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) && names.some((name) => name === 'ts' || name === 'uid' || name === 'fuid');
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Compressed bytes decoded to tell the kind: enough for the first lines of any log, and at most
 * about 16 MiB of output even for a gzip bomb.
 */
const GZIP_SNIFF_BYTES = 16 * 1024;

function gunzipPrefix(compressed: Buffer): Buffer {
  try {
    return gunzipSync(compressed.subarray(0, GZIP_SNIFF_BYTES), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return Buffer.alloc(0);
  }
}
