import { existsSync } from 'node:fs';
import { NetcaseError } from '../errors.js';
import { join } from 'node:path';
import { CASE_DATABASE, type CaseFile } from './case-file.js';
import type { OpenCase } from './case-folder.js';
import { readLockHolder, type LockHolder } from './case-lock.js';
import { listEvidence, verifyEvidence, type EvidenceCheck } from './evidence.js';
import { appendAudit, verifyAudit, type AuditVerification } from './audit.js';
import { countEventsByLog, eventTimeRange, type LogCount } from '../store/events.js';

export interface CaseInfo {
  dir: string;
  case: CaseFile;
  evidence: EvidenceCheck[];
  evidenceOk: boolean;
  imports: number;
  events: { total: number; byLog: LogCount[]; first: number | null; last: number | null };
  audit: AuditVerification;
  lock: LockHolder | null;
  /** False when the case was open elsewhere, so this verification could not be audited. */
  verificationRecorded: boolean;
}

export interface DescribeOptions {
  /**
   * Rehash every evidence file and check the whole database (the default). Without it the
   * evidence statuses are those of the last recorded verification, files added since count as
   * verified by their intake hash, and only a missing file is detected anew. That costs no
   * file reads, for a summary refreshed after each job.
   */
  verifyEvidence?: boolean;
}

/**
 * Describes a case and re-verifies its evidence hashes. When the case is open for writing
 * here, the verification is written to the audit log.
 */
export async function describeCase(opened: OpenCase, options: DescribeOptions = {}): Promise<CaseInfo> {
  const verify = options.verifyEvidence ?? true;
  if (verify) checkDatabase(opened);
  const evidence = verify ? await verifyEvidence(opened) : lastRecordedChecks(opened);
  const evidenceOk = evidence.every((check) => check.status === 'verified');

  if (verify && opened.writable) {
    opened.db.transaction(() =>
      appendAudit(opened.db, opened.actor, 'evidence.verify', {
        items: evidence.map((check) => ({ sha256: check.item.sha256, stored_path: check.item.stored_path, status: check.status, actual_sha256: check.actualSha256 ?? null })),
      }),
    )();
  }

  const byLog = countEventsByLog(opened.db);
  const range = eventTimeRange(opened.db);
  const imports = (opened.db.prepare('SELECT COUNT(*) AS n FROM imports').get() as { n: number }).n;
  const lockPath = join(opened.dir, 'case.lock');
  return {
    dir: opened.dir,
    case: opened.meta,
    evidence,
    evidenceOk,
    imports,
    events: { total: byLog.reduce((sum, entry) => sum + entry.count, 0), byLog, first: range.first, last: range.last },
    audit: verifyAudit(opened.db),
    lock: opened.writable || !existsSync(lockPath) ? null : readLockHolder(lockPath),
    verificationRecorded: verify && opened.writable,
  };
}

/** Reads each evidence item's status from the newest `evidence.verify` audit entry, without reading the files. */
function lastRecordedChecks(opened: OpenCase): EvidenceCheck[] {
  const details = opened.db.prepare(`SELECT details FROM audit WHERE action = 'evidence.verify' ORDER BY id DESC LIMIT 1`).pluck().get() as string | undefined;
  const recorded = new Map<string, { status: EvidenceCheck['status']; actual_sha256: string | null }>();
  for (const entry of details === undefined ? [] : (JSON.parse(details) as { items: { stored_path: string; status: EvidenceCheck['status']; actual_sha256: string | null }[] }).items) {
    recorded.set(entry.stored_path, entry);
  }

  return listEvidence(opened).map((item): EvidenceCheck => {
    if (!existsSync(join(opened.dir, item.stored_path))) return { item, status: 'missing' };
    const last = recorded.get(item.stored_path);
    if (last === undefined || last.status === 'verified') return { item, status: 'verified' };
    return last.actual_sha256 === null ? { item, status: last.status } : { item, status: last.status, actualSha256: last.actual_sha256 };
  });
}

/**
 * Runs SQLite's quick_check, which reads every page (its time grows with the database size), so
 * damage in pages that no count touches is found too. Throws CASE_INVALID listing the damage.
 */
function checkDatabase(opened: OpenCase): void {
  let problems: string[];
  try {
    // Rows can span lines and start with a "*** in database main ***" heading, which is dropped.
    const rows = opened.db.prepare('PRAGMA quick_check(10)').pluck().all() as string[];
    problems = rows.flatMap((row) => row.split('\n')).filter((row) => row !== 'ok' && !row.startsWith('***'));
  } catch (error) {
    problems = [(error as Error).message];
  }
  if (problems.length > 0) {
    throw new NetcaseError('CASE_INVALID', `The case database ${join(opened.dir, CASE_DATABASE)} is damaged: ${problems.slice(0, 3).join('; ')}. Restore case.sqlite from a backup or a portable case export; Netcase never overwrites it.`);
  }
}
