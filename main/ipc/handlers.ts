import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel, ChosenFile, DialogPurpose, JobEvent, ParsedInput, Result } from '../../preload/api.js';
import type { Services } from '../services.js';
import type { ReportExportRequest } from '../report/report-services.js';
import { detectFileKind } from '../case/file-kind.js';
import { NetcaseError, preview } from '../errors.js';
import type { AnalyzeProgress } from '../engines/analyze-case.js';
import type { ImportProgress } from '../ingest/importer.js';
import { JobRunner, type JobReporter } from './jobs.js';
import { PathGrants, pathInsideCase } from './path-grants.js';
import { writePngFile } from './save-image.js';
import type { RecentCases } from './recent-cases.js';

/** Native file dialogs, implemented with Electron in main/electron and by a fake in tests. */
export interface Dialogs {
  /** Shows the dialog for `purpose` and returns the chosen paths; empty when cancelled. */
  choose(purpose: DialogPurpose, options: { defaultName?: string; caseDir?: string }): Promise<string[]>;
}

export interface HandlerDependencies {
  services: Services;
  dialogs: Dialogs;
  recent: RecentCases;
  emitJobEvent: (event: JobEvent) => void;
  version: string;
  /**
   * Opens a file with the operating system's handler for its type. Resolves to an empty
   * string when it opened, or to the reason it did not, as Electron's `shell.openPath` does.
   * Absent where no desktop can open files (the browser test harness), so callers show the path.
   */
  openPath?: (path: string) => Promise<string>;
}

/** The state of one app window: its open case, the files chosen in its dialogs and its jobs. */
export class IpcSession {
  caseDir: string | null = null;
  readonly grants = new PathGrants();
  readonly jobs: JobRunner;

  constructor(emitJobEvent: (event: JobEvent) => void) {
    this.jobs = new JobRunner(emitJobEvent);
  }

  requireCase(): string {
    if (this.caseDir === null) throw new NetcaseError('NOT_FOUND', 'No case is open. Create or open a case first.');
    return this.caseDir;
  }
}

export type Implementations = { [C in Channel]: (input: ParsedInput<C>) => Promise<Result<C>> };

/** Dialogs that may return several files. */
const MULTIPLE: ReadonlySet<DialogPurpose> = new Set(['add-captures', 'import-logs']);

/**
 * The work behind each contract method, given input that already passed its schema. Every
 * file path is taken from a dialog token or checked to lie inside the open case before any
 * service is called, so a rejected argument changes nothing.
 */
