import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { NetcaseError, isNetcaseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { appendAudit } from '../case/audit.js';
import { detectFileKind } from '../case/file-kind.js';
import { hashFile } from '../case/evidence.js';
import { findLogFiles } from './log-files.js';
import { DEFAULT_LIMITS, type ReaderLimits, type ReadSummary } from './line-reader.js';
import type { LineProblem } from './parsed-record.js';
import { parseInWorker } from './parse-in-worker.js';
import { parseLogBatches } from './parse-log-file.js';
import { AnalysisWriter } from '../analysis/analysis-writer.js';
import { createEventIndexes, dropEventIndexes, shouldRebuildEventIndexes } from '../store/event-indexes.js';

export interface ImportProgress {
  file: string;
  fileIndex: number;
  fileCount: number;
  bytesRead: number;
  bytesTotal: number;
  records: number;
  skipped: number;
}

export interface FileImportResult {
  path: string;
  status: 'imported' | 'already-imported' | 'refused';
  format?: string;
  logs: string[];
  records: number;
  skipped: number;
  /** The first skipped lines with their reasons; `skipped` has the full count. */
  problems: LineProblem[];
  message?: string;
}

export interface ImportSummary {
  files: FileImportResult[];
  passedOver: string[];
  records: number;
  skipped: number;
}

export interface ImportOptions {
  actor: string;
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  /** Engine run whose output is being imported. */
  runId?: string;
  limits?: ReaderLimits;
  /** Files at least this large are parsed on a second thread; 4 MiB unless set. */
  parseInWorkerFromBytes?: number;
}

/**
 * Files at least this large are parsed on a second thread. Starting a worker costs tens of
 * milliseconds, more than the overlap saves on a small file, and a folder of Zeek logs often
 * contains hundreds of small ones.
 */
const PARSE_IN_WORKER_FROM_BYTES = 4 * 1024 * 1024;

const INSERT_EVENT = `INSERT INTO events (id, import_id, line, log, ts, uid, orig_h, orig_p, resp_h, resp_p, proto, record)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Imports Zeek logs from files and folders into the case database. Each file is one
 * transaction, together with its `imports` row and audit entry, so an interrupted import
 * leaves the database as it was after the last whole file and a rerun completes it. A file
 * whose content was imported before adds no rows.
 */
export async function importLogs(db: Db, inputs: string[], options: ImportOptions): Promise<ImportSummary> {
  const { files, passedOver } = findLogFiles(inputs);
  const summary: ImportSummary = { files: [], passedOver, records: 0, skipped: 0 };

  for (const [index, path] of files.entries()) {
    options.signal?.throwIfAborted();
    const result = await importLogFile(db, path, options, index, files.length);
    summary.files.push(result);
    summary.records += result.status === 'imported' ? result.records : 0;
    summary.skipped += result.status === 'imported' ? result.skipped : 0;
  }
  return summary;
}

export async function importLogFile(db: Db, path: string, options: ImportOptions, fileIndex = 0, fileCount = 1): Promise<FileImportResult> {
  const result: FileImportResult = { path, status: 'refused', logs: [], records: 0, skipped: 0, problems: [] };
  const bytesTotal = statSync(path).size;

  const kind = await detectFileKind(path);
  if (kind.kind !== 'zeek-log') {
    result.message =
      kind.kind === 'capture'
        ? `${path} is a packet capture (${kind.format}), not a Zeek log. Add it with "netcase add" and run "netcase analyze".`
        : `${path} is not a Zeek log: ${kind.format}. Expected a Zeek TSV log (starting with "#separator \\x09"), a Zeek JSON log (one object per line) or zeek-cut output.`;
    return result;
  }
  result.format = kind.format.replace('zeek-', '');

  const { sha256: fileSha256 } = await hashFile(path);
  const earlier = db.prepare('SELECT source_path FROM imports WHERE file_sha256 = ?').get(fileSha256) as { source_path: string } | undefined;
  if (earlier) {
    result.status = 'already-imported';
    result.message = `already imported from ${earlier.source_path}`;
    return result;
  }

  const startedAt = new Date().toISOString();
  const insert = db.prepare(INSERT_EVENT);
  const logs = new Set<string>();
  const readSummary: Partial<ReadSummary> = {};

  db.exec('BEGIN IMMEDIATE');
  try {
    const importId = Number(
      db
        .prepare(`INSERT INTO imports (source_path, file_sha256, content_sha256, format, logs, records, skipped, problems, run_id, started_at, finished_at)
                  VALUES (?, ?, ?, ?, '[]', 0, 0, '[]', ?, ?, ?)`)
        .run(path, fileSha256, `pending:${randomUUID()}`, result.format, options.runId ?? null, startedAt, startedAt).lastInsertRowid,
    );
    // The write lock is held from BEGIN IMMEDIATE, so no other writer can take the ids after
    // lastId, and the parse worker can number the records it collects analysis totals for.
    const lastId = db.prepare('SELECT COALESCE(MAX(id), 0) FROM events').pluck().get() as number;
    let nextId = lastId + 1;
    const rebuildIndexes = shouldRebuildEventIndexes(lastId, bytesTotal);
    if (rebuildIndexes) dropEventIndexes(db);
    const analysis = new AnalysisWriter(db);

    const parsing = { path, format: kind.format, firstId: nextId, limits: options.limits ?? DEFAULT_LIMITS };
    const inWorker = bytesTotal >= (options.parseInWorkerFromBytes ?? PARSE_IN_WORKER_FROM_BYTES);
    const batches = inWorker ? parseInWorker(parsing, readSummary) : parseLogBatches(parsing, readSummary);
    for await (const batch of batches) {
      options.signal?.throwIfAborted();
      for (const row of batch.rows) {
        insert.run(nextId++, importId, ...row);
        logs.add(row[1]);
      }
      result.records += batch.rows.length;
      result.skipped += batch.skipped;
      result.problems.push(...batch.problems);
      if (batch.analysis) analysis.write(batch.analysis);
      options.onProgress?.({ file: path, fileIndex, fileCount, bytesRead: batch.bytesRead, bytesTotal, records: result.records, skipped: result.skipped });
    }

    if (result.records === 0 && result.skipped === 0 && readSummary.expandedBytes === 0) {
      throw new NetcaseError('INPUT_INVALID', `${path} is empty. Expected a Zeek log with a header and records.`);
    }
    const duplicate = db.prepare('SELECT source_path FROM imports WHERE content_sha256 = ?').get(readSummary.contentSha256) as { source_path: string } | undefined;
    if (duplicate) {
      db.exec('ROLLBACK');
      return { ...result, status: 'already-imported', records: 0, skipped: 0, problems: [], message: `same content already imported from ${duplicate.source_path}` };
    }

    result.logs = [...logs].sort();
    db.prepare('UPDATE imports SET content_sha256 = ?, logs = ?, records = ?, skipped = ?, problems = ?, finished_at = ? WHERE id = ?')
      .run(readSummary.contentSha256, JSON.stringify(result.logs), result.records, result.skipped, JSON.stringify(result.problems), new Date().toISOString(), importId);
    if (rebuildIndexes) createEventIndexes(db);
    appendAudit(db, options.actor, 'logs.import', {
      source_path: path,
      file_sha256: fileSha256,
      format: result.format,
      logs: result.logs,
      records: result.records,
      skipped: result.skipped,
      run_id: options.runId ?? null,
    });
    db.exec('COMMIT');
    result.status = 'imported';
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    if (options.signal?.aborted) throw new NetcaseError('CANCELLED', `Import cancelled while reading ${path}; nothing from this file was kept.`, { cause: error });
    if (isNetcaseError(error) && (error.code === 'INPUT_INVALID' || error.code === 'IO')) {
      return { ...result, status: 'refused', records: 0, skipped: 0, problems: [], message: error.message };
    }
    throw error;
  }
}
