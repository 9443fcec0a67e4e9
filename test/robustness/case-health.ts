import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { openCase } from '../../main/case/case-folder.js';
import { verifyAudit } from '../../main/case/audit.js';
import { verifyEvidence } from '../../main/case/evidence.js';
import { EVENT_INDEXES } from '../../main/store/event-indexes.js';
import { runNetcase } from '../helpers/cli.js';

/** Row counts that a finished step must reproduce exactly when it is run again. */
export interface CaseCounts {
  evidence: number;
  imports: number;
  events: number;
  eventSeconds: number;
  entities: number;
  /** Sum of relation counts, which a half-written or repeated analysis write would change. */
  relationCount: number;
  engineRuns: number;
  auditEntries: number;
}

/**
 * Opens the case read-only and checks what every fault must leave intact. The audit chain
 * verifies and every evidence file matches its intake hash. No import is left half-finished,
 * the per-second counts add up to the events, and `evidence/` contains no temporary copy unless
 * `partialCopies` allows the one a killed intake leaves for the next intake to remove. The
 * database passes SQLite's integrity check and has every events index, which a bulk import
 * drops and rebuilds inside its transaction.
 */
export async function expectCaseSound(dir: string, options: { partialCopies?: boolean } = {}): Promise<CaseCounts> {
  const opened = openCase(dir, { write: false });
  try {
    const audit = verifyAudit(opened.db);
    expect(audit.firstBad, `audit chain of ${dir}`).toBeUndefined();
    expect(audit.ok).toBe(true);

    const evidence = await verifyEvidence(opened);
    expect(evidence.filter((check) => check.status !== 'verified').map((check) => check.item.stored_path)).toEqual([]);

    const count = (sql: string): number => (opened.db.prepare(sql).get() as { n: number | null }).n ?? 0;
    expect(count(`SELECT COUNT(*) AS n FROM imports WHERE content_sha256 LIKE 'pending:%'`)).toBe(0);
    const events = count('SELECT COUNT(*) AS n FROM events');
    expect(count('SELECT SUM(count) AS n FROM event_seconds')).toBe(count('SELECT COUNT(*) AS n FROM events WHERE ts IS NOT NULL'));
    expect(opened.db.pragma('integrity_check', { simple: true })).toBe('ok');
    const indexes = opened.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name`).pluck().all();
    expect(indexes).toEqual(EVENT_INDEXES.map((index) => index.name).sort());
    const hidden = readdirSync(join(dir, 'evidence')).filter((name) => name.startsWith('.'));
    expect(hidden.filter((name) => !(options.partialCopies && name.startsWith('.partial-')))).toEqual([]);

    return {
      evidence: evidence.length,
      imports: count('SELECT COUNT(*) AS n FROM imports'),
      events,
      eventSeconds: count('SELECT SUM(count) AS n FROM event_seconds'),
      entities: count('SELECT COUNT(*) AS n FROM entities'),
      relationCount: count('SELECT SUM(count) AS n FROM relations'),
      engineRuns: count(`SELECT COUNT(*) AS n FROM engine_runs WHERE status = 'done'`),
      auditEntries: audit.entries,
    };
  } finally {
    opened.close();
  }
}

/** Runs `case info` and `audit verify` through the CLI and expects both to pass. */
export function expectCliSound(dir: string): void {
  const info = runNetcase(['case', 'info', dir, '--json']);
  expect(info.stderr).toBe('');
  expect(info.status).toBe(0);
  expect((JSON.parse(info.stdout) as { evidenceOk: boolean }).evidenceOk).toBe(true);
  const audit = runNetcase(['audit', 'verify', dir]);
  expect(audit.stdout).toMatch(/^Audit log verified: \d+ entries, chain intact\./);
  expect(audit.status).toBe(0);
}

/** SHA-256 of every file under `dir` by relative path, to prove a refused command changed nothing. */
export function fingerprintFolder(dir: string): Record<string, string> {
  const prints: Record<string, string> = {};
  const walk = (folder: string, prefix: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else prints[`${prefix}${entry.name}`] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  if (existsSync(dir) && statSync(dir).isDirectory()) walk(dir, '');
  return prints;
}

/** Creates a temporary folder kept for a whole suite, because tempDir() removes its folders after each test. */
export function suiteDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