export function createImplementations(session: IpcSession, deps: HandlerDependencies): Implementations {
  const { services, dialogs, recent } = deps;
  const { grants } = session;

  /** Turns the tokens of a report export into paths: the PDF (a new name in reports/ unless chosen), the Markdown and the certificate. */
  const reportRequest = ({ pdf, markdown, sign }: ParsedInput<'report.export'>): ReportExportRequest => {
    const dir = session.requireCase();
    return {
      out: pdf === undefined ? newReportPath(dir, new Date()) : grants.path(pdf, ['save-report']),
      markdown: markdown === undefined ? undefined : grants.path(markdown, ['save-markdown']),
      sign: sign === undefined ? undefined : { p12Path: grants.path(sign.certificate, ['choose-certificate', 'save-certificate']), passphrase: sign.passphrase },
    };
  };

  return {
    'app.version': async () => ({ version: deps.version }),

    'dialogs.choose': async ({ purpose, defaultName }) => {
      const paths = await dialogs.choose(purpose, { defaultName, caseDir: session.caseDir ?? undefined });
      const chosen = MULTIPLE.has(purpose) ? paths : paths.slice(0, 1);
      return { files: chosen.map((path) => grants.grant(path, purpose)) };
    },

    'cases.listRecent': async () => ({ cases: recent.list() }),

    'cases.create': async ({ folder, name, analyst }) => {
      const dir = grants.path(folder, ['new-case-folder']);
      rejectWhileBusy(session, 'create a case');
      const meta = services.createCase(dir, { name, analyst });
      session.caseDir = dir;
      recent.add(dir, meta.name);
      return { dir, id: meta.id, name: meta.name, analyst: meta.analyst, created: meta.created, timeZone: meta.timeZone };
    },

    'cases.open': async (input) => {
      let dir: string;
      if ('folder' in input) {
        dir = grants.path(input.folder, ['open-case-folder']);
      } else {
        if (!recent.includes(input.recent)) {
          throw new NetcaseError('INVALID_ARGUMENT', `${preview(input.recent)} is not in the recent cases list. Open the case folder with the dialog instead.`);
        }
        dir = input.recent;
      }
      rejectWhileBusy(session, 'open another case');
      const info = await services.caseInfo(dir);
      session.caseDir = info.dir;
      recent.add(info.dir, info.case.name);
      return info;
    },

    'cases.close': async () => {
      const wasOpen = session.caseDir !== null;
      session.jobs.cancelAll();
      await session.jobs.idle();
      session.caseDir = null;
      return { closed: wasOpen };
    },

    'cases.info': async ({ verifyEvidence }) => services.caseInfo(session.requireCase(), { verifyEvidence }),

    'cases.exportArchive': async ({ out, withoutEvidence }) => {
      const dir = session.requireCase();
      const path = grants.path(out, ['save-case-archive']);
      rejectWhileBusy(session, 'export the case');
      return services.exportCase(dir, { out: path, withoutEvidence });
    },

    'cases.importArchive': async ({ file, to }) => {
      const archive = grants.path(file, ['open-case-archive']);
      const target = grants.path(to, ['new-case-folder']);
      const imported = await services.importCase(archive, { to: target });
      // The renderer opens the imported case through the recent list, like any other case.
      recent.add(imported.dir, imported.caseName);
      return imported;
    },

    'evidence.add': async ({ files }) => {
      const dir = session.requireCase();
      const paths = files.map((file) => grants.path(file, ['add-captures']));
      return services.addEvidence(dir, paths);
    },

    'evidence.addDropped': async ({ paths }) => {
      const dir = session.requireCase();
      for (const path of paths) await checkDroppedFile(path);
      return services.addEvidence(dir, paths);
    },

    'jobs.start': async (input) => {
      const dir = session.requireCase();
      if (input.kind === 'import-logs') {
        const paths = input.files.map((file) => grants.path(file, ['import-logs']));
        const jobId = session.jobs.start('import', (signal, report) => services.importLogs(dir, paths, { signal, onProgress: (progress) => reportImportProgress(progress, report) }));
        return { jobId };
      }
      if (input.kind === 'import-evidence') {
        const paths = await evidenceLogPaths(services, dir, input.evidence);
        const jobId = session.jobs.start('import', (signal, report) => services.importLogs(dir, paths, { signal, onProgress: (progress) => reportImportProgress(progress, report) }));
        return { jobId };
      }
      if (input.kind === 'report-export') {
        const request = reportRequest(input.report);
        const jobId = session.jobs.start('report export', (signal, report) => services.exportReport(dir, { ...request, signal, onProgress: (ratio, message) => report.progress(ratio, message) }));
        return { jobId };
      }
      const jobId = session.jobs.start('analysis', (signal, report) =>
        services.analyze(dir, {
          engine: input.engine,
          timeoutSeconds: input.timeoutSeconds,
          signal,
          onProgress: (progress) => reportAnalyzeProgress(progress, report),
          onRunEnd: (outcome) => {
            for (const warning of outcome.warnings) report.warning(`${outcome.capture}: ${warning}`);
            if (outcome.status === 'failed') report.warning(`Analysis of ${outcome.capture} failed: ${outcome.error ?? 'no reason given'}`);
          },
        }),
      );
      return { jobId };
    },

    'jobs.cancel': async ({ jobId }) => ({ cancelled: session.jobs.cancel(jobId) }),

    'events.search': async (search) => services.searchEvents(session.requireCase(), search),

    'graph.get': async (options) => services.graph(session.requireCase(), options),

    'timeline.get': async (options) => services.timeline(session.requireCase(), options),

    'packets.carve': async ({ uid }) => {
      const dir = session.requireCase();
      const out = newExportPath(dir, `packets-${uid.replace(/[^A-Za-z0-9_-]/g, '_')}`, 'pcap', new Date());
      const carved = await services.carve(dir, { uid, out });
      const openError = deps.openPath ? await deps.openPath(carved.out) : 'No program is available here to open captures.';
      const result = { path: carved.out, packets: carved.packets, target: carved.target, sha256: carved.sha256, opened: openError === '' };
      return openError === '' ? result : { ...result, openError };
    },

    'findings.list': async (request) => services.findings(session.requireCase(), request),

    'iocs.tag': async (request) => services.tagIoc(session.requireCase(), request),

    'iocs.untag': async (request) => ({ removed: await services.untagIoc(session.requireCase(), request) }),

    'iocs.acceptSuggestion': async (acceptance) => services.acceptSuggestion(session.requireCase(), acceptance),

    'iocs.list': async () => ({ iocs: await services.listIocs(session.requireCase()) }),

    'iocs.import': async ({ file }) => {
      const dir = session.requireCase();
      return services.importWatchlist(dir, grants.path(file, ['open-watchlist']));
    },

    'iocs.export': async ({ format, out }) => {
      const dir = session.requireCase();
      const path = out === undefined ? undefined : grants.path(out, ['save-ioc-export']);
      return services.exportIocs(dir, { format, out: path });
    },

    'report.drafts': async () => ({ drafts: await services.reportNarrative(session.requireCase()) }),

    'report.editDraft': async ({ field, text }) => {
      await services.editReport(session.requireCase(), field, text);
      return { field, saved: text !== null };
    },

    // The service lays out and signs the PDF in a worker thread, so the window stays responsive.
    'report.export': async (input) => services.exportReport(session.requireCase(), reportRequest(input)),

    'report.verify': async (input) => {
      const path = 'file' in input ? grants.path(input.file, ['open-report', 'save-report']) : pathInsideCase(session.requireCase(), input.casePath);
      return services.verifyReport(path);
    },

    'exports.saveImage': async ({ out, png }) => writePngFile(grants.path(out, ['save-image']), png),

    'certificates.choose': async () => {
      const [path] = await dialogs.choose('choose-certificate', { caseDir: session.caseDir ?? undefined });
      return { certificate: path === undefined ? null : grants.grant(path, 'choose-certificate') };
    },

    'certificates.create': async ({ out, name, email, passphrase, days }) => services.createCertificate(grants.path(out, ['save-certificate']), { name, email, passphrase, days }),
  };
}

