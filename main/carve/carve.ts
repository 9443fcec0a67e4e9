import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { appendAudit } from '../case/audit.js';
import type { OpenCase } from '../case/case-folder.js';
import { hashFile, listEvidence, type EvidenceItem } from '../case/evidence.js';
import { detectFileKind } from '../case/file-kind.js';
import { NetcaseError } from '../errors.js';
import { log } from '../log.js';
import { CAPTURE_PIPE_ARGUMENT, runTsharkProcess } from '../engines/tshark/process.js';
import { epochTextToMicros, microsToIso } from '../time.js';
import { copySelectedPackets, type SelectedFrame } from './capture-copy.js';
import { describeTuple, displayFilter, hostTarget, resolveUidTarget, type CarveTarget } from './flow-target.js';

export interface CarveRequest {
  uid?: string;
  host?: string;
  /** Inclusive bounds in microseconds; with a uid they narrow the connection's window. */
  from?: number;
  to?: number;
  /** Path of the capture to write; it must not exist. */
  out: string;
  /** Evidence id or SHA-256 prefix, to choose one capture when several match. */
  evidence?: string;
  tsharkPath?: string;
  signal?: AbortSignal;
}

export interface CarveResult {
  out: string;
  target: string;
  filter: string;
  from: string | null;
  to: string | null;
  evidence: { id: number; storedPath: string; sha256: string };
  format: 'pcap' | 'pcapng';
  linkTypes: number[];
  packets: number;
  sha256: string;
  size: number;
  /** True when the source capture ends in the middle of a packet, which no carve can include. */
  sourceTruncated: boolean;
}

const logger = log.scope('carve');

/**
 * Writes the packets of a connection or host from the original evidence capture into a new
 * capture at `request.out`, byte-identical to the source records. The capture is re-hashed
 * before tshark reads it and again while its records are copied, and a mismatch with the
 * intake hash refuses the carve. The file is written under a temporary name and linked to
 * `out`, which fails when `out` exists, so an existing file is never overwritten.
 */
export async function carvePackets(opened: OpenCase, request: CarveRequest): Promise<CarveResult> {
  const target = resolveTarget(opened, request);
  const out = checkOutPath(request.out);
  const filter = displayFilter(target);
  const signal = request.signal ?? new AbortController().signal;

  const candidates = candidateCaptures(opened, target, request.evidence);
  const matches: { item: EvidenceItem; frames: SelectedFrame[] }[] = [];
  for (const item of candidates) {
    await checkUnchanged(opened, item);
    const frames = await selectFrames(join(opened.dir, item.stored_path), filter, target, request.tsharkPath ?? 'tshark', signal);
    if (frames.length > 0) matches.push({ item, frames });
  }
  if (matches.length === 0) {
    throw new NetcaseError('NOT_FOUND', `No packets of ${target.description} (${filter}) ${windowText(target)} in ${candidates.map((item) => item.stored_path).join(', ')}. Check the uid or host and the time window.`);
  }
  if (matches.length > 1) {
    const names = matches.map(({ item, frames }) => `${item.id} (${item.stored_path}, ${frames.length} packets)`).join('; ');
    throw new NetcaseError('INVALID_ARGUMENT', `Packets of ${target.description} are in several captures: ${names}. Carve one at a time with --evidence ID.`);
  }

  const { item, frames } = matches[0]!;
  const written = await writeCarvedCapture(opened, item, frames, out);
  const result: CarveResult = {
    out,
    target: target.tuple ? `${target.description} (${describeTuple(target.tuple)})` : target.description,
    filter,
    from: target.from === null ? null : microsToIso(target.from),
    to: target.to === null ? null : microsToIso(target.to),
    evidence: { id: item.id, storedPath: item.stored_path, sha256: item.sha256 },
    ...written,
  };
  opened.db.transaction(() => appendAudit(opened.db, opened.actor, 'packets.carve', { ...result }))();
  logger.info({ out, packets: result.packets, evidence: item.id }, 'carved packets');
  return result;
}

function resolveTarget(opened: OpenCase, request: CarveRequest): CarveTarget {
  if ((request.uid === undefined) === (request.host === undefined)) {
    throw new NetcaseError('USAGE', 'Give exactly one of --uid UID or --host IP.');
  }
  if (request.from !== undefined && request.to !== undefined && request.from > request.to) {
    throw new NetcaseError('USAGE', `--from ${microsToIso(request.from)} is after --to ${microsToIso(request.to)}.`);
  }
  if (request.host !== undefined) return hostTarget(request.host, request.from ?? null, request.to ?? null);

  const target = resolveUidTarget(opened.db, request.uid!);
  if (request.from !== undefined) target.from = Math.max(target.from ?? request.from, request.from);
  if (request.to !== undefined) target.to = Math.min(target.to ?? request.to, request.to);
  return target;
}

function checkOutPath(path: string): string {
  const out = resolve(path);
  if (existsSync(out)) throw new NetcaseError('ALREADY_EXISTS', `${out} already exists. Choose a new file name; Netcase does not overwrite files.`);
  const parent = dirname(out);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new NetcaseError('NOT_FOUND', `Folder ${parent} not found. Create it or choose another --out path.`);
  return out;
}

