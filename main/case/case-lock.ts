import { hostname } from 'node:os';
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, constants } from 'node:fs';
import { NetcaseError } from '../errors.js';

/** Contents of `case.lock`: the process that has the case open for writing. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  tool: string;
}

export interface CaseLock {
  readonly holder: LockHolder;
  release(): void;
}

const LOCK_FILE = 'case.lock';

/**
 * Takes the case's write lock. A lock held by a live process is refused with its holder; a lock
 * left by a dead process on this host is taken over. A lock from another host cannot be
 * checked, so it is refused with instructions for clearing it.
 */
export function acquireCaseLock(caseDir: string, tool: string): CaseLock {
  const path = `${caseDir}/${LOCK_FILE}`;
  const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), tool };

  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
      writeSync(fd, JSON.stringify(holder));
      closeSync(fd);
      return { holder, release: () => releaseLock(path, holder) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
        throw new NetcaseError('READ_ONLY', `The case folder ${caseDir} is read-only (${code}), so Netcase can read the case but not change it. Copy the folder to writable storage to add evidence, import logs, tag or export a report.`, { cause: error });
      }
      if (code !== 'EEXIST') {
        throw new NetcaseError('IO', `Cannot create the lock file ${path}: ${(error as Error).message}. Check that the case folder is writable.`, { cause: error });
      }
    }

    const existing = readLockHolder(path);
    if (existing && !isStale(existing)) {
      throw new NetcaseError(
        'CASE_LOCKED',
        `The case is open for writing by ${existing.tool} (pid ${existing.pid} on ${existing.host}, since ${existing.since}). ` +
          (existing.host === holder.host
            ? 'Close it there, or wait for that job to finish.'
            : `It cannot be checked from ${holder.host}; if that process is gone, delete ${path}.`),
        { details: existing },
      );
    }
    // The holder is gone (or the file is unreadable): remove it and retry the exclusive create,
    // so two processes taking over at once still end with one winner.
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new NetcaseError('CASE_LOCKED', `Could not take the lock ${path}: another process keeps taking it. Try again.`);
}

/** Reads the current holder, or null when the lock file is missing or unreadable. */
export function readLockHolder(path: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function releaseLock(path: string, holder: LockHolder): void {
  const current = readLockHolder(path);
  if (current && current.pid === holder.pid && current.since === holder.since) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