/** Files the operating system opened with the app: captures offered to the renderer by token. */
export function grantOpenedFiles(session: IpcSession, paths: string[]): ChosenFile[] {
  return paths.map((path) => session.grants.grant(path, 'add-captures'));
}

function rejectWhileBusy(session: IpcSession, action: string): void {
  if (session.jobs.busy) throw new NetcaseError('CASE_LOCKED', `A job is still running on the open case. Wait for it to end or cancel it, then ${action}.`);
}

/**
 * Checks a dropped path. A drop cannot be tied to a dialog, because drops never reach main.
 * The path is therefore accepted only as evidence to copy into the case. It must be an
 * existing regular file (no folder, no symbolic link) that starts like a capture or Zeek log.
 */
async function checkDroppedFile(path: string): Promise<void> {
  if (!path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path)) {
    throw new NetcaseError('INVALID_ARGUMENT', `Dropped path ${preview(path)} is not absolute. Drop the file from a file manager.`);
  }
  let isFile: boolean;
  try {
    isFile = lstatSync(path).isFile();
  } catch (error) {
    throw new NetcaseError('NOT_FOUND', `Dropped file ${preview(path)} was not found.`, { cause: error });
  }
  if (!isFile) throw new NetcaseError('INVALID_ARGUMENT', `Dropped item ${preview(path)} is not a regular file. Drop capture or Zeek log files, or use Add captures for folders.`);
  const { kind, format } = await detectFileKind(path);
  if (kind === 'unknown') throw new NetcaseError('UNSUPPORTED_FILE', `Dropped file ${preview(path)} is ${format}. Drop a .pcap, .pcapng or Zeek log file.`);
}

/**
 * Returns the stored files of Zeek-log evidence by id. Paths come from the case's own evidence
 * table, so the renderer names only ids; an unknown id or a capture is rejected.
 */
async function evidenceLogPaths(services: Services, caseDir: string, ids: number[]): Promise<string[]> {
  const items = new Map((await services.listEvidence(caseDir)).map((item) => [item.id, item]));
  return ids.map((id) => {
    const item = items.get(id);
    if (item === undefined) throw new NetcaseError('NOT_FOUND', `Evidence ${id} is not in the open case. Refresh the evidence list and try again.`);
    if (item.kind !== 'zeek-log') throw new NetcaseError('INVALID_ARGUMENT', `Evidence ${id} (${item.original_path}) is a capture, not a Zeek log. Run the analysis to import a capture.`);
    return join(caseDir, item.stored_path);
  });
}

function reportImportProgress(progress: ImportProgress, report: JobReporter): void {
  const counts = { bytes: { done: progress.bytesRead, total: progress.bytesTotal }, records: progress.records };
  report.progress(ratio(progress.bytesRead, progress.bytesTotal), `Importing ${progress.file}`, counts);
}

function reportAnalyzeProgress(progress: AnalyzeProgress, report: JobReporter): void {
  const bytes = { done: progress.bytesRead, total: progress.bytesTotal };
  if (progress.phase === 'engine') report.progress(ratio(progress.bytesRead, progress.bytesTotal), `Analysing ${progress.capture}`, { bytes });
  else report.progress(ratio(progress.bytesRead, progress.bytesTotal), `Importing the logs of ${progress.capture}`, { bytes, records: progress.records });
}

function ratio(done: number, total: number): number | null {
  return total > 0 ? Math.min(1, done / total) : null;
}

/** Returns `exports/<prefix>-<UTC time>.<extension>` in the case, numbered when that file exists. */
function newExportPath(caseDir: string, prefix: string, extension: string, date: Date): string {
  const stamp = date.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '').replaceAll('-', '');
  for (let number = 1; ; number++) {
    const path = join(caseDir, 'exports', number === 1 ? `${prefix}-${stamp}.${extension}` : `${prefix}-${stamp}-${number}.${extension}`);
    if (!existsSync(path)) return path;
  }
}

/** Returns `reports/report-<UTC time>.pdf` in the case, numbered when that file exists, so no export replaces another. */
function newReportPath(caseDir: string, date: Date): string {
  const stamp = date.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '').replaceAll('-', '');
  for (let number = 1; ; number++) {
    const path = join(caseDir, 'reports', number === 1 ? `report-${stamp}.pdf` : `report-${stamp}-${number}.pdf`);
    if (!existsSync(path)) return path;
  }
}
