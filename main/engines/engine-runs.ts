import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { rebuildAnalysis } from '../analysis/indexer.js';
import { appendAudit } from '../case/audit.js';
import type { OpenCase } from '../case/case-folder.js';
import type { EvidenceItem } from '../case/evidence.js';
import type { Db } from '../store/database.js';

/** One row of `engine_runs`, JSON columns decoded. */
export interface EngineRun {
  id: string;
  evidenceId: number;
  engine: string;
  engineVersion: string;
  executable: string;
  commandLine: string[];
  requestedEngine: string;
  choiceReason: string;
  options: { allowBadChecksums: boolean; timeoutSeconds: number | null };
  startedAt: string;
  finishedAt: string;
  exitCode: number | null;
  status: 'done' | 'failed';
  error: string | null;
  stderr: string;
  warnings: string[];
  outputDir: string | null;
  records: number;
}

interface EngineRunRow {
  id: string;
  evidence_id: number;
  engine: string;
  engine_version: string;
  executable: string;
  command_line: string;
  requested_engine: string;
  choice_reason: string;
  options: string;
  started_at: string;
  finished_at: string;
  exit_code: number | null;
  status: 'done' | 'failed';
  error: string | null;
  stderr: string;
  warnings: string;
  output_dir: string | null;
  records: number;
}

/** Run ids are UTC start time plus random hex, so folders under engine/ sort by start. */
const RUN_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Inserts a finished run and its audit entry in one transaction. */
export function recordEngineRun(opened: OpenCase, run: EngineRun): void {
  opened.db.transaction(() => {
    opened.db
      .prepare(`INSERT INTO engine_runs (id, evidence_id, engine, engine_version, executable, command_line, requested_engine, choice_reason, options,
                  started_at, finished_at, exit_code, status, error, stderr, warnings, output_dir, records)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(
        run.id,
        run.evidenceId,
        run.engine,
        run.engineVersion,
        run.executable,
        JSON.stringify(run.commandLine),
        run.requestedEngine,
        run.choiceReason,
        JSON.stringify(run.options),
        run.startedAt,
        run.finishedAt,
        run.exitCode,
        run.status,
        run.error,
        run.stderr,
        JSON.stringify(run.warnings),
        run.outputDir,
        run.records,
      );
    appendAudit(opened.db, opened.actor, 'engine.run', {
      run_id: run.id,
      evidence_id: run.evidenceId,
      engine: run.engine,
      engine_version: run.engineVersion,
      command_line: run.commandLine,
      requested_engine: run.requestedEngine,
      choice_reason: run.choiceReason,
      allow_bad_checksums: run.options.allowBadChecksums,
      status: run.status,
      exit_code: run.exitCode,
      error: run.error,
      records: run.records,
    });
  })();
}

export function listEngineRuns(db: Db): EngineRun[] {
  return (db.prepare('SELECT * FROM engine_runs ORDER BY started_at, id').all() as EngineRunRow[]).map(fromRow);
}

/** Capture evidence without a finished (status done) run; failed runs are tried again. */
export function capturesToAnalyse(db: Db): EvidenceItem[] {
  return db
    .prepare(`SELECT * FROM evidence WHERE kind = 'capture'
              AND id NOT IN (SELECT evidence_id FROM engine_runs WHERE status = 'done') ORDER BY id`)
    .all() as EvidenceItem[];
}

export interface RemovedImports {
  imports: number;
  events: number;
}

/**
 * Deletes what the importer committed for one run (its imports and their events, with the
 * report marks and watchlist matches of those events), indexes the remaining events again and
 * audits the removal. The importer commits file by file, so this is how a cancelled or
 * interrupted run is taken back out of the case.
 */
export function removeRunImports(opened: OpenCase, runId: string, reason: string): RemovedImports {
  const db = opened.db;
  return db.transaction((): RemovedImports => {
    const importIds = (db.prepare('SELECT id FROM imports WHERE run_id = ?').all(runId) as { id: number }[]).map((row) => row.id);
    if (importIds.length === 0) return { imports: 0, events: 0 };

    // Until the rollback, the analyst could mark the run's events and match watchlists against
    // them. Those rows reference the events, so they go first.
    const runEvents = 'SELECT id FROM events WHERE import_id IN (SELECT id FROM imports WHERE run_id = ?)';
    const marks = db.prepare(`DELETE FROM report_marks WHERE event_id IN (${runEvents})`).run(runId).changes;
    const watchlistMatches = db.prepare(`DELETE FROM watchlist_matches WHERE event_id IN (${runEvents})`).run(runId).changes;
    const events = db.prepare(`DELETE FROM events WHERE id IN (${runEvents})`).run(runId).changes;
    const imports = db.prepare('DELETE FROM imports WHERE run_id = ?').run(runId).changes;

    // The removed events also counted in the entities, relations, time counts and full-text
    // index, and the next import reuses their ids, so every derived table is built afresh.
    // TODO: subtract the removed events' share instead, because a rebuild reads every event of the case.
    rebuildAnalysis(db);
    appendAudit(db, opened.actor, 'engine.run.rollback', {
      run_id: runId,
      reason,
      imports_removed: imports,
      events_removed: events,
      marks_removed: marks,
      watchlist_matches_removed: watchlistMatches,
    });
    return { imports, events };
  })();
}

/**
 * Removes what a run that never finished left behind (the process was killed, the machine
 * stopped): imports tagged with a run id that has no done run, and folders under engine/
 * without a run row. Returns the run ids cleaned up. Call it with the case open for writing,
 * so no other run is in progress.
 */
export function cleanUpUnfinishedRuns(opened: OpenCase): string[] {
  const cleaned = new Set<string>();
  const orphanRunIds = (
    opened.db
      .prepare(`SELECT DISTINCT run_id FROM imports WHERE run_id IS NOT NULL
                AND run_id NOT IN (SELECT id FROM engine_runs WHERE status = 'done')`)
      .all() as { run_id: string }[]
  ).map((row) => row.run_id);
  for (const runId of orphanRunIds) {
    removeRunImports(opened, runId, 'the run did not finish');
    cleaned.add(runId);
  }

  const engineDir = join(opened.dir, 'engine');
  if (existsSync(engineDir)) {
    const kept = new Set((opened.db.prepare('SELECT id FROM engine_runs WHERE output_dir IS NOT NULL').all() as { id: string }[]).map((row) => row.id));
    for (const entry of readdirSync(engineDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !RUN_ID_PATTERN.test(entry.name) || kept.has(entry.name)) continue;
      rmSync(join(engineDir, entry.name), { recursive: true, force: true });
      cleaned.add(entry.name);
    }
  }
  return [...cleaned].sort();
}

function fromRow(row: EngineRunRow): EngineRun {
  return {
    id: row.id,
    evidenceId: row.evidence_id,
    engine: row.engine,
    engineVersion: row.engine_version,
    executable: row.executable,
    commandLine: JSON.parse(row.command_line) as string[],
    requestedEngine: row.requested_engine,
    choiceReason: row.choice_reason,
    options: JSON.parse(row.options) as EngineRun['options'],
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    exitCode: row.exit_code,
    status: row.status,
    error: row.error,
    stderr: row.stderr,
    warnings: JSON.parse(row.warnings) as string[],
    outputDir: row.output_dir,
    records: row.records,
  };
}
