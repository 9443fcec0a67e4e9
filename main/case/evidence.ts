import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { chmod, rename, rm } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { NetcaseError } from '../errors.js';
import { appendAudit } from './audit.js';
import { folderNameFor } from './case-file.js';
import type { OpenCase } from './case-folder.js';
import { detectFileKind, type FileKind } from './file-kind.js';

export interface EvidenceItem {
  id: number;
  sha256: string;
  size: number;
  kind: Exclude<FileKind, 'unknown'>;
  original_path: string;
  stored_path: string;
  added_at: string;
  added_by: string;
}

export type EvidenceStatus = 'verified' | 'changed' | 'missing';

export interface EvidenceCheck {
  item: EvidenceItem;
  status: EvidenceStatus;
  actualSha256?: string;
  actualSize?: number;
}

export interface IntakeResult {
  added: EvidenceItem[];
  /** Files not taken, each with the reason (duplicate, not a capture or log, ...). */
  skipped: { path: string; reason: string }[];
}

/**
 * Copies captures and Zeek logs (files, or folders searched recursively) into `evidence/`,
 * hashing while copying, and records each one. The copy is made under a temporary name and
 * renamed, then the row and its audit entry commit together, so a crash leaves no half-added
 * item. Copies are made read-only.
 */
export async function addEvidence(opened: OpenCase, inputs: string[]): Promise<IntakeResult> {
  const result: IntakeResult = { added: [], skipped: [] };
  const files = collectFiles(inputs, result);
  await removeUnfinishedCopies(opened);

  for (const file of files) {
    const kind = await detectFileKind(file.path);
    if (kind.kind === 'unknown') {
      const reason = `not a packet capture (pcap, pcapng) or a Zeek log (${kind.format})`;
      if (file.explicit) throw new NetcaseError('UNSUPPORTED_FILE', `Cannot add ${file.path}: ${reason}. Add .pcap/.pcapng captures (optionally gzipped) or Zeek .log/.json files.`);
      result.skipped.push({ path: file.path, reason });
      continue;
    }
    const item = await copyIntoCase(opened, file.path, kind.kind, result);
    if (item) result.added.push(item);
  }
  return result;
}

/** Re-hashes every evidence file and compares it with the hash taken at intake. */
export async function verifyEvidence(opened: OpenCase): Promise<EvidenceCheck[]> {
  const checks: EvidenceCheck[] = [];
  for (const item of listEvidence(opened)) {
    const path = join(opened.dir, item.stored_path);
    if (!existsSync(path)) {
      checks.push({ item, status: 'missing' });
      continue;
    }
    const { sha256, size } = await hashFile(path);
    checks.push({ item, status: sha256 === item.sha256 && size === item.size ? 'verified' : 'changed', actualSha256: sha256, actualSize: size });
  }
  return checks;
}

export function listEvidence(opened: OpenCase): EvidenceItem[] {
  return opened.db.prepare('SELECT * FROM evidence ORDER BY id').all() as EvidenceItem[];
}

export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function copyIntoCase(opened: OpenCase, source: string, kind: 'capture' | 'zeek-log', result: IntakeResult): Promise<EvidenceItem | null> {
  const evidenceDir = join(opened.dir, 'evidence');
  const partial = join(evidenceDir, `.partial-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });

  try {
    await pipeline(createReadStream(source, { highWaterMark: 1 << 20 }), counter, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    await rm(partial, { force: true });
    throw new NetcaseError('IO', `Cannot copy ${source} into the case: ${(error as Error).message}.`, { cause: error });
  }
  const sha256 = hash.digest('hex');

  const duplicate = opened.db.prepare('SELECT stored_path FROM evidence WHERE sha256 = ?').get(sha256) as { stored_path: string } | undefined;
  if (duplicate) {
    await rm(partial, { force: true });
    result.skipped.push({ path: source, reason: `same content (SHA-256 ${sha256}) is already evidence as ${duplicate.stored_path}` });
    return null;
  }

  const storedPath = `evidence/${sha256.slice(0, 12)}-${folderNameFor(basename(source))}`;
  const target = join(opened.dir, storedPath);
  try {
    await chmod(partial, 0o444);
    // A file left under this name by an interrupted intake has the same content (its name
    // carries the hash prefix and the row was never written), so it is replaced.
    if (existsSync(target)) await rm(target, { force: true });
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    throw new NetcaseError('IO', `Cannot store ${source} as ${storedPath}: ${(error as Error).message}.`, { cause: error });
  }

  const item: Omit<EvidenceItem, 'id'> = {
    sha256,
    size,
    kind,
    original_path: resolve(source),
    stored_path: storedPath,
    added_at: new Date().toISOString(),
    added_by: opened.actor,
  };
  const id = opened.db.transaction(() => {
    const row = opened.db
      .prepare('INSERT INTO evidence (sha256, size, kind, original_path, stored_path, added_at, added_by) VALUES (@sha256, @size, @kind, @original_path, @stored_path, @added_at, @added_by)')
      .run(item);
    appendAudit(opened.db, opened.actor, 'evidence.add', { sha256, size, kind, original_path: item.original_path, stored_path: storedPath });
    return Number(row.lastInsertRowid);
  })();
  return { id, ...item };
}

/**
 * Deletes `.partial-*` copies that an intake killed mid-copy left in `evidence/`. The caller
 * holds the case's write lock, so no other intake can be writing one.
 */
async function removeUnfinishedCopies(opened: OpenCase): Promise<void> {
  const evidenceDir = join(opened.dir, 'evidence');
  for (const name of readdirSync(evidenceDir)) {
    if (name.startsWith('.partial-')) await rm(join(evidenceDir, name), { force: true });
  }
}

interface InputFile {
  path: string;
  /** Named on the command line, as opposed to found inside a folder. */
  explicit: boolean;
}

function collectFiles(inputs: string[], result: IntakeResult): InputFile[] {
  const files: InputFile[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    if (!existsSync(path)) throw new NetcaseError('NOT_FOUND', `File ${input} not found. Check the path.`);
    const info = statSync(path);
    if (info.isFile()) files.push({ path, explicit: true });
    else if (info.isDirectory()) walk(path, files, result, path);
    else throw new NetcaseError('UNSUPPORTED_FILE', `${input} is neither a file nor a folder (a pipe, socket or device). Save the capture to a file and add that.`);
  }
  return files;
}

function walk(dir: string, files: InputFile[], result: IntakeResult, root: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, files, result, root);
    else if (entry.isFile()) files.push({ path, explicit: false });
    else result.skipped.push({ path, reason: `${relative(root, path)} is not a regular file` });
  }
}
