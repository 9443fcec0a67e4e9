import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { OpenCase } from '../case/case-folder.js';
import { hashFile, type EvidenceItem } from '../case/evidence.js';
import { NetcaseError, isNetcaseError } from '../errors.js';
import type { ImportProgress, ImportSummary } from '../ingest/importer.js';
import { runImport } from '../ingest/run-import.js';
import { log } from '../log.js';
import { chooseEngine, type ChooseEngineOptions, type EngineChoice, type EngineRequest } from './choose-engine.js';
import type { EngineRunResult } from './engine.js';
import { capturesToAnalyse, cleanUpUnfinishedRuns, newRunId, recordEngineRun, removeRunImports, type EngineRun } from './engine-runs.js';

const logger = log.scope('analyze');

export interface AnalyzeOptions extends Omit<ChooseEngineOptions, 'createTshark'> {
  engine?: EngineRequest;
  /** tshark program; `tshark` on PATH when unset. */
  tsharkPath?: string;
  /** Accept packets with bad checksums (Zeek's -C). On by default, because captures taken on hosts with checksum offloading carry bad checksums on every outgoing packet. */
  allowBadChecksums?: boolean;
  /** Stops an engine run that takes longer; unset means no limit. */
  timeoutSeconds?: number;
  signal?: AbortSignal;
  onChoice?: (choice: ChoiceInfo) => void;
  onProgress?: (progress: AnalyzeProgress) => void;
  /** Called when one capture's run has ended, done or failed. */
  onRunEnd?: (outcome: RunOutcome) => void;
  /** Minimum time between two import progress reports, in milliseconds. Engine progress comes every 500 ms. */
  progressIntervalMs?: number;
}

export interface ChoiceInfo {
  engine: string;
  version: string;
  executable: string;
  requested: EngineRequest;
  reason: string;
}

export type AnalyzeProgress =
  | { phase: 'engine'; runId: string; evidenceId: number; capture: string; bytesRead: number; bytesTotal: number }
  | ({ phase: 'import'; runId: string; evidenceId: number; capture: string } & ImportProgress);

export interface RunOutcome {
  runId: string;
  evidenceId: number;
  capture: string;
  status: 'done' | 'failed';
  exitCode: number | null;
  error: string | null;
  warnings: string[];
  records: number;
  /** Log files the engine wrote, relative to the case folder. */
  logFiles: string[];
}

export interface AnalyzeSummary {
  /** Unset when there was nothing to analyse, so no engine was chosen. */
  choice?: ChoiceInfo;
  runs: RunOutcome[];
  /** Capture evidence skipped because a finished run exists for it. */
  alreadyAnalysed: number;
  /** Runs that never finished earlier (killed process) whose leftovers were removed first. */
  cleanedUp: string[];
}

/** Import problems listed per run as warnings; the import records keep the full lists. */
const MAX_IMPORT_WARNINGS = 20;

/**
 * Runs the chosen engine over every capture in the case without a finished run, imports the
 * logs it writes under engine/<run-id>/ and records each run. A run that fails is recorded
 * as failed and leaves no logs or events; the next capture is still analysed. A cancel stops
 * the engine process tree, removes the current run's folder and imported events, writes no
 * run row and throws CANCELLED. The caller must hold the case open for writing.
 */