/** Lists the captures that may contain the target's packets: the ones behind its events, or all of them. */
function candidateCaptures(opened: OpenCase, target: CarveTarget, evidenceChoice: string | undefined): EvidenceItem[] {
  const captures = listEvidence(opened).filter((item) => item.kind === 'capture');
  if (evidenceChoice !== undefined) {
    const chosen = captures.filter((item) => String(item.id) === evidenceChoice || (evidenceChoice.length >= 6 && item.sha256.startsWith(evidenceChoice.toLowerCase())));
    if (chosen.length !== 1) throw new NetcaseError('NOT_FOUND', `--evidence ${evidenceChoice} matches ${chosen.length} captures. Give an evidence id or a unique SHA-256 prefix from "netcase case info".`);
    return chosen;
  }
  if (captures.length === 0) throw new NetcaseError('NOT_FOUND', 'The case contains no packet capture to carve from. Add the original capture with "netcase add".');
  const known = captures.filter((item) => target.evidenceIds.includes(item.id));
  return known.length > 0 ? known : captures;
}

async function checkUnchanged(opened: OpenCase, item: EvidenceItem): Promise<void> {
  const path = join(opened.dir, item.stored_path);
  if (!existsSync(path)) throw new NetcaseError('INTEGRITY', `The capture ${item.stored_path} is missing from the case. Restore it from the original (${item.original_path}).`);
  const { sha256 } = await hashFile(path);
  if (sha256 !== item.sha256) throw changedError(item, sha256);
}

function changedError(item: EvidenceItem, sha256: string): NetcaseError {
  return new NetcaseError(
    'INTEGRITY',
    `The capture ${item.stored_path} has changed since intake (SHA-256 ${sha256}, expected ${item.sha256}), so no packets were carved. Restore it from the original (${item.original_path}).`,
  );
}

/** Runs tshark with the display filter and keeps the frames inside the target's time window. */
async function selectFrames(path: string, filter: string, target: CarveTarget, executable: string, signal: AbortSignal): Promise<SelectedFrame[]> {
  const frames: SelectedFrame[] = [];
  let unread = 0;
  const args = ['-r', CAPTURE_PIPE_ARGUMENT, '-n', '-Y', filter, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.cap_len'];
  const { exitCode, stderr } = await runTsharkProcess({
    executable,
    args,
    inputPath: path,
    signal,
    onLine: (line) => {
      const [number, time, length] = line.split('\t');
      const timeMicros = time ? epochTextToMicros(time) : null;
      if (!number || !/^\d+$/.test(number) || !length || !/^\d+$/.test(length)) {
        unread++;
        return;
      }
      if (timeMicros !== null && ((target.from !== null && timeMicros < target.from) || (target.to !== null && timeMicros > target.to))) return;
      frames.push({ frame: Number(number), capturedLength: Number(length), timeMicros });
    },
  });
  // tshark exits with 2 for a capture cut short in the middle of a packet, after it has
  // printed every complete packet. The copy step leaves out the partial packet as well.
  const cutShort = exitCode === 2 && /cut short in the middle of a packet/.test(stderr);
  if ((exitCode !== 0 && !cutShort) || unread > 0) {
    throw new NetcaseError('ENGINE', `tshark could not select the packets of ${path} (exit code ${exitCode}, ${unread} unreadable lines): ${stderr.trim() || 'no message'}.`, { details: { stderr } });
  }
  return frames;
}

async function writeCarvedCapture(opened: OpenCase, item: EvidenceItem, frames: SelectedFrame[], out: string): Promise<Pick<CarveResult, 'format' | 'linkTypes' | 'packets' | 'sha256' | 'size' | 'sourceTruncated'>> {
  const source = join(opened.dir, item.stored_path);
  const { gzip } = await detectFileKind(source);
  const partial = join(dirname(out), `.${basename(out)}.partial-${randomBytes(6).toString('hex')}`);
  const handle = await open(partial, 'wx', 0o644);
  try {
    let copied;
    try {
      copied = await copySelectedPackets(source, gzip, frames, handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The records were copied in the same read that hashed the file, so a capture changed
    // after the first check cannot slip into the output.
    if (copied.sourceSha256 !== item.sha256) throw changedError(item, copied.sourceSha256);
    const { sha256, size } = await hashFile(partial);
    try {
      linkSync(partial, out);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new NetcaseError('ALREADY_EXISTS', `${out} appeared while carving. Choose a new file name; Netcase does not overwrite files.`);
      throw new NetcaseError('IO', `Cannot write ${out}: ${(error as Error).message}.`, { cause: error });
    }
    return { format: copied.format, linkTypes: copied.linkTypes, packets: copied.packets, sha256, size, sourceTruncated: copied.truncated };
  } finally {
    rmSync(partial, { force: true });
  }
}

function windowText(target: CarveTarget): string {
  const from = target.from === null ? 'the start' : microsToIso(target.from);
  const to = target.to === null ? 'the end' : microsToIso(target.to);
  return `between ${from} and ${to}`;
}
