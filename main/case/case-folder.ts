import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import { NetcaseError } from '../errors.js';
import { openDatabase, type Db } from '../store/database.js';
import { appendAudit } from './audit.js';
import { acquireCaseLock, type CaseLock } from './case-lock.js';
import { CASE_DATABASE, CASE_FILE, CASE_FOLDERS, newCaseFile, readCaseFile, type CaseFile } from './case-file.js';

/** An open case. Writers hold the case lock until `close()`. */
export interface OpenCase {
  readonly dir: string;
  readonly meta: CaseFile;
  readonly db: Db;
  readonly writable: boolean;
  /** Actor named in audit entries: the case's analyst, or the operating-system user. */
  readonly actor: string;
  close(): void;
}

export interface CreateCaseOptions {
  name: string;
  analyst?: string;
  tool?: string;
}

/**
 * Creates a case folder. The folder must be missing or empty. Everything is built in a
 * temporary sibling folder and renamed into place, so a failure leaves no partial case.
 */
export function createCase(dir: string, options: CreateCaseOptions): CaseFile {
  const target = resolve(dir);
  const meta = newCaseFile(options.name, options.analyst ?? defaultAnalyst());

  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) {
      throw new NetcaseError('ALREADY_EXISTS', `${target} exists and is a file. Choose a new folder for the case.`);
    }
    if (readdirSync(target).length > 0) {
      const hint = existsSync(join(target, CASE_FILE)) ? ' It already holds a case; open it instead.' : ' Choose an empty or new folder.';
      throw new NetcaseError('ALREADY_EXISTS', `${target} is not empty.${hint}`);
    }
  }
  const parent = dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw new NetcaseError('IO', `Cannot create the folder ${parent}: ${(error as Error).message}.`, { cause: error });
  }

  removeAbandonedStaging(parent, basename(target));
  const staging = join(parent, `.${basename(target)}.creating-${process.pid}`);
  try {
    mkdirSync(staging);
    for (const folder of CASE_FOLDERS) mkdirSync(join(staging, folder));
    writeFileSync(join(staging, CASE_FILE), `${JSON.stringify(meta, null, 2)}\n`, { flag: 'wx' });
    const db = openDatabase(join(staging, CASE_DATABASE), { create: true });
    try {
      db.transaction(() => appendAudit(db, meta.analyst, 'case.create', { id: meta.id, name: meta.name, tool: options.tool ?? 'netcase' }))();
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
    // rmdir removes the target only while it is still empty, so nothing in it is ever lost.
    if (existsSync(target)) rmdirSync(target);
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (error instanceof NetcaseError) throw error;
    throw new NetcaseError('IO', `Cannot create the case in ${target}: ${(error as Error).message}.`, { cause: error });
  }
  return meta;
}

/**
 * Opens a case. With `write`, it takes the case lock first, so a second writer is refused with
 * the holder's pid, host and start time.
 */
export function openCase(dir: string, options: { write: boolean; tool?: string }): OpenCase {
  const caseDir = resolve(dir);
  if (!existsSync(caseDir) || !statSync(caseDir).isDirectory()) {
    throw new NetcaseError('NOT_FOUND', `Case folder ${caseDir} not found. Create it with "netcase case create ${dir} --name NAME".`);
  }
  const meta = readCaseFile(caseDir);
  const databasePath = join(caseDir, CASE_DATABASE);
  if (!existsSync(databasePath)) {
    throw new NetcaseError('CASE_INVALID', `${caseDir} has ${CASE_FILE} but no ${CASE_DATABASE}. Restore the database from a backup; Netcase does not recreate it over a case.`);
  }

  let lock: CaseLock | undefined;
  if (options.write) lock = acquireCaseLock(caseDir, options.tool ?? 'netcase');
  const snapshot = !options.write && !isWritable(caseDir) ? snapshotDatabase(databasePath) : null;
  let db: Db;
  try {
    db = openDatabase(snapshot?.path ?? databasePath, { readonly: !options.write });
  } catch (error) {
    lock?.release();
    snapshot?.remove();
    // Errors about the copy name the case's own database, which is the file to restore.
    if (snapshot && error instanceof NetcaseError) error.message = error.message.replaceAll(snapshot.path, databasePath);
    throw error;
  }

  let closed = false;
  return {
    dir: caseDir,
    meta,
    db,
    writable: options.write,
    actor: meta.analyst || defaultAnalyst(),
    close() {
      if (closed) return;
      closed = true;
      db.close();
      snapshot?.remove();
      lock?.release();
    },
  };
}

/** Runs `work` with the case open and closes it afterwards, also when `work` throws. */
export async function withCase<T>(dir: string, options: { write: boolean; tool?: string }, work: (opened: OpenCase) => Promise<T> | T): Promise<T> {
  const opened = openCase(dir, options);
  try {
    return await work(opened);
  } finally {
    opened.close();
  }
}

/**
 * Deletes staging folders of this case name left by a `case create` that was killed before its
 * rename, identified by the process id in their name.
 */
function removeAbandonedStaging(parent: string, name: string): void {
  const prefix = `.${name}.creating-`;
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length));
    if (Number.isInteger(pid) && pid !== process.pid && !isProcessAlive(pid)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isWritable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies the database (and its write-ahead log, if a writer left one) to a temporary folder.
 * SQLite must create `case.sqlite-shm` beside a WAL database even to read it, which a read-only
 * folder (write-blocked media, a read-only mount) does not allow. Nothing can change the
 * original there, so the copy is an exact view of it.
 */
function snapshotDatabase(databasePath: string): { path: string; remove(): void } {
  const folder = mkdtempSync(join(tmpdir(), 'netcase-readonly-'));
  const copy = join(folder, CASE_DATABASE);
  try {
    copyFileSync(databasePath, copy);
    if (existsSync(`${databasePath}-wal`)) copyFileSync(`${databasePath}-wal`, `${copy}-wal`);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw new NetcaseError('IO', `Cannot copy ${databasePath} to ${folder} to read it from a read-only folder: ${(error as Error).message}.`, { cause: error });
  }
  return { path: copy, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

function defaultAnalyst(): string {
  try {
    return userInfo().username || 'analyst';
  } catch {
    return 'analyst';
  }
}
