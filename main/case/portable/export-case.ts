import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, linkSync, lstatSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { NetcaseError } from '../../errors.js';
import { appendAudit } from '../audit.js';
import { CASE_DATABASE, CASE_FILE, CASE_FOLDERS } from '../case-file.js';
import type { OpenCase } from '../case-folder.js';
import { hashFile, listEvidence } from '../evidence.js';
import { MANIFEST_HASH_NAME, MANIFEST_NAME, manifestHashText, type Manifest, type ManifestMember } from './manifest.js';
import { TarWriter } from './tar.js';

export interface ExportOptions {
  out: string;
  withoutEvidence?: boolean;
  tool?: string;
}

export interface ExportResult {
  out: string;
  sha256: string;
  size: number;
  members: number;
  withoutEvidence: boolean;
}

/**
 * Writes the case as one tar archive. Members are case.json, a snapshot of the database made
 * with `VACUUM INTO` (never a copy of the live file), evidence unless `withoutEvidence`,
 * engine output, reports and exports. Then come manifest.json with the size and SHA-256 of
 * every member, and manifest.sha256 with the manifest's own hash. The caller holds the case lock,
 * so no writer changes the case meanwhile. The archive is built under a temporary name and
 * linked to `out`, which fails if `out` exists. The export is audited in this case after the
 * archive is complete, so that entry is not part of the archived audit chain.
 */
export async function exportCase(opened: OpenCase, options: ExportOptions): Promise<ExportResult> {
  const out = resolve(options.out);
  if (existsSync(out)) throw new NetcaseError('ALREADY_EXISTS', `${out} already exists. Choose a new file name; Netcase does not overwrite files.`);
  const parent = dirname(out);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new NetcaseError('NOT_FOUND', `Folder ${parent} not found. Create it or choose another --out path.`);

  const evidence = listEvidence(opened);
  const withoutEvidence = options.withoutEvidence ?? false;
  await checkEvidenceUnchanged(opened, evidence, withoutEvidence);

  const partial = join(parent, `.${basename(out)}.partial-${randomBytes(6).toString('hex')}`);
  const snapshot = `${partial}.sqlite`;
  const files = collectCaseFiles(opened.dir, withoutEvidence, [out, partial]);
  const members: ManifestMember[] = [];
  try {
    opened.db.prepare('VACUUM INTO ?').run(snapshot);
    const handle = await open(partial, 'wx', 0o644);
    try {
      const tar = new TarWriter(handle);
      await addPath(tar, members, CASE_FILE, join(opened.dir, CASE_FILE));
      await addPath(tar, members, CASE_DATABASE, snapshot);
      for (const file of files) await addPath(tar, members, file, join(opened.dir, file));

      const manifest: Manifest = {
        format: 'netcase-portable-case',
        version: 1,
        case: { id: opened.meta.id, name: opened.meta.name, analyst: opened.meta.analyst },
        exportedAt: new Date().toISOString(),
        exportedBy: opened.actor,
        tool: options.tool ?? 'netcase',
        withoutEvidence,
        evidence: evidence.map((item) => ({ id: item.id, storedPath: item.stored_path, sha256: item.sha256, size: item.size, included: !withoutEvidence })),
        members,
      };
      const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
      const manifestSha256 = await tar.addFile(MANIFEST_NAME, manifestBytes.length, Date.now() / 1000, [manifestBytes]);
      const hashBytes = Buffer.from(manifestHashText(manifestSha256), 'utf8');
      await tar.addFile(MANIFEST_HASH_NAME, hashBytes.length, Date.now() / 1000, [hashBytes]);
      await tar.finish();
      await handle.sync();
    } finally {
      await handle.close();
    }

    const { sha256, size } = await hashFile(partial);
    try {
      linkSync(partial, out);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new NetcaseError('ALREADY_EXISTS', `${out} appeared during the export. Choose a new file name; Netcase does not overwrite files.`);
      throw new NetcaseError('IO', `Cannot write ${out}: ${(error as Error).message}.`, { cause: error });
    }
    const result: ExportResult = { out, sha256, size, members: members.length + 2, withoutEvidence };
    opened.db.transaction(() => appendAudit(opened.db, opened.actor, 'case.export', { ...result, evidence: evidence.length }))();
    return result;
  } finally {
    rmSync(partial, { force: true });
    rmSync(snapshot, { force: true });
  }
}

async function addPath(tar: TarWriter, members: ManifestMember[], name: string, path: string): Promise<void> {
  const info = statSync(path);
  const sha256 = await tar.addFile(name, info.size, info.mtimeMs / 1000, createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>);
  members.push({ path: name, size: info.size, sha256 });
}

/** Refuses to pass on evidence that no longer matches its intake hash. */
async function checkEvidenceUnchanged(opened: OpenCase, evidence: ReturnType<typeof listEvidence>, withoutEvidence: boolean): Promise<void> {
  if (withoutEvidence) return;
  for (const item of evidence) {
    const path = join(opened.dir, item.stored_path);
    if (!existsSync(path)) throw new NetcaseError('INTEGRITY', `Evidence ${item.stored_path} is missing, so the case was not exported. Restore it from ${item.original_path}, or export with --without-evidence.`);
    const { sha256 } = await hashFile(path);
    if (sha256 !== item.sha256) {
      throw new NetcaseError('INTEGRITY', `Evidence ${item.stored_path} has changed since intake (SHA-256 ${sha256}, expected ${item.sha256}), so the case was not exported. Restore it from ${item.original_path}.`);
    }
  }
}

/**
 * Lists the regular files under the archived folders as '/'-separated paths, sorted. Files
 * left by an interrupted intake (`.partial-*`) and the archive being written are skipped. A
 * symbolic link or other special file refuses the export, because the archive would not
 * hold what the case shows.
 */
function collectCaseFiles(caseDir: string, withoutEvidence: boolean, excluded: string[]): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    const absolute = join(caseDir, relative);
    for (const name of readdirSync(absolute).sort()) {
      const child = `${relative}/${name}`;
      const info = lstatSync(join(caseDir, child));
      if (info.isDirectory()) walk(child);
      else if (info.isFile()) {
        if (name.startsWith('.partial-') || excluded.some((path) => resolve(caseDir, child).startsWith(path))) continue;
        files.push(child);
      } else {
        throw new NetcaseError('INPUT_INVALID', `${child} in the case folder is not a regular file (a link or device), so the case was not exported. Remove it or replace it with the file itself.`);
      }
    }
  };
  for (const folder of CASE_FOLDERS) {
    if (folder === 'evidence' && withoutEvidence) continue;
    if (existsSync(join(caseDir, folder))) walk(folder);
  }
  return files;
}
