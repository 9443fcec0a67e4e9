import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ByteReader } from '../../carve/byte-reader.js';
import { NetcaseError } from '../../errors.js';
import { openDatabase } from '../../store/database.js';
import { appendAudit, verifyAudit } from '../audit.js';
import { CASE_DATABASE, CASE_FILE, CASE_FOLDERS, readCaseFile } from '../case-file.js';
import type { EvidenceItem } from '../evidence.js';
import { MANIFEST_HASH_NAME, MANIFEST_NAME, manifestHashText, parseManifest, type Manifest } from './manifest.js';
import { readTar } from './tar.js';

export interface ImportCaseOptions {
  /** Case folder to create; it must be missing or empty. */
  to: string;
  /** Actor named in the import's audit entry; the operating-system user when omitted. */
  actor?: string;
  tool?: string;
}

export interface ImportCaseResult {
  dir: string;
  caseId: string;
  caseName: string;
  archiveSha256: string;
  members: number;
  withoutEvidence: boolean;
  auditEntries: number;
}

interface ExtractedMember {
  size: number;
  sha256: string;
}

/** Largest manifest read into memory. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/**
 * Imports a portable case archive into a new case folder. Members are extracted into a
 * temporary sibling of the target, hashing as they are written. The archive is accepted only
 * when manifest.sha256 matches manifest.json, every member's size and SHA-256 match the
 * manifest, no member is missing or unlisted, the evidence files match the hashes recorded at
 * intake and the audit chain verifies. Then the import is appended to the case's own audit
 * chain and the folder is renamed into place. readTar checks each member name before its file
 * is created, so no file lands outside the temporary folder, which is removed on any failure.
 */