export async function analyzeCase(opened: OpenCase, options: AnalyzeOptions, createTshark: ChooseEngineOptions['createTshark']): Promise<AnalyzeSummary> {
  const cleanedUp = cleanUpUnfinishedRuns(opened);
  if (cleanedUp.length > 0) logger.warn({ runs: cleanedUp }, 'removed the leftovers of runs that did not finish');

  const pending = capturesToAnalyse(opened.db);
  const totalCaptures = (opened.db.prepare("SELECT COUNT(*) AS n FROM evidence WHERE kind = 'capture'").get() as { n: number }).n;
  const summary: AnalyzeSummary = { runs: [], alreadyAnalysed: totalCaptures - pending.length, cleanedUp };
  if (pending.length === 0) return summary;

  let choice: EngineChoice;
  try {
    choice = await chooseEngine(options.engine ?? 'auto', { ...options, createTshark });
  } catch (error) {
    if (options.signal?.aborted || stoppedBySignal(error)) {
      throw new NetcaseError('CANCELLED', 'Analysis cancelled while checking the engine; no capture was analysed.', { cause: error });
    }
    throw error;
  }
  summary.choice = { engine: choice.engine.name, version: choice.version, executable: choice.engine.executable, requested: choice.requested, reason: choice.reason };
  options.onChoice?.(summary.choice);

  for (const evidence of pending) {
    if (options.signal?.aborted) {
      throw new NetcaseError('CANCELLED', `Analysis cancelled after ${summary.runs.length} of ${pending.length} captures; the finished runs are kept.`);
    }
    const outcome = await analyzeCapture(opened, evidence, choice, options);
    summary.runs.push(outcome);
    options.onRunEnd?.(outcome);
  }
  return summary;
}

