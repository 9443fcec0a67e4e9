import { existsSync } from 'node:fs';
import { NetcaseError } from '../errors.js';
import { join } from 'node:path';
import { CASE_DATABASE, type CaseFile } from './case-file.js';
import type { OpenCase } from './case-folder.js';
import { readLockHolder, type LockHolder } from './case-lock.js';
import { verifyEvidence, type EvidenceCheck } from './evidence.js';
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

/**
 * Describes a case and re-verifies its evidence hashes. When the case is open for writing
 * here, the verification is written to the audit log.
 */
export async function describeCase(opened: OpenCase): Promise<CaseInfo> {
  checkDatabase(opened);
  const evidence = await verifyEvidence(opened);
  const evidenceOk = evidence.every((check) => check.status === 'verified');

  if (opened.writable) {
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
    verificationRecorded: opened.writable,
  };
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
