import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseFile } from './case-file.js';
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