export async function importCase(archivePath: string, options: ImportCaseOptions): Promise<ImportCaseResult> {
  const archive = resolve(archivePath);
  if (!existsSync(archive) || !statSync(archive).isFile()) throw new NetcaseError('NOT_FOUND', `Archive ${archive} not found. Check the path.`);
  const target = checkTarget(resolve(options.to));
  const staging = join(dirname(target), `.${basename(target)}.importing-${randomBytes(6).toString('hex')}`);

  mkdirSync(staging);
  try {
    const { members, archiveSha256 } = await extractArchive(archive, staging);
    const manifest = checkManifest(staging, members);
    const caseFile = readCaseFile(staging);
    if (caseFile.id !== manifest.case.id) throw damaged([`${CASE_FILE}: case id ${caseFile.id} differs from the manifest's ${manifest.case.id}`]);

    const db = openDatabase(join(staging, CASE_DATABASE));
    let auditEntries: number;
    try {
      checkEvidence(db.prepare('SELECT * FROM evidence ORDER BY id').all() as EvidenceItem[], manifest, members);
      const audit = verifyAudit(db);
      if (!audit.ok) throw damaged([`${CASE_DATABASE}: audit chain broken at entry ${audit.firstBad?.id} (${audit.firstBad?.reason})`]);
      db.transaction(() =>
        appendAudit(db, options.actor ?? importingUser(caseFile.analyst), 'case.import', {
          archive,
          archiveSha256,
          exportedAt: manifest.exportedAt,
          exportedBy: manifest.exportedBy,
          exportTool: manifest.tool,
          importTool: options.tool ?? 'netcase',
          withoutEvidence: manifest.withoutEvidence,
          members: members.size,
        }),
      )();
      auditEntries = audit.entries + 1;
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }

    protectEvidence(staging, manifest);
    ensureCaseFolders(staging);
    if (existsSync(target)) rmdirSync(target);
    renameSync(staging, target);
    return { dir: target, caseId: caseFile.id, caseName: caseFile.name, archiveSha256, members: members.size, withoutEvidence: manifest.withoutEvidence, auditEntries };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

function checkTarget(target: string): string {
  if (existsSync(target)) {
    if (!statSync(target).isDirectory() || readdirSync(target).length > 0) {
      throw new NetcaseError('ALREADY_EXISTS', `${target} exists and is not an empty folder. Choose a new folder to import the case into.`);
    }
  }
  // Missing parent folders are created, as for a new case.
  const parent = dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw new NetcaseError('IO', `Cannot create the folder ${parent}: ${(error as Error).message}. Choose another --to path.`, { cause: error });
  }
  return target;
}

/** Extracts every member into `staging`, returning each member's size and SHA-256 and the archive's SHA-256. */
async function extractArchive(archive: string, staging: string): Promise<{ members: Map<string, ExtractedMember>; archiveSha256: string }> {
  const members = new Map<string, ExtractedMember>();
  const archiveHash = createHash('sha256');
  const stream = createReadStream(archive, { highWaterMark: 1 << 20 });
  const counted = stream.map((chunk: Buffer) => {
    archiveHash.update(chunk);
    return chunk;
  });
  const reader = new ByteReader(counted);

  await readTar(reader, async (entry, data) => {
    // The name was checked by readTar: relative, no "..", no empty segments.
    const path = join(staging, ...entry.name.split('/'));
    if (entry.type === 'directory') {
      mkdirSync(path, { recursive: true });
      return;
    }
    mkdirSync(dirname(path), { recursive: true });
    const hash = createHash('sha256');
    const handle = await open(path, 'wx', 0o600);
    try {
      for await (const chunk of data) {
        hash.update(chunk);
        await handle.write(chunk);
      }
    } finally {
      await handle.close();
    }
    members.set(entry.name, { size: entry.size, sha256: hash.digest('hex') });
  });
  return { members, archiveSha256: archiveHash.digest('hex') };
}

/** Compares the extracted members with the manifest and refuses with every mismatch listed. */
function checkManifest(staging: string, members: Map<string, ExtractedMember>): Manifest {
  const manifestMember = members.get(MANIFEST_NAME);
  const hashMember = members.get(MANIFEST_HASH_NAME);
  if (!manifestMember || !hashMember) throw damaged([`${!manifestMember ? MANIFEST_NAME : MANIFEST_HASH_NAME}: missing from the archive`]);
  if (manifestMember.size > MAX_MANIFEST_BYTES) throw damaged([`${MANIFEST_NAME}: ${manifestMember.size} bytes is larger than allowed`]);
  if (readFileSync(join(staging, MANIFEST_HASH_NAME), 'utf8') !== manifestHashText(manifestMember.sha256)) {
    throw damaged([`${MANIFEST_NAME}: its SHA-256 ${manifestMember.sha256} differs from the one in ${MANIFEST_HASH_NAME}`]);
  }
  const manifest = parseManifest(readFileSync(join(staging, MANIFEST_NAME), 'utf8'));

  const bad: string[] = [];
  const listed = new Set<string>();
  for (const expected of manifest.members) {
    listed.add(expected.path);
    const actual = members.get(expected.path);
    if (!actual) bad.push(`${expected.path}: missing from the archive`);
    else if (actual.size !== expected.size) bad.push(`${expected.path}: ${actual.size} bytes, the manifest records ${expected.size}`);
    else if (actual.sha256 !== expected.sha256) bad.push(`${expected.path}: SHA-256 ${actual.sha256} differs from the manifest's ${expected.sha256}`);
  }
  for (const name of members.keys()) {
    if (name !== MANIFEST_NAME && name !== MANIFEST_HASH_NAME && !listed.has(name)) bad.push(`${name}: not listed in the manifest`);
    if (!isCaseMember(name)) bad.push(`${name}: not part of a case folder (expected ${CASE_FILE}, ${CASE_DATABASE} or a file under ${CASE_FOLDERS.join('/, ')}/)`);
  }
  for (const required of [CASE_FILE, CASE_DATABASE]) {
    if (!listed.has(required)) bad.push(`${required}: not in the archive, which is required for a case`);
  }
  if (bad.length > 0) throw damaged(bad);
  return manifest;
}

function isCaseMember(name: string): boolean {
  if (name === CASE_FILE || name === CASE_DATABASE || name === MANIFEST_NAME || name === MANIFEST_HASH_NAME) return true;
  return CASE_FOLDERS.some((folder) => name.startsWith(`${folder}/`));
}

function checkEvidence(rows: EvidenceItem[], manifest: Manifest, members: Map<string, ExtractedMember>): void {
  const bad: string[] = [];
  for (const row of rows) {
    const listed = manifest.evidence.find((item) => item.storedPath === row.stored_path);
    if (!listed || listed.sha256 !== row.sha256) bad.push(`${row.stored_path}: the manifest's evidence hash differs from the case database`);
    if (manifest.withoutEvidence) continue;
    const member = members.get(row.stored_path);
    if (!member) bad.push(`${row.stored_path}: evidence missing from the archive`);
    else if (member.sha256 !== row.sha256) bad.push(`${row.stored_path}: SHA-256 ${member.sha256} differs from the intake hash ${row.sha256}`);
  }
  if (bad.length > 0) throw damaged(bad);
}

function protectEvidence(staging: string, manifest: Manifest): void {
  if (manifest.withoutEvidence) return;
  for (const item of manifest.evidence) {
    const path = join(staging, ...item.storedPath.split('/'));
    if (existsSync(path)) chmodSync(path, 0o444);
  }
}

function ensureCaseFolders(staging: string): void {
  for (const folder of CASE_FOLDERS) mkdirSync(join(staging, folder), { recursive: true });
}

function importingUser(fallback: string): string {
  try {
    return userInfo().username || fallback;
  } catch {
    return fallback;
  }
}

function damaged(problems: string[]): NetcaseError {
  const shown = problems.slice(0, 20);
  const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
  return new NetcaseError('INTEGRITY', `The archive is damaged or altered, so nothing was imported:\n  ${shown.join('\n  ')}${more}\nAsk for a fresh export.`, { details: { problems } });
}