async function analyzeCapture(opened: OpenCase, evidence: EvidenceItem, choice: EngineChoice, options: AnalyzeOptions): Promise<RunOutcome> {
  const runId = newRunId();
  const relativeDir = `engine/${runId}`;
  const outputDir = join(opened.dir, relativeDir);
  const capturePath = join(opened.dir, evidence.stored_path);
  const signal = options.signal ?? new AbortController().signal;
  const allowBadChecksums = options.allowBadChecksums ?? true;
  const startedAt = new Date().toISOString();
  const base = { runId, evidenceId: evidence.id, capture: evidence.stored_path };

  const run: EngineRun = {
    id: runId,
    evidenceId: evidence.id,
    engine: choice.engine.name,
    engineVersion: choice.version,
    executable: choice.engine.executable,
    commandLine: [],
    requestedEngine: choice.requested,
    choiceReason: choice.reason,
    options: { allowBadChecksums, timeoutSeconds: options.timeoutSeconds ?? null },
    startedAt,
    finishedAt: startedAt,
    exitCode: null,
    status: 'failed',
    error: null,
    stderr: '',
    warnings: [],
    outputDir: null,
    records: 0,
  };
  const fail = (error: string): RunOutcome => {
    rmSync(outputDir, { recursive: true, force: true });
    run.status = 'failed';
    run.error = error;
    run.outputDir = null;
    run.finishedAt = new Date().toISOString();
    recordEngineRun(opened, run);
    logger.warn({ runId, evidence: evidence.stored_path, error }, 'engine run failed');
    return { ...base, status: 'failed', exitCode: run.exitCode, error, warnings: run.warnings, records: 0, logFiles: [] };
  };

  if (!existsSync(capturePath)) {
    return fail(`The capture file ${evidence.stored_path} is missing from the case folder. Restore it from the original (${evidence.original_path}).`);
  }
  // The capture is hashed while the engine reads it, which saves a full read before the run.
  // A capture whose hash no longer matches intake fails the run, and the engine's output is
  // discarded, exactly as if the check had come first.
  const hashing = hashFile(capturePath).then(
    ({ sha256 }) => sha256,
    (error: unknown) => `unreadable: ${(error as Error).message}`,
  );
  const changedCapture = async (): Promise<RunOutcome | null> => {
    const sha256 = await hashing;
    if (sha256 === evidence.sha256) return null;
    rmSync(outputDir, { recursive: true, force: true });
    return fail(`The capture file ${evidence.stored_path} has changed since intake (SHA-256 ${sha256}, expected ${evidence.sha256}), so it was not analysed. Restore it from the original (${evidence.original_path}).`);
  };
  mkdirSync(outputDir, { recursive: true });

  // 1. The engine writes Zeek-format logs into engine/<run-id>/.
  let result: EngineRunResult;
  try {
    result = await choice.engine.run({
      capturePath,
      outputDir,
      signal,
      allowBadChecksums,
      timeoutMs: options.timeoutSeconds ? options.timeoutSeconds * 1000 : undefined,
      onProgress: (bytesRead, bytesTotal) => options.onProgress?.({ phase: 'engine', ...base, bytesRead, bytesTotal }),
    });
  } catch (error) {
    if (signal.aborted || (isNetcaseError(error) && error.code === 'CANCELLED')) {
      rmSync(outputDir, { recursive: true, force: true });
      throw cancelled(runId);
    }
    if (!isNetcaseError(error) || (error.code !== 'ENGINE' && error.code !== 'NOT_FOUND' && error.code !== 'INPUT_INVALID' && error.code !== 'UNSUPPORTED_FILE')) {
      rmSync(outputDir, { recursive: true, force: true });
      throw error;
    }
    const changed = await changedCapture();
    if (changed) return changed;
    const details = error.details as { stderr?: string; commandLine?: string[] } | undefined;
    run.stderr = details?.stderr ?? '';
    run.commandLine = details?.commandLine ?? [];
    return fail(error.message);
  }
  const changed = await changedCapture();
  if (changed) return changed;
  run.commandLine = result.commandLine;
  run.exitCode = result.exitCode;
  run.stderr = result.stderr;
  run.warnings = [...result.warnings];
  if (result.exitCode !== 0 && !result.partial) {
    const firstLine = result.stderr.trim().split('\n')[0];
    return fail(`${choice.engine.name} exited with status ${result.exitCode} on ${evidence.stored_path}${firstLine ? `: ${firstLine}` : ' and wrote nothing to stderr'}.`);
  }

  // 2. The logs are imported in a worker thread, tagged with the run id.
  let imported: ImportSummary;
  try {
    imported = await runImport(opened, [outputDir], {
      runId,
      signal,
      progressIntervalMs: options.progressIntervalMs,
      onProgress: (progress) => options.onProgress?.({ phase: 'import', ...base, ...progress }),
    });
  } catch (error) {
    removeRunImports(opened, runId, signal.aborted ? 'the run was cancelled' : 'the import failed');
    if (signal.aborted) {
      rmSync(outputDir, { recursive: true, force: true });
      throw cancelled(runId);
    }
    return fail(`Importing the logs of ${choice.engine.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  // 3. The run is recorded together with its audit entry.
  run.warnings.push(...importWarnings(imported));
  if (imported.files.length === 0) run.warnings.push(`${choice.engine.name} wrote no logs for ${evidence.stored_path}; the capture may be empty or hold no traffic the engine understands.`);
  run.status = 'done';
  run.outputDir = relativeDir;
  run.records = imported.records;
  run.finishedAt = new Date().toISOString();
  try {
    recordEngineRun(opened, run);
  } catch (error) {
    removeRunImports(opened, runId, 'recording the run failed');
    rmSync(outputDir, { recursive: true, force: true });
    throw error;
  }
  logger.info({ runId, evidence: evidence.stored_path, records: imported.records }, 'engine run done');
  return { ...base, status: 'done', exitCode: result.exitCode, error: null, warnings: run.warnings, records: imported.records, logFiles: result.logFiles.map((file) => `${relativeDir}/${basename(file)}`) };
}

function importWarnings(imported: ImportSummary): string[] {
  const warnings: string[] = [];
  for (const file of imported.files) {
    if (file.status === 'refused') warnings.push(`Log ${file.path} was not imported: ${file.message}`);
    else if (file.skipped > 0) warnings.push(`${file.skipped} lines of ${file.path} were skipped (${file.problems[0]?.reason ?? 'see the import record'}).`);
  }
  if (warnings.length > MAX_IMPORT_WARNINGS) {
    const more = warnings.length - MAX_IMPORT_WARNINGS;
    return [...warnings.slice(0, MAX_IMPORT_WARNINGS), `… and ${more} more import problems.`];
  }
  return warnings;
}

function cancelled(runId: string): NetcaseError {
  return new NetcaseError('CANCELLED', `Analysis cancelled. Run ${runId} was removed: the case keeps no logs, events or run record from it.`);
}

/**
 * Returns whether an engine check failed because its process got SIGINT or SIGTERM. Ctrl-C in
 * a terminal signals the whole process group, so the version check's child can die of it
 * before this process has handled its own copy of the signal.
 */
function stoppedBySignal(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause as { signal?: unknown } | undefined) : undefined;
  return cause?.signal === 'SIGINT' || cause?.signal === 'SIGTERM';
}
